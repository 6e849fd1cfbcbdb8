import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import { CUSTOMER_INDEX } from "./customer-index.js";

/**
 * Starts building what the query layer keeps in memory for a snapshot, as soon as it goes
 * live, so the first lookups after a swap do not each wait for SQL while the index is cold.
 * Returns at once; the snapshot keeps answering by SQL until the build is done.
 */
export function warmSnapshot(db: SnapshotReader): void {
  db.memo.built(CUSTOMER_INDEX);
}
