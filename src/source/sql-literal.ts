/**
 * Writes `value` as a DuckDB string literal: wrapped in single quotes, each single quote doubled.
 * DuckDB's standard strings treat nothing else specially (a backslash is an ordinary character),
 * so the result always reads back as exactly `value`.
 *
 * It exists for the one place where a value cannot be bound: `SourceLoad.prepare` statements
 * run without parameters, yet must name the file they read. It is safe there because the only
 * values passed are file paths from the service's own configuration or code, never from a
 * request; request values reach SQL as bound parameters only (docs/architecture.md, "Rules the code keeps").
 */
export function sqlStringLiteral(value: string): string {
  if (value.includes("\u0000")) {
    throw new RangeError("a SQL string literal cannot hold a NUL character");
  }
  return `'${value.replaceAll("'", "''")}'`;
}
