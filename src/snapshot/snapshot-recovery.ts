import type { Logger } from "pino";
import type { Snapshot } from "./snapshot.js";
import type { SnapshotFiles } from "./snapshot-files.js";

/** What start-up found on disk: the snapshot to serve, if any, and what it had to work round. */
export interface Recovered {
  readonly snapshot: Snapshot | undefined;
  /** Why the service cannot serve, when no snapshot was chosen but files were there. */
  readonly notServing: string | undefined;
  /** True when a snapshot was found damaged: the first sync must rebuild, not skip. */
  readonly rebuild: boolean;
}

/**
 * Chooses the snapshot to serve at start-up, never deleting a finished snapshot because the
 * `CURRENT` pointer is unreadable. The candidates are the one CURRENT names, then every other
 * file newest first; the first that matches its build-time digest, opens with its metadata row
 * (written last, so a file without it was never finished) and comes from the configured source
 * is served, and CURRENT is rewritten to it when it named something else. A file whose bytes
 * changed, or that does not open for any reason but a missing metadata row, is quarantined;
 * only an unfinished build (no digest, and it opens without a metadata row) is removed; another source's snapshot is kept but not
 * served. Only when CURRENT was sound and is served are the other files (retired snapshots,
 * interrupted builds) removed, as before.
 */
export async function recoverAtStart(
  files: SnapshotFiles,
  open: (id: string) => Promise<Snapshot>,
  sourceIdentity: string | undefined,
  log: Logger,
): Promise<Recovered> {
  const pointer = await files.pointer();
  const all = await files.list();
  if (pointer.problem !== undefined && all.length > 0) {
    log.warn(
      { problem: pointer.problem, snapshots: all },
      `${pointer.problem}; choosing the newest complete snapshot instead`,
    );
  }
  const others = all.filter((id) => id !== pointer.id).reverse();
  const candidates = pointer.id === undefined ? others : [pointer.id, ...others];
  let rebuild = false;
  let foreign: string | undefined;
  for (const id of candidates) {
    const named = id === pointer.id;
    const seal = await files.verify(id);
    if (seal === "altered") {
      const moved = await files.quarantine(id);
      log.error(
        { snapshot: id, quarantined: moved },
        "the snapshot file does not match its checksum; it was quarantined and will be rebuilt",
      );
      rebuild = true;
      continue;
    }
    let snapshot: Snapshot;
    try {
      snapshot = await open(id);
    } catch (err) {
      if (seal === "unsealed" && !named && unfinished(err)) {
        await files.remove(id);
        log.info({ snapshot: id, err: String(err) }, "removed an unfinished build");
      } else {
        const moved = await files.quarantine(id);
        log.error(
          { snapshot: id, quarantined: moved, err: String(err) },
          "the snapshot on disk cannot be opened; it was quarantined and will be rebuilt",
        );
        rebuild = true;
      }
      continue;
    }
    if (seal === "unsealed") {
      await files.seal(id);
      log.warn({ snapshot: id }, "the snapshot had no checksum; one was written now");
    }
    const identity = snapshot.info.sourceIdentity;
    if (sourceIdentity !== undefined && identity !== sourceIdentity) {
      await snapshot.close();
      const built = identity === "" ? "an unrecorded source" : identity;
      foreign ??= `the snapshot on disk (${id}) was built from ${built}, not the configured source ${sourceIdentity}; it is not served, and the service is ready once a sync from the configured source succeeds`;
      log.warn({ snapshot: id, built: identity, configured: sourceIdentity }, foreign);
      continue;
    }
    if (!named) {
      await files.setCurrent(id);
      log.warn(
        { snapshot: id, problem: pointer.problem ?? `CURRENT named ${pointer.id}` },
        `CURRENT rewritten to ${id}`,
      );
    } else {
      for (const other of others) await files.remove(other);
    }
    return { snapshot, notServing: undefined, rebuild };
  }
  return { snapshot: undefined, notServing: foreign, rebuild };
}

/** Whether opening failed only because the metadata row, written last, is missing. */
function unfinished(err: unknown): boolean {
  return err instanceof Error && /never finished/.test(err.message);
}
