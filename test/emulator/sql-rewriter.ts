/**
 * Rewrites one Snowflake statement into DuckDB SQL by walking its tokens and applying the
 * table in `sql-translate.ts`. It also pulls out time-travel clauses (`AT`/`BEFORE`), which
 * the executor resolves, and renumbers bind placeholders to `$1…$n`.
 *
 * @module
 */
import { sqlStringLiteral } from "./http-util.js";
import { isOp, isSignificant, isWord, type Token } from "./sql-tokenizer.js";
import { FUNCTIONS_BY_NAME, type SessionNames, translateType } from "./sql-translate.js";

/** What the rewriter needs to know about the session and the database. */
export interface RewriteContext extends SessionNames {
  /** Lower-case names of the tables the emulator holds. */
  readonly tables: ReadonlySet<string>;
}

/** A `table AT(…)` / `table BEFORE(…)` clause taken out of the statement. */
export interface TimeTravelClause {
  /** The text standing for `table AT(…)` in {@link Rewritten.sql}. */
  readonly marker: string;
  /** Lower-case table name. */
  readonly table: string;
  readonly kind: "AT" | "BEFORE";
  readonly by: "TIMESTAMP" | "OFFSET" | "STATEMENT";
  /** The point-in-time expression as DuckDB SQL, with its own `$1…` placeholders. */
  readonly exprSql: string;
  /** For each placeholder of `exprSql`, the 0-based index of the original binding. */
  readonly params: readonly number[];
  /** Whether an alias follows the clause (else the executor adds `AS table`). */
  readonly hasAlias: boolean;
}

/** A rewritten statement. */
export interface Rewritten {
  /** DuckDB SQL with `$1…$n` placeholders and time-travel markers. */
  readonly sql: string;
  /** For each `$k` of `sql`, the 0-based index of the original binding. */
  readonly params: readonly number[];
  readonly timeTravel: readonly TimeTravelClause[];
  /** Identifiers written in double quotes (their case is kept in result column names). */
  readonly quotedIdentifiers: ReadonlySet<string>;
}

const PARAM_MARK = "\u0000P";
const END_MARK = "\u0000";
const NOT_ALIAS = new Set(
  (
    "WHERE JOIN INNER LEFT RIGHT FULL CROSS NATURAL ON USING GROUP ORDER LIMIT OFFSET UNION " +
    "EXCEPT INTERSECT MINUS HAVING QUALIFY WINDOW FETCH SAMPLE TABLESAMPLE LATERAL PIVOT " +
    "UNPIVOT ASOF POSITIONAL SEMI ANTI CHANGES SET VALUES RETURNING START CONNECT"
  ).split(" "),
);
const CAST_FUNCTIONS = new Set(["CAST", "TRY_CAST"]);

/** Rewrites the tokens of one statement (no top-level `;`). */
export function rewriteStatement(tokens: readonly Token[], context: RewriteContext): Rewritten {
  const rewriter = new Rewriter(tokens, context);
  const raw = rewriter.range(0, tokens.length, undefined);
  const { sql, params } = numberParams(raw);
  return {
    sql,
    params,
    timeTravel: rewriter.timeTravel,
    quotedIdentifiers: rewriter.quoted,
  };
}

/** Replaces parameter marks with `$1…` in order of first use; returns the binding order. */
function numberParams(raw: string): { sql: string; params: number[] } {
  const order: number[] = [];
  const sql = raw.replace(
    new RegExp(`${PARAM_MARK}(\\d+)${END_MARK}`, "g"),
    (_m, index: string) => {
      const original = Number(index);
      let position = order.indexOf(original);
      if (position < 0) position = order.push(original) - 1;
      return `$${position + 1}`;
    },
  );
  return { sql, params: order };
}

