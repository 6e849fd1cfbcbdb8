import type { AnyDesc, DescFile } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";

/**
 * The leading comment of a proto element, as a description: comment markers and the one space
 * after them gone, lines kept, so what the proto author wrote is what a reader of /docs sees.
 */
export function describe(desc: Exclude<AnyDesc, DescFile>): string | undefined {
  const text = getComments(desc).leading;
  if (text === undefined) return undefined;
  const lines = text.split("\n").map((line) => (line.startsWith(" ") ? line.slice(1) : line));
  const joined = lines.join("\n").trim();
  return joined === "" ? undefined : joined;
}

/** Joins description parts that are present with a blank line, or undefined when none is. */
export function joinDescriptions(...parts: readonly (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== "");
  return present.length === 0 ? undefined : present.join("\n\n");
}
