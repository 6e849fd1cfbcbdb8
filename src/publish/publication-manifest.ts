import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";

/** The manifest's name in PUBLISH_DIR: the one file a replica watches. */
export const MANIFEST_NAME = "manifest.json";

/** The manifest's layout version; a replica refuses a manifest of another. */
const MANIFEST_FORMAT = 1;

/**
 * What the syncer says it published last. The manifest is replaced whole by rename, after the
 * file and its checksum it names are complete, so a replica that reads it always reads a
 * publication that was finished when the manifest was written.
 */
export interface Manifest {
  readonly snapshotId: string;
  /** The snapshot file's name inside PUBLISH_DIR (`<id>.duckdb`). */
  readonly file: string;
  /** SHA-256 of the file, hex; a copy that does not match is refused. */
  readonly sha256: string;
  readonly bytes: number;
  readonly publishedAt: Date;
  /** When the snapshot's data was true at the source (its data_as_of, or a later confirmation). */
  readonly dataAsOf: Date;
  readonly sourceIdentity: string;
}

/** The manifest path inside `dir`. */
export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_NAME);
}

/** Writes the manifest durably: a temporary file, fsync, then rename over the old one. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const tmp = join(dir, `.${MANIFEST_NAME}.${process.pid}.tmp`);
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(
      `${JSON.stringify({
        format: MANIFEST_FORMAT,
        ...manifest,
        publishedAt: manifest.publishedAt.toISOString(),
        dataAsOf: manifest.dataAsOf.toISOString(),
      })}\n`,
    );
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, manifestPath(dir));
}

/**
 * The manifest in `dir`: `undefined` when there is none yet, a string saying what is wrong
 * when it cannot be used (a replica logs it and keeps serving what it has).
 */
export async function readManifest(dir: string): Promise<Manifest | string | undefined> {
  let text: string;
  try {
    text = await readFile(manifestPath(dir), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    return `the manifest cannot be read (${code ?? String(err)})`;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "the manifest is not JSON";
  }
  return parseManifest(raw);
}

/** Checks every field of a parsed manifest; a string says which one is wrong. */
function parseManifest(raw: unknown): Manifest | string {
  if (typeof raw !== "object" || raw === null) return "the manifest is not an object";
  const m = raw as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return `the manifest's format is ${String(m.format)}, not 1`;
  const { snapshotId, file, sha256, bytes, sourceIdentity } = m;
  if (typeof snapshotId !== "string" || !/^s\d{8}T\d{9}Z-[0-9a-f]{6}$/.test(snapshotId)) {
    return "the manifest's snapshotId is not a snapshot id";
  }
  if (file !== `${snapshotId}.duckdb`) return "the manifest's file does not name its snapshot";
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    return "the manifest's sha256 is not a SHA-256 digest";
  }
  if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes <= 0) {
    return "the manifest's bytes is not a positive whole number";
  }
  const publishedAt = dateOf(m.publishedAt);
  const dataAsOf = dateOf(m.dataAsOf);
  if (publishedAt === undefined || dataAsOf === undefined) {
    return "the manifest's publishedAt or dataAsOf is not a timestamp";
  }
  return {
    snapshotId,
    file,
    sha256,
    bytes,
    publishedAt,
    dataAsOf,
    sourceIdentity: typeof sourceIdentity === "string" ? sourceIdentity : "",
  };
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
