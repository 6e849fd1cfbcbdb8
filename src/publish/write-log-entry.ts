import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { BASE_SCHEMA, type BaseTableName } from "../schema/base-tables.js";
import type { WriteEffect } from "../write/row-writer.js";

/** The shared write log's folder inside PUBLISH_DIR. */
export const WRITE_LOG_DIR = "writes";

/** A segment's file name: `<writer id>.<sequence>.jsonl`; the writer id is letters, digits and `-`. */
export const SEGMENT_PATTERN = /^([A-Za-z0-9-]+)\.(\d{6})\.jsonl$/;

/**
 * A writer id unique to this process: its host (so an operator sees who wrote a segment), its
 * pid and a random part (pids repeat across restarts and containers).
 */
export function newWriterId(): string {
  const host = hostname().replace(/[^A-Za-z0-9-]/g, "-");
  return `${host}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** The name of segment number `sequence` of writer `writerId` (the one spelling of it). */
export function segmentName(writerId: string, sequence: number): string {
  return `${writerId}.${String(sequence).padStart(6, "0")}.jsonl`;
}

/** The line layout's version; a line of another is skipped (and logged) rather than guessed at. */
const ENTRY_FORMAT = 1;

/**
 * One confirmed write as the log carries it: every row it changed, with the time the source
 * confirmed it, exactly what the writer put in its own overlay. A write is one line, so a
 * reader applies all of its rows or none (a delete with its holdings stays atomic).
 */
export interface WriteLogEntry {
  readonly committedAt: Date;
  readonly effects: readonly WriteEffect[];
}

/** The line (with its newline) that records `entry`. */
export function encodeEntry(entry: WriteLogEntry): string {
  return `${JSON.stringify({
    format: ENTRY_FORMAT,
    committedAt: entry.committedAt.toISOString(),
    effects: entry.effects,
  })}\n`;
}

/**
 * The entry a complete line records, or a string saying why it is not one. Every field is
 * checked: a line is written by another process, possibly another version of this service.
 */
export function parseEntry(line: string): WriteLogEntry | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return "the line is not JSON";
  }
  if (typeof raw !== "object" || raw === null) return "the line is not an object";
  const m = raw as Record<string, unknown>;
  if (m.format !== ENTRY_FORMAT) return `the line's format is ${String(m.format)}, not 1`;
  const committedAt = typeof m.committedAt === "string" ? new Date(m.committedAt) : undefined;
  if (committedAt === undefined || Number.isNaN(committedAt.getTime())) {
    return "the line's committedAt is not a timestamp";
  }
  if (!Array.isArray(m.effects)) return "the line's effects are not a list";
  const effects: WriteEffect[] = [];
  for (const item of m.effects as unknown[]) {
    const effect = effectOf(item);
    if (effect === undefined) return "an effect of the line is not a written row";
    effects.push(effect);
  }
  return { committedAt, effects };
}

function effectOf(item: unknown): WriteEffect | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { table, key, row, owners } = item as Record<string, unknown>;
  if (typeof table !== "string" || !Object.hasOwn(BASE_SCHEMA, table) || typeof key !== "string") {
    return undefined;
  }
  if (!Array.isArray(owners) || !owners.every((o) => typeof o === "string")) return undefined;
  if (row !== null && !isRowValues(row)) return undefined;
  return { table: table as BaseTableName, key, row, owners: owners as string[] };
}

function isRowValues(row: unknown): row is Readonly<Record<string, string | null>> {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return false;
  return Object.values(row).every((v) => v === null || typeof v === "string");
}
