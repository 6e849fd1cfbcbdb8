import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SERVICE_MAIN } from "./support/build-service.js";
import { BASIC_FIXTURE } from "./support/test-service.js";

// A DATA_DIR the process may not write (a root-owned bind mount, or the arbitrary UID
// OpenShift assigns) stops start-up with a configuration error that names DATA_DIR and the
// fix, exit code 2, instead of an EACCES stack trace from deep in the snapshot store.
// The folders are owned by this user with no write bit; as root, which ignores permission
// bits, the service runs as the unprivileged `nobody` (65534) so the refusal is real.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65_534;
const base = mkdtempSync(join(tmpdir(), "ca-readonly-"));
chmodSync(base, 0o755);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** Starts the compiled service on `dataDir` and returns how it ended (it should not start). */
function start(dataDir: string): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [SERVICE_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: tmpdir(),
      HOST: "127.0.0.1",
      PORT: "0",
      SOURCE: "local",
      LOCAL_SOURCE_DIR: BASIC_FIXTURE,
      DATA_DIR: dataDir,
    },
    encoding: "utf8",
    timeout: 20_000,
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** A folder nobody but root may write: mode 0555 (or 0755 owned by root, run as nobody). */
function readOnlyDir(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, AS_ROOT ? 0o755 : 0o555);
  return path;
}

describe("a DATA_DIR the service cannot write", () => {
  it("is a configuration error naming DATA_DIR and the fix, exit 2, no stack", () => {
    const dataDir = readOnlyDir(join(base, "data"));
    const { code, out } = start(dataDir);
    expect(code, out).toBe(2);
    expect(out).toContain(`configuration error: DATA_DIR ${dataDir} is not writable`);
    expect(out).toMatch(/EACCES|EPERM/);
    expect(out).toContain("set DATA_DIR to a writable directory");
    expect(out).not.toMatch(/^\s+at /m);
  });

  it("names DATA_DIR too when only the snapshots folder below it is not writable", () => {
    const dataDir = join(base, "partly");
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o777);
    readOnlyDir(join(dataDir, "snapshots"));
    const { code, out } = start(dataDir);
    expect(code, out).toBe(2);
    expect(out).toContain(`DATA_DIR ${dataDir} is not writable`);
    expect(out).toContain(join(dataDir, "snapshots"));
    expect(out).not.toMatch(/^\s+at /m);
  });
});
