import { readFile } from "node:fs/promises";
import { ConfigError } from "../../config.js";

/**
 * The text of the key file a setting names (API_KEYS_FILE, JWT_JWKS_FILE). A file that cannot
 * be read is a configuration error naming the setting, the file and the reason (ENOENT,
 * EACCES), never a stack, so both key files fail at start-up in the same words.
 */
export async function readKeyFile(setting: string, file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${setting} ${file} cannot be read (${code})`);
  }
}
