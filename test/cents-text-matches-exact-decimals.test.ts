import { describe, expect, it } from "vitest";
import { centsText, decimalText, safeCentsText } from "../src/query/memory/cells.js";
import { Rng } from "./support/fuzz-rng.js";

// Money read from memory is printed from whole cents without a BigInt below 2^53: it must give
// exactly the DECIMAL text of the exact BigInt path (as DuckDB prints it) for every such value.
describe("cents printed from memory", () => {
  it("print as the exact BigInt path does, for edge and seeded values below 2^53", () => {
    const rng = new Rng(20261204);
    const values = [0, -0, 1, -1, 5, -5, 99, -99, 100, -100, 101, 123456, -123456];
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** rng.int(16);
      values.push((rng.chance(0.5) ? -1 : 1) * Math.floor(rng.int(1_000_000) * (magnitude / 1e6)));
    }
    for (const cents of values) {
      expect(safeCentsText(cents), String(cents)).toBe(decimalText(BigInt(cents)));
    }
    expect(safeCentsText(-5)).toBe("-0.05");
    expect(safeCentsText(123456)).toBe("1234.56");
  });

  it("keep NULL empty and sums past 2^53 exact", () => {
    expect(centsText(Number.NaN)).toBe("");
    expect(centsText(2 ** 60)).toBe(decimalText(2n ** 60n));
  });
});
