import { type DescMethod, fromBinary, type Message, toJsonString } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Rng } from "../fuzz-rng.js";
import { build } from "../hostile-values.js";
import { envelope, grpcStatus, h2, http1, type RawAnswer } from "../raw-rpc.js";
import { encodable, invoke, type Outcome, type Protocol } from "./fuzz-protocols.js";
import {
  CALL_TIMEOUT_MS,
  connectDeadline,
  ENDLESS,
  grpcDeadline,
  HANG_SLACK_MS,
  type Job,
  LONE_SURROGATE,
  pathOf,
  STACK,
} from "./fuzz-settings.js";
import { type FuzzTally, judge } from "./fuzz-tally.js";
import type { FuzzTarget } from "./fuzz-target.js";

/** Where cases go and where their verdicts are recorded. */
export interface CaseContext {
  readonly target: FuzzTarget;
  readonly tally: FuzzTally;
}

/** Options of a typed case beyond its request. */
export interface TypedOptions {
  /** The protocols it may travel over (the target's by default). */
  readonly using?: readonly Protocol[];
  readonly headers?: Record<string, string>;
  /** A further check of the outcome: the problem, if any. */
  readonly expect?: (outcome: Outcome) => string | undefined;
}

/** One call of `method` with the request `init`, through a protocol the message can travel. */
export function typedCase(
  ctx: CaseContext,
  category: string,
  method: DescMethod,
  init: Record<string, unknown>,
  rng: Rng,
  what: string,
  options: TypedOptions = {},
): Job {
  const cancelEarly = rng.chance(0.3);
  const choice = rng.next();
  const { tally } = ctx;
  return async () => {
    const where = `${method.parent.name}/${method.name} ${what}`;
    let message: Message;
    try {
      message = build(method.input, init);
    } catch (err) {
      tally.fail(category, where, `the request could not be built: ${String(err)}`);
      return;
    }
    const can = encodable(method.input, message);
    // Lone surrogates survive only JSON (binary encoders turn them into U+FFFD): send those
    // cases as JSON so they reach the server as they are.
    const jsonOnly = can.json && LONE_SURROGATE.test(toJsonString(method.input, message));
    const usable = (options.using ?? ctx.target.protos).filter((p) =>
      p.json ? can.json : can.binary && !jsonOnly,
    );
    const protocol = usable[Math.floor(choice * usable.length)];
    if (protocol === undefined) {
      tally.count("unsendable (no client encoding accepts it)");
      return;
    }
    tally.count(category);
    const outcome = await invoke(
      protocol.transport,
      method,
      message,
      options.headers ?? {},
      cancelEarly,
    );
    tally.tallyCode(outcome.code);
    const problem =
      judge(outcome.code, outcome.message, outcome.ms) ?? options.expect?.(outcome) ?? undefined;
    if (problem !== undefined) tally.fail(category, `${protocol.name} ${where}`, problem);
  };
}

/** The kinds of raw answer a case expects. */
export type RawKind = "connect" | "connect-stream" | "grpc";

/** What is wrong with a raw answer, if anything (Connect unary, Connect stream or gRPC). */
export function judgeRaw(answer: RawAnswer, kind: RawKind, endless = false): string | undefined {
  const text = answer.body.toString("utf8");
  if (answer.ms > CALL_TIMEOUT_MS + HANG_SLACK_MS) return `answered after ${answer.ms} ms`;
  if (kind === "grpc") {
    const { code, message } = grpcStatus(answer);
    if ([500, 502, 504].includes(answer.status)) return `HTTP ${answer.status}`;
    if (answer.status === 200 && code === undefined) return "no grpc-status";
    if (endless && code === Code.DeadlineExceeded) return undefined;
    return judge(code, message, answer.ms);
  }
  // 501 (unimplemented: an unknown encoding) and 503 (unavailable) are ordinary answers.
  if ([500, 502, 504].includes(answer.status)) return `HTTP ${answer.status}: ${text}`;
  if (STACK.test(text)) return `stack trace or path in the body: ${text.slice(0, 300)}`;
  let code: string | undefined;
  if (kind === "connect" && answer.status !== 200 && text.startsWith("{")) {
    code = (JSON.parse(text) as { code?: string }).code;
  }
  if (kind === "connect-stream" && answer.status === 200) {
    code = endStreamCode(answer.body);
  }
  if (code === "deadline_exceeded" && endless) return undefined;
  if (code === "internal" || code === "unknown" || code === "deadline_exceeded") {
    return `${code}: ${text.slice(0, 300)}`;
  }
  return undefined;
}

