import pino, { type DestinationStream, type Logger } from "pino";

/** Paths of log fields that may hold secrets; pino replaces their values before writing. */
const REDACT = [
  "password",
  "*.password",
  "privateKey",
  "*.privateKey",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "apiKey",
  "*.apiKey",
];

/**
 * The service's logger: one JSON line per event on stdout, secrets redacted by field name, so a
 * log pipeline gets structured records and no credential ever lands in one. `destination`
 * lets a test capture every line the service writes. Stdout is written asynchronously: lines
 * written while a write is in flight go out together in the next one, a write call per batch
 * rather than per RPC under load; pino flushes what is pending when the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "customer-analytics" },
    redact: { paths: REDACT, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
