/**
 * The report's write section: {@link WriteResult} rows as a Markdown table, apart from the
 * RPC table's renderer so the write rows and the read rows can grow independently.
 *
 * @module
 */
import { ms } from "./targets.js";
import type { WriteResult } from "./write-bench.js";

/** The "Write latency" section (nothing when the run measured no writes). */
export function renderWrites(rows: readonly WriteResult[] | undefined): string[] {
  if (rows === undefined || rows.length === 0) return [];
  const int = (n: number): string => Math.round(n).toLocaleString("en-US");
  return [
    "## Write latency",
    "",
    "CreateCustomer (a new id each) and UpdateCustomer (no etag: the last write wins) from the " +
      "bench process over one h2c session, closed loop, SYNC_AFTER_WRITES=off; each write " +
      "commits at the source of truth before it answers. The last rows are GetCustomer (8 callers " +
      "on ids the updates wrote, whose reads lay the pending writes over the snapshot, and 8 on " +
      "ids none wrote) measured while 16 callers update.",
    "",
    "| source of truth | RPC | callers | n | p50 | p99 | max | req/s | errors |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const l = r.latency;
      const errors = r.errors === 0 ? "" : `${r.errors}: ${r.firstError.slice(0, 80)}`;
      const cells = [r.target, r.rpc, String(r.concurrency), int(l.count), ms(l.p50), ms(l.p99)];
      return `| ${[...cells, ms(l.max), int(l.rps), errors].join(" | ")} |`;
    }),
    "",
  ];
}