class Rewriter {
  readonly timeTravel: TimeTravelClause[] = [];
  readonly quoted = new Set<string>();
  private positional = 0;
  private readonly ddl: boolean;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly context: RewriteContext,
  ) {
    const first = tokens.find(isSignificant);
    this.ddl = isWord(first, "CREATE") || isWord(first, "ALTER");
  }

  /** Index of the first significant token at or after `i` (or `tokens.length`). */
  private next(i: number): number {
    let j = i;
    while (j < this.tokens.length && !isSignificant(this.tokens[j] as Token)) j++;
    return j;
  }

  /** Index of the last significant token before `i` (or -1). */
  private previous(i: number): number {
    let j = i - 1;
    while (j >= 0 && !isSignificant(this.tokens[j] as Token)) j--;
    return j;
  }

  /** Index of the `)` matching the `(` at `open` (or the end of input). */
  private closing(open: number): number {
    let depth = 0;
    for (let j = open; j < this.tokens.length; j++) {
      const t = this.tokens[j];
      if (isOp(t, "(")) depth++;
      else if (isOp(t, ")") && --depth === 0) return j;
    }
    return this.tokens.length;
  }

  /** Splits the tokens between `(` at `open` and its `)` at `close` into argument ranges. */
  private args(open: number, close: number): [number, number][] {
    const ranges: [number, number][] = [];
    let depth = 0;
    let start = open + 1;
    for (let j = open + 1; j < close; j++) {
      const t = this.tokens[j];
      if (isOp(t, "(")) depth++;
      else if (isOp(t, ")")) depth--;
      else if (depth === 0 && isOp(t, ",")) {
        ranges.push([start, j]);
        start = j + 1;
      }
    }
    if (ranges.length > 0 || this.next(start) < close) ranges.push([start, close]);
    return ranges;
  }

  /** Rewrites tokens `[start, end)`; `fn` is the function whose parentheses enclose them. */
  range(start: number, end: number, fn: string | undefined): string {
    let out = "";
    let i = start;
    while (i < end) {
      const t = this.tokens[i] as Token;
      if (!isSignificant(t)) {
        out += t.text;
        i++;
      } else if (t.kind === "string") {
        out += sqlStringLiteral(t.value);
        i++;
      } else if (t.kind === "param") {
        const index = t.value === "" ? this.positional++ : Number(t.value) - 1;
        out += `${PARAM_MARK}${index}${END_MARK}`;
        i++;
      } else if (isOp(t, "::")) {
        const type = this.type(this.next(i + 1), end);
        out += `::${type.text}`;
        i = type.end;
      } else if (isWord(t, "AS") && fn !== undefined && CAST_FUNCTIONS.has(fn)) {
        const type = this.type(this.next(i + 1), end);
        out += `${t.text} ${type.text}`;
        i = type.end;
      } else if (t.kind === "word" || t.kind === "quoted") {
        const word = this.word(i, end);
        out += word.text;
        i = word.end;
      } else {
        out += t.text;
        i++;
      }
    }
    return out;
  }

  /** Parses a type name at `i` and returns its DuckDB spelling and where it ends. */
  private type(i: number, end: number): { text: string; end: number } {
    const t = this.tokens[i];
    if (t === undefined || t.kind !== "word" || i >= end) return { text: "", end: i };
    let name = t.text;
    let after = i + 1;
    const following = this.next(after);
    if (isWord(t, "DOUBLE") && isWord(this.tokens[following], "PRECISION")) {
      name = "DOUBLE";
      after = following + 1;
    }
    const open = this.next(after);
    let args: string[] = [];
    let rawArgs = "";
    if (isOp(this.tokens[open], "(")) {
      const close = this.closing(open);
      args = this.args(open, close).map(([a, b]) => this.raw(a, b).trim());
      rawArgs = this.raw(open, close + 1);
      after = close + 1;
    }
    return { text: translateType(name, args) ?? `${name}${rawArgs}`, end: after };
  }

  private raw(start: number, end: number): string {
    return this.tokens
      .slice(start, end)
      .map((t) => t.text)
      .join("");
  }

  /** Handles a word: function call, qualified name, time travel, DDL type, or plain word. */
  private word(i: number, end: number): { text: string; end: number } {
    const t = this.tokens[i] as Token;
    const open = this.next(i + 1);
    const afterDot = isOp(this.tokens[this.previous(i)], ".");
    if (
      this.ddl &&
      t.kind === "word" &&
      !afterDot &&
      translateType(t.text, []) !== undefined &&
      this.typePosition(i)
    ) {
      return this.type(i, end);
    }
    if (t.kind === "word" && !afterDot && open < end && isOp(this.tokens[open], "(")) {
      return this.call(i, open);
    }
    if (t.kind === "quoted") this.quoted.add(t.value);
    const chain = this.chain(i, end);
    const names = chain.parts;
    const upper = names.map((n) => n.toUpperCase());
    if (upper.length >= 2 && upper.at(-2) === "INFORMATION_SCHEMA" && upper.at(-1) === "TABLES") {
      const database = names.length >= 3 ? (names.at(-3) as string) : this.context.database;
      const text = `emulator_internal.information_schema_tables(${sqlStringLiteral(database.toUpperCase())}, ${sqlStringLiteral(this.context.schema.toUpperCase())})`;
      return { text, end: chain.end };
    }
    const last = (names.at(-1) as string).toLowerCase();
    const isTable = this.context.tables.has(last) && !afterDot;
    const tableText = isTable && names.length > 1 ? (chain.lastText as string) : chain.text;
    if (isTable) {
      const clause = this.timeTravelClause(chain.end, end, last);
      if (clause !== undefined) return clause;
    }
    return { text: tableText, end: chain.end };
  }

  /** True when the word at `i` follows a column name in a column definition. */
  private typePosition(i: number): boolean {
    const prev = this.tokens[this.previous(i)];
    return (
      prev !== undefined && (prev.kind === "word" || prev.kind === "quoted") && !isWord(prev, "AS")
    );
  }

  /** Collects `a.b.c` starting at `i`. */
  private chain(
    i: number,
    end: number,
  ): { parts: string[]; text: string; lastText: string; end: number } {
    const first = this.tokens[i] as Token;
    const parts = [first.kind === "quoted" ? first.value : first.text];
    let text = first.text;
    let lastText = first.text;
    let j = i + 1;
    while (j < end) {
      const dot = this.next(j);
      const name = this.next(dot + 1);
      const candidate = this.tokens[name];
      if (!isOp(this.tokens[dot], ".") || candidate === undefined || name >= end) break;
      if (candidate.kind !== "word" && candidate.kind !== "quoted") break;
      if (candidate.kind === "quoted") this.quoted.add(candidate.value);
      parts.push(candidate.kind === "quoted" ? candidate.value : candidate.text);
      text += this.raw(j, name + 1);
      lastText = candidate.text;
      j = name + 1;
    }
    return { parts, text, lastText, end: j };
  }

  /** Rewrites a function call whose name is at `i` and `(` at `open`. */
  private call(i: number, open: number): { text: string; end: number } {
    const t = this.tokens[i] as Token;
    const name = t.text.toUpperCase();
    const close = this.closing(open);
    const translation = FUNCTIONS_BY_NAME.get(name);
    if (translation !== undefined) {
      const args = this.args(open, close).map(([a, b]) => this.range(a, b, name).trim());
      const text = translation.rewrite(args, this.context);
      if (text !== undefined) return { text, end: close + 1 };
    }
    const inner = this.range(open + 1, close, name);
    return { text: `${t.text}${this.raw(i + 1, open)}(${inner})`, end: close + 1 };
  }

  /** Takes `AT(…)`/`BEFORE(…)` after a table name ending at `after`, if present. */
  private timeTravelClause(
    after: number,
    end: number,
    table: string,
  ): { text: string; end: number } | undefined {
    const kwIndex = this.next(after);
    const kw = this.tokens[kwIndex];
    const kind = isWord(kw, "AT") ? "AT" : isWord(kw, "BEFORE") ? "BEFORE" : undefined;
    const open = this.next(kwIndex + 1);
    if (kind === undefined || !isOp(this.tokens[open], "(") || open >= end) return undefined;
    const byIndex = this.next(open + 1);
    const by = (this.tokens[byIndex]?.text ?? "").toUpperCase();
    const arrow = this.next(byIndex + 1);
    if (
      (by !== "TIMESTAMP" && by !== "OFFSET" && by !== "STATEMENT") ||
      !isOp(this.tokens[arrow], "=>")
    ) {
      return undefined;
    }
    const close = this.closing(open);
    const { sql: exprSql, params } = numberParams(this.range(arrow + 1, close, undefined).trim());
    const following = this.tokens[this.next(close + 1)];
    const hasAlias =
      following !== undefined &&
      (following.kind === "quoted" ||
        (following.kind === "word" && !NOT_ALIAS.has(following.text.toUpperCase())));
    const marker = `\u0000T${this.timeTravel.length}${END_MARK}`;
    this.timeTravel.push({ marker, table, kind, by, exprSql, params, hasAlias });
    return { text: marker, end: close + 1 };
  }
}
