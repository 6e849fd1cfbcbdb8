import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { SnapshotInfo } from "../snapshot/snapshot.js";
import { readDigest, writeDigest } from "../snapshot/snapshot-checksum.js";
import type { SnapshotFiles } from "../snapshot/snapshot-files.js";
import { copyWithDigest } from "./copy-with-digest.js";
import { type Manifest, readManifest, writeManifest } from "./publication-manifest.js";

/**
 * Publications kept in PUBLISH_DIR: the one the manifest names and two before it, so that a
 * replica that read the previous manifest a moment ago still finds its file while it copies.
 */
const PUBLICATIONS_KEPT = 3;

/** What a publication did, for the log and the status. */
export interface Published {
  readonly manifest: Manifest;
  readonly ms: number;
}

/**
 * The syncer's side of scale-out: after each successful sync it copies the complete snapshot
 * file into PUBLISH_DIR (under a temporary name, fsynced, then renamed), writes its checksum
 * beside it, and only then replaces the manifest, so that a replica never sees a manifest
 * naming a file that is not whole. Older publications beyond {@link PUBLICATIONS_KEPT} are
 * removed. One publication runs at a time; a request made meanwhile runs after it.
 */
export class Publisher {
  #chain: Promise<unknown> = Promise.resolve();
  #last: Manifest | undefined;

  constructor(
    private readonly dir: string,
    private readonly files: SnapshotFiles,
    private readonly log: Logger,
  ) {}

  /** The last manifest this process wrote or found at start-up. */
  get last(): Manifest | undefined {
    return this.#last;
  }

  /** Makes the directory and reads the manifest already there (a restarted syncer's). */
  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found = await readManifest(this.dir);
    if (typeof found === "object") this.#last = found;
  }

  /**
   * Publishes `info` (the live snapshot) unless the manifest already names it; then only its
   * `dataAsOf` is brought forward, which is how a sync that found the source unchanged tells
   * replicas that their snapshot is still current. Never rejects: a failure is logged and the
   * next sync publishes again.
   */
  publish(info: SnapshotInfo): Promise<Published | undefined> {
    const next = this.#chain.then(() => this.#publish(info));
    this.#chain = next.catch(() => undefined);
    return next.catch((err: unknown) => {
      this.log.error({ snapshot: info.id, err: String(err) }, "publishing the snapshot failed");
      return undefined;
    });
  }

  async #publish(info: SnapshotInfo): Promise<Published> {
    const started = performance.now();
    const last = this.#last;
    if (last?.snapshotId === info.id) {
      if (info.dataAsOf.getTime() > last.dataAsOf.getTime()) {
        const confirmed = { ...last, dataAsOf: info.dataAsOf };
        await writeManifest(this.dir, confirmed);
        this.#last = confirmed;
      }
      return { manifest: this.#last ?? last, ms: performance.now() - started };
    }
    const file = `${info.id}.duckdb`;
    const target = join(this.dir, file);
    const partial = join(this.dir, `.${file}.${process.pid}.partial`);
    const copied = await copyWithDigest(this.files.pathOf(info.id), partial);
    const sealed = await readDigest(this.files.digestPathOf(info.id));
    if (sealed !== undefined && sealed !== copied.sha256) {
      await rm(partial, { force: true });
      throw new Error(`snapshot ${info.id} changed while it was copied; not published`);
    }
    await rename(partial, target);
    await writeDigest(`${target}.sha256`, copied.sha256);
    const manifest: Manifest = {
      snapshotId: info.id,
      file,
      sha256: copied.sha256,
      bytes: copied.bytes,
      publishedAt: new Date(),
      dataAsOf: info.dataAsOf,
      sourceIdentity: info.sourceIdentity,
    };
    await writeManifest(this.dir, manifest);
    this.#last = manifest;
    await this.#prune(info.id);
    const ms = performance.now() - started;
    this.log.info({ snapshot: info.id, bytes: copied.bytes, ms: Math.round(ms) }, "published");
    return { manifest, ms };
  }

  /** Removes publications older than the newest {@link PUBLICATIONS_KEPT}, and stray partials. */
  async #prune(current: string): Promise<void> {
    const names = await readdir(this.dir);
    const ids = names
      .filter((name) => /^s\d{8}T\d{9}Z-[0-9a-f]{6}\.duckdb$/.test(name))
      .map((name) => name.slice(0, -".duckdb".length))
      .filter((id) => id !== current)
      .sort()
      .reverse();
    for (const old of ids.slice(PUBLICATIONS_KEPT - 1)) {
      await rm(join(this.dir, `${old}.duckdb.sha256`), { force: true });
      await rm(join(this.dir, `${old}.duckdb`), { force: true });
    }
    for (const name of names.filter((n) => n.endsWith(".partial"))) {
      // A partial of a syncer that died mid-copy; an hour is far beyond any copy's time.
      const path = join(this.dir, name);
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 3600_000) await rm(path, { force: true });
    }
  }
}
