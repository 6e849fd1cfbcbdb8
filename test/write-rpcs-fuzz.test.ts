import type { DescMethod, DescMethodUnary } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DATA_SERVICES } from "../src/server/auth/roles.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";
import { METHODS, REPLAY, SEED } from "./support/fuzz/fuzz-settings.js";
import { judge } from "./support/fuzz/fuzz-tally.js";
import { Rng } from "./support/fuzz-rng.js";
import {
  applyMutation,
  build,
  describeValue,
  randomInit,
  sweepMutations,
} from "./support/hostile-values.js";
import { BASIC_FIXTURE, startTestService, type TestService } from "./support/test-service.js";

// The write RPCs under hostile input, written through the real driver to the emulator: every
// a seeded sample of single-field mutations of a plausible request and random combinations,
// one at a time. Every
// answer must be an ordinary status (never INTERNAL or UNKNOWN, no stack, in time), and a
// request the service refused must leave the source exactly as it was: a malformed write never
// reaches Snowflake's tables. (A hostile-looking request that is valid may write; that is fine.)

/** Single-field mutations sent per write RPC (of some 150 each). */
const PER_METHOD = 40;

let emulator: EmulatorHandle;
let running: TestService;

const WRITES: readonly DescMethod[] = METHODS.filter(
  (m) => DATA_SERVICES.has(m.parent.typeName) && m.idempotency !== Idempotency.NO_SIDE_EFFECTS,
);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, dataDir: BASIC_FIXTURE });
  running = await startTestService({
    SOURCE: "snowflake",
    LOCAL_SOURCE_DIR: "",
    SNOWFLAKE_ACCOUNT: "emulator",
    SNOWFLAKE_USER: "analytics",
    SNOWFLAKE_PASSWORD: "emulator",
    SNOWFLAKE_DATABASE: "ANALYTICS",
    SNOWFLAKE_SCHEMA: "PUBLIC",
    SNOWFLAKE_ACCESS_URL: emulator.url,
    SYNC_AFTER_WRITES: "off",
  });
});

afterAll(async () => {
  await running?.close();
  await emulator?.close();
});

const CHECKSUM = ["customers", "products", "customer_products"]
  .map((t) => `SELECT '${t}' AS t, count(*)::VARCHAR AS n, sum(hash(x))::VARCHAR AS h FROM ${t} x`)
  .join(" UNION ALL ");

async function sourceChecksum(): Promise<string> {
  return JSON.stringify((await emulator.sql(`${CHECKSUM} ORDER BY t`)).rows);
}

it("covers the nine write RPCs", () => {
  expect(WRITES.map((m) => m.name)).toHaveLength(9);
});

it(`answers hostile writes with ordinary statuses and refuses them without writing (${REPLAY})`, async () => {
  const rng = new Rng(SEED);
  const transport = createGrpcTransport({ baseUrl: running.baseUrl });
  const cases: { method: DescMethod; init: Record<string, unknown>; what: string }[] = [];
  for (const method of WRITES) {
    const mutations = sweepMutations(method.input, rng);
    // A seeded sample keeps the run to seconds; another FUZZ_SEED samples other mutations.
    for (let i = 0; i < PER_METHOD && mutations.length > 0; i++) {
      const mutation = mutations.splice(rng.int(mutations.length), 1)[0] as (typeof mutations)[0];
      const what = `${mutation.path.map((f) => f.name).join(".")} = ${mutation.label}`;
      cases.push({ method, init: applyMutation(method.input, mutation), what });
    }
    for (let i = 0; i < 5; i++) {
      const init = randomInit(method.input, rng);
      cases.push({ method, init, what: describeValue(init) });
    }
  }
  const failures: string[] = [];
  let before = await sourceChecksum();
  let refused = 0;
  for (const { method, init, what } of cases) {
    const started = performance.now();
    let code: Code | undefined;
    let message = "";
    try {
      await transport.unary(
        method as DescMethodUnary,
        undefined,
        5_000,
        undefined,
        build(method.input, init),
      );
    } catch (err) {
      const error = ConnectError.from(err);
      code = error.code;
      message = error.rawMessage;
    }
    const problem = judge(code, message, performance.now() - started);
    const after = await sourceChecksum();
    if (problem !== undefined) failures.push(`${method.name} ${what}: ${problem}`);
    if (code !== undefined) {
      refused += 1;
      if (after !== before)
        failures.push(`${method.name} ${what}: refused (${Code[code]}) yet the source changed`);
    }
    before = after;
  }
  expect(failures, failures.slice(0, 20).join("\n")).toEqual([]);
  expect(refused).toBeGreaterThan(cases.length / 2);
});
