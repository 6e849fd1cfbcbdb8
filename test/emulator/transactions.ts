/**
 * Explicit transactions, as Snowflake runs them for one session: `BEGIN` (or `START
 * TRANSACTION`) opens one, the session's statements then run on one DuckDB connection inside
 * it (their changes invisible to other sessions until `COMMIT`), and `ROLLBACK` discards them.
 * An open transaction holds the database's write lock, so writes of other sessions wait for
 * it, exactly one of two conflicting writers commits first, and time travel sees the whole
 * transaction as one write. Closing the session rolls it back, and so does leaving it idle
 * for {@link IDLE_ROLLBACK_MS} (a client that died mid-transaction cannot hold the lock for
 * ever). Without `BEGIN`, every statement autocommits as before.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { EmulatorDatabase } from "./database.js";
import { isSignificant, isWord, type Token } from "./sql-tokenizer.js";

/** How long an open transaction may see no statement before the emulator rolls it back. */
export const IDLE_ROLLBACK_MS = 15_000;

/** One session's open transaction. */
export interface OpenTransaction {
  /** The connection every statement of the transaction runs on. */
  readonly connection: DuckDBConnection;
  /** Tables the transaction wrote, stamped in LAST_ALTERED when it commits. */
  readonly targets: Set<string>;
  /** Postpones the idle rollback: called before each statement. */
  touch(): void;
  /** Commits or rolls back; resolves once the write lock is released. */
  end(commit: boolean): Promise<void>;
}

/** The transaction-control verb a statement is, if it is one. */
export function transactionVerb(
  tokens: readonly Token[],
): "begin" | "commit" | "rollback" | undefined {
  const [first, second] = tokens.filter(isSignificant);
  if (isWord(first, "BEGIN") || (isWord(first, "START") && isWord(second, "TRANSACTION"))) {
    return "begin";
  }
  if (isWord(first, "COMMIT")) return "commit";
  if (isWord(first, "ROLLBACK")) return "rollback";
  return undefined;
}

class RolledBack extends Error {}

/**
 * Opens a transaction under the database's write lock; resolves once it holds the lock and
 * DuckDB's transaction has begun.
 */
export function beginTransaction(db: EmulatorDatabase): Promise<OpenTransaction> {
  return new Promise((resolveBegin, rejectBegin) => {
    const targets = new Set<string>();
    let decide: (commit: boolean) => void = () => undefined;
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => decide(false), IDLE_ROLLBACK_MS);
      idle.unref();
    };
    const finished = db.write(
      () => [...targets],
      false,
      async () => {
        const connection = await db.connect();
        try {
          await connection.run("BEGIN TRANSACTION");
          touch();
          resolveBegin({
            connection,
            targets,
            touch,
            async end(commit) {
              clearTimeout(idle);
              decide(commit);
              await finished.catch((error: unknown) => {
                if (!(error instanceof RolledBack)) throw error;
              });
            },
          });
          const commit = await decided;
          clearTimeout(idle);
          if (!commit) {
            await connection.run("ROLLBACK");
            throw new RolledBack("rolled back");
          }
          await connection.run("COMMIT");
        } finally {
          connection.closeSync();
        }
      },
    );
    finished.catch((error: unknown) => {
      if (!(error instanceof RolledBack)) rejectBegin(error);
    });
  });
}
