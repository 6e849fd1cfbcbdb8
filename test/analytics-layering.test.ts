import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The analytics slices sit below the query layer and beside the sync: the query layer reads a
// slice's serving SQL and constants, the sync runs its builds, and a slice itself knows only the
// snapshot (and the base-table schema). An import against that direction would let a change to
// the sync or the API break an analytic again, as it did when src/query imported src/sync.

const SRC = fileURLToPath(new URL("../src", import.meta.url));

/** Each source file below `folder` with the src-relative paths or packages it imports. */
function importsBelow(folder: string): { file: string; imports: string[] }[] {
  return readdirSync(join(SRC, folder), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => {
      const path = join(SRC, folder, f);
      const specifiers = [...readFileSync(path, "utf8").matchAll(/from\s+"([^"]+)"/g)].map(
        (m) => m[1] ?? "",
      );
      const imports = specifiers.map((s) =>
        s.startsWith(".") ? relative(SRC, resolve(dirname(path), s)) : s,
      );
      return { file: join(folder, f), imports };
    });
}

function offending(folder: string, forbidden: RegExp): string[] {
  return importsBelow(folder).flatMap(({ file, imports }) =>
    imports.filter((i) => forbidden.test(i)).map((i) => `${file} imports ${i}`),
  );
}

describe("the analytics layering", () => {
  it("finds the files it checks", () => {
    expect(importsBelow("analytics").length).toBeGreaterThan(20);
    expect(importsBelow("query").length).toBeGreaterThan(10);
  });

  it("keeps the query layer off the sync", () => {
    expect(offending("query", /^(sync|api|server)\//)).toEqual([]);
  });

  it("keeps the analytics slices off the query, sync and API layers, Connect and gen/", () => {
    expect(
      offending("analytics", /^(query|sync|api|server|web)\/|^\.\.\/gen\/|^@connectrpc\//),
    ).toEqual([]);
  });
});