/** The error code in a Connect stream's end-of-stream message, if it has one. */
function endStreamCode(body: Buffer): string | undefined {
  let at = 0;
  while (at + 5 <= body.length) {
    const flags = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    if ((flags & 0x02) !== 0) {
      const end = JSON.parse(payload.toString("utf8")) as { error?: { code?: string } };
      return end.error?.code;
    }
    at += 5 + length;
  }
  return "unknown";
}

/** A stalled request: answered DEADLINE_EXCEEDED within its deadline (plus slack), nothing else. */
export function stalledCase(
  ctx: CaseContext,
  what: string,
  deadlineMs: number,
  kind: "connect" | "grpc",
  send: () => Promise<RawAnswer>,
): Job {
  const category = "stalled bodies";
  const { tally } = ctx;
  return async () => {
    tally.count(category);
    try {
      const answer = await send();
      const code =
        kind === "grpc"
          ? grpcStatus(answer).code
          : (JSON.parse(answer.body.toString("utf8")) as { code?: string }).code;
      const expected = kind === "grpc" ? Code.DeadlineExceeded : "deadline_exceeded";
      if (code !== expected) tally.fail(category, what, `answered ${code}, not DEADLINE_EXCEEDED`);
      else if (answer.ms > deadlineMs + HANG_SLACK_MS) {
        tally.fail(category, what, `answered after ${Math.round(answer.ms)} ms`);
      }
    } catch (err) {
      tally.fail(category, what, `no answer: ${String(err)}`);
    }
  };
}

/** A raw request, judged by {@link judgeRaw}. */
export function rawCase(
  ctx: CaseContext,
  category: string,
  what: string,
  kind: RawKind,
  send: () => Promise<RawAnswer>,
): Job {
  // An endless stream that was accepted runs into the deadline its raw caller gave it.
  const endless = [...ENDLESS].some((name) => what.includes(`/${name} `));
  const { tally } = ctx;
  return async () => {
    tally.count(category);
    try {
      const answer = await send();
      const problem = judgeRaw(answer, kind, endless);
      if (problem !== undefined) tally.fail(category, what, problem);
    } catch (err) {
      tally.fail(category, what, `no answer: ${String(err)}`);
    }
  };
}

/** Whether junk bytes happen to decode to a TriggerSync request with force = true. */
export function forcesSync(method: DescMethod, body: Uint8Array): boolean {
  if (method.name !== "TriggerSync") return false;
  try {
    return (fromBinary(method.input, body) as { force?: boolean }).force === true;
  } catch {
    return false;
  }
}

/** TriggerSync with force = true builds a new snapshot: an admin action, not hostile input. */
export function isForcedSync(method: DescMethod, path: string, value: unknown): boolean {
  return method.name === "TriggerSync" && path === "force" && value === true;
}

/** A raw request with `body` as the message of `method`, over a protocol picked by `rng`. */
export function rawMessageCase(
  ctx: CaseContext,
  category: string,
  method: DescMethod,
  label: string,
  body: Uint8Array,
  rng: Rng,
): Job {
  const useGrpc = rng.chance(0.5);
  const { target } = ctx;
  if (forcesSync(method, body)) {
    return async () => ctx.tally.count("excluded (decodes to TriggerSync force)");
  }
  if (useGrpc) {
    return rawCase(ctx, category, `gRPC ${pathOf(method)} ${label}`, "grpc", () =>
      h2(target.session, {
        path: pathOf(method),
        headers: { "content-type": "application/grpc", te: "trailers", ...grpcDeadline(method) },
        body: envelope(body),
        timeoutMs: CALL_TIMEOUT_MS + HANG_SLACK_MS,
      }),
    );
  }
  const unary = method.methodKind === "unary";
  return rawCase(
    ctx,
    category,
    `Connect ${pathOf(method)} ${label}`,
    unary ? "connect" : "connect-stream",
    () =>
      http1(target.baseUrl, {
        path: pathOf(method),
        headers: {
          "content-type": unary ? "application/proto" : "application/connect+proto",
          "connect-protocol-version": "1",
          ...connectDeadline(method),
        },
        body: unary ? body : envelope(body),
        timeoutMs: CALL_TIMEOUT_MS + HANG_SLACK_MS,
      }),
  );
}
