import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/app-error.js";
import { type LiveRunner, ReadRouter, sharedQuestion } from "../src/query/read-router.js";
import { snowflakeUnavailable } from "../src/source/snowflake-errors.js";
import { startTestService, type TestService } from "./support/test-service.js";

// A failed live query reaches the caller as a short fixed reason from the error's kind, never
// as the error's own text: a Snowflake timeout names its user and URL in the log, not to the
// caller, and a fault of ours (a TypeError) is handed to the log and described only as such.

let running: TestService;

beforeAll(async () => {
  running = await startTestService();
});

afterAll(async () => {
  await running?.close();
});

const question = sharedQuestion((db, _args: undefined) => db.all("SELECT 1 AS one"));
const failing = (err: Error): LiveRunner => ({
  all: () => Promise.reject(err),
});

describe("the reason a caller is given for a failed live query", () => {
  it("is the kind and reason of a Snowflake failure, not its message", async () => {
    const err = snowflakeUnavailable(
      "timeout",
      "Snowflake timed out the statement for user bob at https://acme.snowflakecomputing.com",
    );
    const router = new ReadRouter(running.service.store, failing(err), 0);
    const cached = { freshness: "cached_allowed", maxStalenessMs: 0 } as const;
    const { meta } = await router.ask(question, undefined, cached);
    expect(meta.source).toBe("snapshot");
    expect(meta.fallbackReason).toContain(
      "the live source failed (snowflake unavailable: timeout)",
    );
    expect(meta.fallbackReason).not.toContain("bob");
    const live = { freshness: "live_required", maxStalenessMs: undefined } as const;
    const refused = await router.ask(question, undefined, live).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).kind).toBe("unavailable");
    expect((refused as AppError).message).toBe(
      "live data was required but the live source failed (snowflake unavailable: timeout)",
    );
  });

  it("never carries a fault's text; the fault goes to the log instead", async () => {
    const faults: unknown[] = [];
    const fault = new TypeError("Cannot read properties of undefined (reading 'rows') at /srv/x");
    const router = new ReadRouter(running.service.store, failing(fault), 0, Date.now, {
      onLiveFault: (e) => faults.push(e),
    });
    const { meta } = await router.ask(question, undefined, {
      freshness: "cached_allowed",
      maxStalenessMs: 0,
    });
    expect(meta.fallbackReason).toContain("the live source failed (internal error, logged)");
    expect(meta.fallbackReason).not.toMatch(/Cannot read|srv/);
    expect(faults).toEqual([fault]);
  });
});
