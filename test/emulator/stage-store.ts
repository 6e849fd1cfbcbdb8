/**
 * Named internal stages: a directory per stage under one temporary root, so `COPY INTO @stage`
 * writes real Parquet files that `LIST` and `REMOVE` see and the download route serves. A
 * temporary stage belongs to the session that created it (other sessions do not see it) and
 * goes when that session closes, as in Snowflake.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { SnowflakeError } from "./types.js";

/** One stage. */
interface Stage {
  /** Upper-case name, as Snowflake stores an unquoted identifier. */
  readonly name: string;
  /** The session id of a temporary stage; undefined for a permanent one. */
  readonly sessionId: number | undefined;
  readonly dir: string;
}

/** One file on a stage, as `LIST` reports it. */
export interface StageFile {
  /** `<stage name, lower case>/<path>`, Snowflake's form for internal stages. */
  readonly name: string;
  /** The path below the stage's root. */
  readonly path: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly fullPath: string;
}

/** The access a download token grants: one stage, for a limited time. */
interface Grant {
  readonly stage: Stage;
  readonly expiresAt: number;
}

const DOES_NOT_EXIST = (name: string) =>
  new SnowflakeError({
    code: "002003",
    sqlState: "02000",
    type: "COMPILATION",
    message: `SQL compilation error:\nStage '${name}' does not exist or not authorized.`,
  });

/** Every stage of an emulator, with the tokens that let the download route serve their files. */
export class StageStore {
  readonly root = mkdtempSync(join(tmpdir(), "emulator-stages-"));
  readonly #stages = new Map<string, Stage>();
  readonly #grants = new Map<string, Grant>();

  /** Creates a stage (`CREATE [OR REPLACE] [TEMPORARY] STAGE [IF NOT EXISTS]`). */
  create(
    name: string,
    options: { temporary: boolean; replace: boolean; ifNotExists: boolean; sessionId: number },
  ): string {
    const existing = this.#stages.get(name);
    if (existing !== undefined && options.ifNotExists) {
      return `${name} already exists, statement succeeded.`;
    }
    if (existing !== undefined && !options.replace) {
      throw new SnowflakeError({
        code: "002002",
        sqlState: "42710",
        type: "COMPILATION",
        message: `SQL compilation error:\nObject '${name}' already exists.`,
      });
    }
    if (existing !== undefined) this.#drop(existing);
    const dir = join(this.root, `${name}-${randomBytes(4).toString("hex")}`);
    mkdirSync(dir, { recursive: true });
    this.#stages.set(name, {
      name,
      sessionId: options.temporary ? options.sessionId : undefined,
      dir,
    });
    return `Stage area ${name} successfully created.`;
  }

  /** Drops a stage and its files (`DROP STAGE [IF EXISTS]`). */
  drop(name: string, ifExists: boolean, sessionId: number): string {
    const stage = this.#stages.get(name);
    if (stage === undefined || !visible(stage, sessionId)) {
      if (ifExists) return "Drop statement executed successfully (stage already dropped).";
      throw DOES_NOT_EXIST(name);
    }
    this.#drop(stage);
    return `${name} successfully dropped.`;
  }

  /** Drops the temporary stages of a session that has ended. */
  endSession(sessionId: number): void {
    for (const stage of this.#stages.values()) {
      if (stage.sessionId === sessionId) this.#drop(stage);
    }
  }

  /** The directory a stage path maps to (created), refusing paths that climb out of the stage. */
  directory(name: string, path: string, sessionId: number): string {
    const stage = this.#lookup(name, sessionId);
    const dir = inside(stage.dir, path);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The files below `path` whose `LIST` name matches `pattern` (whole-name match). */
  list(name: string, path: string, pattern: string | undefined, sessionId: number): StageFile[] {
    const stage = this.#lookup(name, sessionId);
    const matcher = pattern === undefined ? undefined : new RegExp(`^(?:${pattern})$`, "i");
    const base = inside(stage.dir, "");
    const files: StageFile[] = [];
    for (const fullPath of walk(base)) {
      const rel = relative(base, fullPath).split(sep).join("/");
      if (!rel.startsWith(path)) continue;
      const listed = `${stage.name.toLowerCase()}/${rel}`;
      if (matcher !== undefined && !matcher.test(listed)) continue;
      const info = statSync(fullPath);
      files.push({
        name: listed,
        path: rel,
        size: info.size,
        lastModified: info.mtime,
        fullPath,
      });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A token the download route accepts for `name`'s files for the next hour. */
  grant(name: string, sessionId: number): string {
    const stage = this.#lookup(name, sessionId);
    const token = randomBytes(18).toString("hex");
    this.#grants.set(token, { stage, expiresAt: Date.now() + 3_600_000 });
    return token;
  }

  /** The file a download request names, when `token` grants its stage; undefined otherwise. */
  served(token: string | undefined, stageDir: string, path: string): string | undefined {
    const grant = token === undefined ? undefined : this.#grants.get(token);
    if (grant === undefined || grant.expiresAt < Date.now()) return undefined;
    if (this.#stages.get(grant.stage.name) !== grant.stage) return undefined;
    if (stageDir !== dirName(grant.stage)) return undefined;
    return inside(grant.stage.dir, path);
  }

  /** The directory name a stage's files are served under (the GCS "bucket path"). */
  servedName(name: string, sessionId: number): string {
    return dirName(this.#lookup(name, sessionId));
  }

  /** Every file on every stage (for tests checking that a sync cleaned up). */
  allFiles(): string[] {
    const files: string[] = [];
    for (const stage of this.#stages.values()) {
      for (const file of walk(stage.dir)) {
        files.push(`${stage.name}/${relative(stage.dir, file).split(sep).join("/")}`);
      }
    }
    return files.sort();
  }

  /** Removes every stage and the root directory. */
  close(): void {
    rmSync(this.root, { recursive: true, force: true });
    this.#stages.clear();
    this.#grants.clear();
  }

  #lookup(name: string, sessionId: number): Stage {
    const stage = this.#stages.get(name);
    if (stage === undefined || !visible(stage, sessionId)) throw DOES_NOT_EXIST(name);
    return stage;
  }

  #drop(stage: Stage): void {
    rmSync(stage.dir, { recursive: true, force: true });
    this.#stages.delete(stage.name);
  }
}

const visible = (stage: Stage, sessionId: number): boolean =>
  stage.sessionId === undefined || stage.sessionId === sessionId;

const dirName = (stage: Stage): string => stage.dir.slice(stage.dir.lastIndexOf(sep) + 1);

/** `path` resolved below `dir`; a path that would leave it is an error. */
function inside(dir: string, path: string): string {
  const target = resolve(dir, path);
  if (target !== dir && !target.startsWith(`${dir}${sep}`)) {
    throw new SnowflakeError({
      code: "001003",
      sqlState: "42000",
      type: "COMPILATION",
      message: `SQL compilation error:\ninvalid stage path '${path}'`,
    });
  }
  return target;
}

/** Every file below `dir`, depth first. */
function* walk(dir: string): Generator<string> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}
