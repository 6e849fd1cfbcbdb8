/**
 * A small lexer for Snowflake SQL, enough for the emulator's translation to DuckDB: it knows
 * string literals (with Snowflake's backslash escapes and `$$…$$`), quoted identifiers,
 * comments, numbers, words, bind placeholders and operators. Joining every token's `text`
 * gives back the input exactly.
 *
 * @module
 */

/** What a token is. `ws` and `comment` are insignificant for matching. */
export type TokenKind = "ws" | "comment" | "string" | "quoted" | "number" | "word" | "param" | "op";

/** One lexical token. */
export interface Token {
  readonly kind: TokenKind;
  /** The exact source text. */
  readonly text: string;
  /**
   * For `string`: the decoded content. For `quoted`: the identifier without quotes. For
   * `param`: the 1-based bind number for `:N`/`$N`, or `""` for `?`. Otherwise the text.
   */
  readonly value: string;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  "0": "\0",
};

const TWO_CHAR_OPS = new Set(["::", "=>", "<=", ">=", "<>", "!=", "||", "->"]);

/** Splits SQL into tokens. Unterminated strings or comments run to the end of the input. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value: value ?? text });
  };
  while (i < n) {
    const c = sql.charAt(i);
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql.charAt(i))) i++;
      push("ws", start, i);
    } else if (c === "-" && sql.charAt(i + 1) === "-") {
      while (i < n && sql.charAt(i) !== "\n") i++;
      push("comment", start, i);
    } else if (c === "/" && sql.charAt(i + 1) === "/") {
      while (i < n && sql.charAt(i) !== "\n") i++;
      push("comment", start, i);
    } else if (c === "/" && sql.charAt(i + 1) === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      push("comment", start, i);
    } else if (c === "'") {
      const { end, value } = readSingleQuoted(sql, i);
      i = end;
      push("string", start, i, value);
    } else if (c === "$" && sql.charAt(i + 1) === "$") {
      const end = sql.indexOf("$$", i + 2);
      i = end < 0 ? n : end + 2;
      push("string", start, i, sql.slice(start + 2, end < 0 ? n : end));
    } else if (c === '"') {
      let value = "";
      i++;
      while (i < n) {
        const ch = sql.charAt(i);
        if (ch === '"' && sql.charAt(i + 1) === '"') {
          value += '"';
          i += 2;
        } else if (ch === '"') {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      push("quoted", start, i, value);
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql.charAt(i + 1)))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i));
      i += match?.[0].length ?? 1;
      push("number", start, i);
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(sql.charAt(i))) i++;
      push("word", start, i);
    } else if (c === "?") {
      i++;
      push("param", start, i, "");
    } else if ((c === ":" || c === "$") && /[0-9]/.test(sql.charAt(i + 1))) {
      i++;
      while (i < n && /[0-9]/.test(sql.charAt(i))) i++;
      push("param", start, i, sql.slice(start + 1, i));
    } else if (TWO_CHAR_OPS.has(sql.slice(i, i + 2))) {
      i += 2;
      push("op", start, i);
    } else {
      i++;
      push("op", start, i);
    }
  }
  return tokens;
}

function readSingleQuoted(sql: string, from: number): { end: number; value: string } {
  let i = from + 1;
  let value = "";
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (ch === "\\" && i + 1 < sql.length) {
      const next = sql.charAt(i + 1);
      value += SIMPLE_ESCAPES[next] ?? next;
      i += 2;
    } else if (ch === "'" && sql.charAt(i + 1) === "'") {
      value += "'";
      i += 2;
    } else if (ch === "'") {
      return { end: i + 1, value };
    } else {
      value += ch;
      i++;
    }
  }
  return { end: i, value };
}

/** True for tokens that matter to the grammar (not whitespace or comments). */
export function isSignificant(token: Token): boolean {
  return token.kind !== "ws" && token.kind !== "comment";
}

/** True when `token` is the word `word` (case-insensitive). */
export function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === "word" && token.text.toUpperCase() === word;
}

/** True when `token` is the operator or punctuation `op`. */
export function isOp(token: Token | undefined, op: string): boolean {
  return token?.kind === "op" && token.text === op;
}

/**
 * Splits a token list into statements at top-level `;`, dropping statements that hold only
 * whitespace and comments.
 */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (isOp(token, ";")) {
      statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  statements.push(current);
  return statements.filter((statement) => statement.some(isSignificant));
}
