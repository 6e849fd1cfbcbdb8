/**
 * Statements the emulator answers itself instead of DuckDB: `USE …` (changes the session's
 * names) and `ALTER SESSION …` (accepted, ignored). Transaction control (`BEGIN`, `COMMIT`,
 * `ROLLBACK`) is run by `transactions.ts`.
 *
 * @module
 */
import type { QueryResult } from "./query-store.js";
import type { Session } from "./session-store.js";
import { isOp, isSignificant, isWord, type Token } from "./sql-tokenizer.js";
import { STATEMENT_TYPE_IDS, statusResult } from "./statement-kind.js";

const identifier = (token: Token | undefined): string | undefined => {
  if (token === undefined) return undefined;
  if (token.kind === "quoted") return token.value;
  if (token.kind === "word" || token.kind === "string") return token.value.toUpperCase();
  return undefined;
};

const OK = "Statement executed successfully.";

/** Answers a session statement, or returns undefined when `tokens` is not one. */
export function sessionStatement(
  tokens: readonly Token[],
  session: Session,
): QueryResult | undefined {
  const sig = tokens.filter(isSignificant);
  const [first, second] = sig;
  if (isWord(first, "USE")) {
    const kinds = ["WAREHOUSE", "DATABASE", "SCHEMA", "ROLE"];
    const kind = kinds.find((k) => isWord(second, k));
    const names = sig.slice(kind === undefined ? 1 : 2).filter((t) => !isOp(t, "."));
    const parts = names.map(identifier).filter((n): n is string => n !== undefined);
    if (kind === "WAREHOUSE" && parts[0] !== undefined) session.warehouse = parts[0];
    else if (kind === "ROLE" && parts[0] !== undefined) session.role = parts[0];
    else if (kind === "SCHEMA" && parts.length === 2) {
      session.database = parts[0] as string;
      session.schema = parts[1] as string;
    } else if (kind === "SCHEMA" && parts[0] !== undefined) session.schema = parts[0];
    else if (parts.length === 2) {
      session.database = parts[0] as string;
      session.schema = parts[1] as string;
    } else if (parts[0] !== undefined) session.database = parts[0];
    return statusResult(OK, STATEMENT_TYPE_IDS.use, "session");
  }
  if (isWord(first, "ALTER") && isWord(second, "SESSION")) {
    return statusResult(OK, STATEMENT_TYPE_IDS.session, "session");
  }
  return undefined;
}
