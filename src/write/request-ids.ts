import { createHash } from "node:crypto";
import { AppError } from "../app-error.js";

/** How many request ids are remembered, and for how long. */
const MAX_ENTRIES = 10_000;
const KEEP_MS = 24 * 3600_000;

interface Entry {
  readonly body: string;
  readonly result: Promise<unknown>;
  readonly at: number;
}

/**
 * Makes a retried write safe: the first call with a request id runs; a later call with the
 * same id and the same body gets the first call's result (a concurrent retry waits for it)
 * instead of writing again; the same id with another body is INVALID_ARGUMENT. A call that
 * failed because the source was unavailable is forgotten, so its retry really retries. Ids
 * live in this process for a day (at most {@link MAX_ENTRIES}, oldest dropped first).
 */
export class RequestIds {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `write` once per (`requestId`, `body`); an empty id always runs. */
  once<T>(requestId: string, method: string, body: unknown, write: () => Promise<T>): Promise<T> {
    if (requestId === "") return write();
    this.#expire();
    const hash = bodyHash(method, body);
    const found = this.#entries.get(requestId);
    if (found !== undefined) {
      if (found.body !== hash) {
        return Promise.reject(
          new AppError(
            "invalid_argument",
            `request_id ${requestId} was already used for a different request; use a new UUID for a new write`,
            { field: "request_id" },
          ),
        );
      }
      return found.result as Promise<T>;
    }
    const result = write();
    this.#entries.set(requestId, { body: hash, result, at: this.now() });
    result.catch((err: unknown) => {
      const retryable = !(err instanceof AppError) || err.kind === "unavailable";
      if (retryable) this.#entries.delete(requestId);
    });
    return result;
  }

  #expire(): void {
    const oldest = this.now() - KEEP_MS;
    for (const [id, entry] of this.#entries) {
      if (entry.at >= oldest && this.#entries.size < MAX_ENTRIES) break;
      this.#entries.delete(id);
    }
  }
}

function bodyHash(method: string, body: unknown): string {
  const text = JSON.stringify(body, (_, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
  return createHash("sha256").update(`${method}\0${text}`).digest("hex");
}
