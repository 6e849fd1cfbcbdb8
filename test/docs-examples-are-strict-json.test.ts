import { readFileSync } from "node:fs";
import { fromJsonString } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SERVICES } from "../src/server/server.js";
import { refuseUnknownJson } from "../src/server/strict-json.js";

// Connect JSON is read strictly (unknown fields and enum names are refused), so every request a
// person copies from the README or docs/ must be a valid request of the RPC it is sent to:
// each `-d '<json>'` example is checked against the method named by the URL that follows it.

const FILES = [
  "README.md",
  "docs/analytics.md",
  "docs/api-guide.md",
  "docs/data_sources.md",
  "docs/deployment.md",
];
const EXAMPLE = /-d '(\{[^']*\})'[\s\\]*?(?:\S+\s+)*?\S*\/(customeranalytics\.v1\.\w+)\/(\w+)/g;

const examples = FILES.flatMap((file) => {
  const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
  return [...text.matchAll(EXAMPLE)].map((m) => ({
    file,
    body: m[1] ?? "",
    service: m[2] ?? "",
    method: m[3] ?? "",
  }));
});

describe("the documented requests", () => {
  it("are found", () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((e) => [`${e.file}: ${e.method} ${e.body}`, e] as const))(
    "%s is a valid request",
    (_, e) => {
      const service = SERVICES.find((s) => s.typeName === e.service);
      const method = service?.methods.find((m) => m.name === e.method);
      expect(method, `${e.service}/${e.method}`).toBeDefined();
      if (method === undefined) return;
      expect(() => refuseUnknownJson(method.input, JSON.parse(e.body))).not.toThrow();
      expect(() =>
        fromJsonString(method.input, e.body, { ignoreUnknownFields: false }),
      ).not.toThrow();
    },
  );
});
