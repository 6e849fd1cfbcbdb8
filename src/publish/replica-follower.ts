import { type FSWatcher, watch } from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { writeDigest } from "../snapshot/snapshot-checksum.js";
import type { SnapshotStore } from "../snapshot/snapshot-store.js";
import { copyWithDigest } from "./copy-with-digest.js";
import { MANIFEST_NAME, type Manifest, readManifest } from "./publication-manifest.js";

/** Suffix of a copy in progress inside `DATA_DIR/snapshots`; never a name the store lists. */
const COPY_SUFFIX = ".duckdb.copy";

/** What a replica knows about the publications it follows, for GetSyncStatus, /readyz and metrics. */
export interface FollowState {
  /** The newest publication the manifest named when last read. */
  readonly latest: Manifest | undefined;
  /** The publication being served, and when it started serving here. */
  readonly serving: { readonly manifest: Manifest; readonly servedAt: Date } | undefined;
  /** Why the last publication tried was not served ("" when the last one was taken). */
  readonly lastRefusal: string;
  /** When the manifest was last looked at. */
  readonly checkedAt: Date | undefined;
}

/**
 * A replica's side of scale-out: watches PUBLISH_DIR's manifest (file events, and a poll every
 * PUBLISH_POLL because events are not delivered on every network filesystem), copies a new
 * publication to the local DATA_DIR while hashing it, refuses a copy whose digest or size is not
 * the manifest's, and hands a good one to the store, which opens, warms and swaps it exactly as
 * after a local sync. A copy that fails (the file removed mid-copy, a full disk) is discarded and
 * the next look at the manifest tries again; a publication refused for its content is not tried
 * again until the manifest names another.
 */
export class ReplicaFollower {
  #latest: Manifest | undefined;
  #serving: FollowState["serving"];
  #lastRefusal = "";
  #checkedAt: Date | undefined;
  readonly #refused = new Set<string>();
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #stopped = false;

  constructor(
    private readonly dir: string,
    private readonly store: SnapshotStore,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  /** What the replica knows now. */
  get state(): FollowState {
    return {
      latest: this.#latest,
      serving: this.#serving,
      lastRefusal: this.#lastRefusal,
      checkedAt: this.#checkedAt,
    };
  }

  /**
   * Removes copies a killed replica left, notes what the store already serves (a restart serves
   * its last copy at once), then starts watching and polling. It does not wait for a copy: a
   * large one must not hold the listener (and the liveness probe) back.
   */
  async start(): Promise<void> {
    const names = await readdir(this.store.files.dir).catch(() => []);
    for (const name of names.filter((n) => n.endsWith(COPY_SUFFIX))) {
      await rm(join(this.store.files.dir, name), { force: true });
      this.log.warn({ file: name }, "removed a copy an earlier process left unfinished");
    }
    try {
      this.#watcher = watch(this.dir, (_event, name) => {
        if (name === null || name === MANIFEST_NAME) this.check();
      });
      this.#watcher.on("error", (err) => {
        this.log.warn({ err: String(err) }, "watching PUBLISH_DIR failed; polling only");
        this.#watcher?.close();
      });
    } catch (err) {
      this.log.warn({ err: String(err) }, "PUBLISH_DIR cannot be watched; polling only");
    }
    this.#timer = setInterval(() => this.check(), this.pollMs);
    this.#timer.unref();
    this.check();
  }

  /** Looks at the manifest now (again after the current look, if one is going). */
  check(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#follow().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.check();
      }
    });
  }

  /** Stops watching and waits for a copy in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watcher?.close();
    await this.#running;
  }

  async #follow(): Promise<void> {
    const found = await readManifest(this.dir);
    this.#checkedAt = new Date();
    if (found === undefined) return;
    if (typeof found === "string") {
      this.#refuse(undefined, found);
      return;
    }
    this.#latest = found;
    const live = this.store.live;
    if (live?.id === found.snapshotId) {
      this.store.confirm(found.dataAsOf);
      const since = this.#serving?.manifest.snapshotId === found.snapshotId;
      this.#serving = { manifest: found, servedAt: since ? this.#servedAt() : new Date() };
      return;
    }
    if (this.#refused.has(found.snapshotId)) return;
    await this.#take(found);
  }

  async #take(manifest: Manifest): Promise<void> {
    const id = manifest.snapshotId;
    const files = this.store.files;
    const copy = join(files.dir, `${id}${COPY_SUFFIX}`);
    const started = performance.now();
    let copied: { sha256: string; bytes: number };
    try {
      copied = await copyWithDigest(join(this.dir, manifest.file), copy);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const reason = `copying publication ${id} failed (${code}); it is tried again at the next look, and the next publication is taken`;
      if (reason !== this.#lastRefusal) this.log.warn({ snapshot: id, err: String(err) }, reason);
      this.#lastRefusal = reason;
      return;
    }
    if (copied.bytes !== manifest.bytes || copied.sha256 !== manifest.sha256) {
      await rm(copy, { force: true });
      this.#refuse(
        id,
        `publication ${id} does not match its manifest (${copied.bytes} bytes, expected ${manifest.bytes}; checksum ${copied.sha256 === manifest.sha256 ? "matches" : "differs"}); it is not served`,
      );
      return;
    }
    try {
      await rename(copy, files.pathOf(id));
      await writeDigest(files.digestPathOf(id), copied.sha256);
      await this.store.adopt(id);
    } catch (err) {
      await rm(copy, { force: true });
      await files.remove(id);
      this.#refuse(id, `publication ${id} cannot be opened (${String(err)}); it is not served`);
      return;
    }
    this.store.confirm(manifest.dataAsOf);
    this.#serving = { manifest, servedAt: new Date() };
    this.#lastRefusal = "";
    const lagMs = this.#serving.servedAt.getTime() - manifest.publishedAt.getTime();
    this.log.info(
      { snapshot: id, bytes: copied.bytes, copyMs: Math.round(performance.now() - started), lagMs },
      "serving the new publication",
    );
  }

  #servedAt(): Date {
    return this.#serving?.servedAt ?? new Date();
  }

  #refuse(id: string | undefined, reason: string): void {
    if (id !== undefined) this.#refused.add(id);
    if (this.#lastRefusal !== reason) this.log.error({ snapshot: id }, reason);
    this.#lastRefusal = reason;
  }
}
