import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../../config.js";
import { readKeyFile } from "./read-key-file.js";
import { type Principal, type Role, roleOf } from "./roles.js";

/** One API key as the service holds it: a name to log, a role, and the key's SHA-256 only. */
export interface ApiKeyEntry {
  readonly name: string;
  readonly role: Role;
  readonly hash: Buffer;
}

const NAME = /^[A-Za-z0-9._@:-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses an `API_KEYS_FILE`: a JSON array of `{ "name", "role", "sha256" }`, where `sha256` is
 * the hex SHA-256 of the key (`printf %s "$KEY" | sha256sum`). The file never holds a key, so
 * reading it, backing it up or leaking it does not give anyone access. Errors name the file
 * and the entry, never a value from it.
 */
export function parseApiKeys(text: string, file: string): ApiKeyEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`API_KEYS_FILE ${file} is not valid JSON`);
  }
  if (!Array.isArray(data)) {
    throw new ConfigError(
      `API_KEYS_FILE ${file} must be a JSON array of {"name", "role", "sha256"} objects`,
    );
  }
  const names = new Set<string>();
  const hashes = new Set<string>();
  return data.map((item: unknown, index) => {
    const where = `API_KEYS_FILE ${file}, entry ${index}`;
    if (typeof item !== "object" || item === null)
      throw new ConfigError(`${where} is not an object`);
    const { name, role, sha256 } = item as Record<string, unknown>;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new ConfigError(`${where}: "name" must be 1 to 64 of A-Z a-z 0-9 . _ @ : -`);
    }
    const parsedRole = roleOf(role);
    if (parsedRole === undefined)
      throw new ConfigError(`${where} (${name}): "role" must be reader or admin`);
    const hex = typeof sha256 === "string" ? sha256.toLowerCase() : "";
    if (!SHA256_HEX.test(hex)) {
      throw new ConfigError(
        `${where} (${name}): "sha256" must be 64 hex digits, the key's SHA-256`,
      );
    }
    if (names.has(name)) throw new ConfigError(`${where}: the name ${name} appears twice`);
    if (hashes.has(hex)) throw new ConfigError(`${where} (${name}): the same key appears twice`);
    names.add(name);
    hashes.add(hex);
    return { name, role: parsedRole, hash: Buffer.from(hex, "hex") };
  });
}

/**
 * The API keys the service accepts, from one file, reloadable while running (SIGHUP). A
 * reload that fails leaves the keys as they were: a typo in the file must not lock every
 * caller out, nor let anyone in.
 */
export class ApiKeys {
  #entries: readonly ApiKeyEntry[];

  private constructor(
    readonly file: string,
    entries: readonly ApiKeyEntry[],
  ) {
    this.#entries = entries;
  }

  /** Reads and parses `file`; throws {@link ConfigError} when it is missing or malformed. */
  static async load(file: string): Promise<ApiKeys> {
    return new ApiKeys(file, await readEntries(file));
  }

  /** How many keys are accepted now. */
  get size(): number {
    return this.#entries.length;
  }

  /** Re-reads the file; on any error throws and keeps the current keys. */
  async reload(): Promise<number> {
    this.#entries = await readEntries(this.file);
    return this.#entries.length;
  }

  /**
   * The principal whose key is `key`, or undefined. The key is hashed and compared with every
   * entry in constant time, without stopping at a match, so neither the comparison nor the
   * position of a key in the file shows in the response time.
   */
  verify(key: string): Principal | undefined {
    const hash = createHash("sha256").update(key, "utf8").digest();
    let found: ApiKeyEntry | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(hash, entry.hash) && found === undefined) found = entry;
    }
    return found === undefined ? undefined : { name: found.name, role: found.role, via: "api-key" };
  }
}

async function readEntries(file: string): Promise<ApiKeyEntry[]> {
  const text = await readKeyFile("API_KEYS_FILE", file);
  return parseApiKeys(text, file);
}
