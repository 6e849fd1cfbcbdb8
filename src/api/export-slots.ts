import { AppError } from "../app-error.js";

/** The two caps on exports running at once. */
export interface ExportSlotLimits {
  /** In the whole process (EXPORT_MAX_CONCURRENT). */
  readonly total: number;
  /** For one caller (EXPORT_MAX_PER_CALLER). */
  readonly perCaller: number;
}

/**
 * Counts running exports, in total and per caller, so that one caller (or many) cannot hold
 * more temporary files and descriptors than the caps allow: each export takes a slot before it
 * writes anything and gives it back however it ends. A call past a cap is RESOURCE_EXHAUSTED
 * naming the setting, and `onRefused` is told which (for the metric).
 */
export class ExportSlots {
  readonly #limits: ExportSlotLimits;
  readonly #byCaller = new Map<string, number>();
  readonly #onRefused: (limit: string) => void;
  #total = 0;

  constructor(limits: ExportSlotLimits, onRefused: (limit: string) => void = () => {}) {
    this.#limits = limits;
    this.#onRefused = onRefused;
  }

  /** Takes a slot for `caller`; the returned function gives it back (calling it twice is safe). */
  take(caller: string): () => void {
    const mine = this.#byCaller.get(caller) ?? 0;
    if (mine >= this.#limits.perCaller) {
      this.#onRefused("EXPORT_MAX_PER_CALLER");
      throw new AppError(
        "resource_exhausted",
        `this caller already runs ${mine} exports, the most allowed at once (EXPORT_MAX_PER_CALLER=${this.#limits.perCaller}); retry when one has finished`,
      );
    }
    if (this.#total >= this.#limits.total) {
      this.#onRefused("EXPORT_MAX_CONCURRENT");
      throw new AppError(
        "resource_exhausted",
        `the server already runs ${this.#total} exports, the most allowed at once (EXPORT_MAX_CONCURRENT=${this.#limits.total}); retry shortly`,
      );
    }
    this.#byCaller.set(caller, mine + 1);
    this.#total++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#total--;
      const left = (this.#byCaller.get(caller) ?? 1) - 1;
      if (left === 0) this.#byCaller.delete(caller);
      else this.#byCaller.set(caller, left);
    };
  }

  /** Exports running now. */
  get running(): number {
    return this.#total;
  }
}
