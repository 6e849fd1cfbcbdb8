import { describe, expect, it } from "vitest";
import { dayText, FIRST_DAY, LAST_DAY, NO_START, OPEN_END } from "../src/query/memory/cells.js";

// The in-memory answers print dates with civil-from-days arithmetic instead of a Date: every
// day the structures accept (0001-01-01 to 9999-12-31) must print exactly as toISOString does,
// which is how DuckDB prints a DATE.
describe("dates read from memory", () => {
  it("print every day from 0001-01-01 to 9999-12-31 as YYYY-MM-DD, as toISOString does", () => {
    let mismatches = 0;
    let first = "";
    for (let day = FIRST_DAY; day <= LAST_DAY; day++) {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const actual = dayText(day);
      if (actual !== expected) {
        mismatches++;
        if (first === "") first = `${day}: ${actual} instead of ${expected}`;
      }
    }
    expect(first).toBe("");
    expect(mismatches).toBe(0);
  });

  it("print the bounds, leap days and the epoch exactly", () => {
    expect(dayText(FIRST_DAY)).toBe("0001-01-01");
    expect(dayText(LAST_DAY)).toBe("9999-12-31");
    expect(dayText(0)).toBe("1970-01-01");
    expect(dayText(-1)).toBe("1969-12-31");
    expect(dayText(11_016)).toBe("2000-02-29");
    expect(dayText(-25_508)).toBe("1900-03-01");
  });

  it("print a NULL day as the empty string", () => {
    expect(dayText(NO_START)).toBe("");
    expect(dayText(OPEN_END)).toBe("");
  });
});
