import { Code } from "@connectrpc/connect";
import { CALL_TIMEOUT_MS, HANG_SLACK_MS, REPLAY, STACK } from "./fuzz-settings.js";

/** One wrong answer: which family of cases, which request, what was wrong. */
export interface Failure {
  readonly category: string;
  readonly what: string;
  readonly problem: string;
}

/**
 * The bookkeeping of one phase of the run: cases sent per category, answers per code and the
 * failures. Each phase has its own, so a test asserts on its own cases whatever ran before it.
 */
export class FuzzTally {
  readonly counts = new Map<string, number>();
  readonly codes = new Map<string, number>();
  readonly failures: Failure[] = [];

  /** Counts one case of `category`. */
  count(category: string): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
  }

  /** Records a wrong answer. */
  fail(category: string, what: string, problem: string): void {
    this.failures.push({ category, what, problem });
  }

  /** Counts one answer by its code (OK when there is none). */
  tallyCode(code: Code | undefined): void {
    const name = code === undefined ? "OK" : Code[code];
    this.codes.set(name, (this.codes.get(name) ?? 0) + 1);
  }

  /**
   * The failures grouped by category and kind of problem (numbers blurred), each group with
   * its count and first case, so one bug does not hide another in the output.
   */
  report(): string {
    const groups = new Map<string, { n: number; first: Failure }>();
    for (const f of this.failures) {
      const key = `${f.category}: ${f.problem.slice(0, 60).replace(/\d+/g, "#")}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { n: 1, first: f });
      else group.n++;
    }
    const lines = [...groups.values()].map(
      ({ n, first }) => `- ${n}× [${first.category}] e.g. ${first.what}\n    → ${first.problem}`,
    );
    return `${this.failures.length} hostile-input failures, ${REPLAY}:\n${lines.join("\n")}`;
  }
}

/** The problem with an answer, if any. */
export function judge(code: Code | undefined, message: string, ms: number): string | undefined {
  if (code === Code.Internal) return `INTERNAL: ${message}`;
  if (code === Code.Unknown) return `UNKNOWN: ${message}`;
  if (code === Code.DeadlineExceeded) return `DEADLINE_EXCEEDED after ${Math.round(ms)} ms`;
  if (STACK.test(message)) return `stack trace or path in the message: ${message.slice(0, 300)}`;
  if (ms > CALL_TIMEOUT_MS + HANG_SLACK_MS) return `answered after ${Math.round(ms)} ms`;
  return undefined;
}
