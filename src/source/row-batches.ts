import type { Readable } from "node:stream";

/** How {@link rowBatches} cuts a stream and when it gives up on a silent one. */
export interface RowBatchOptions<R> {
  /** Rows per batch (the last one may be shorter). */
  readonly batchRows: number;
  /**
   * How long the stream may stay silent while this side is waiting for rows before it is
   * destroyed with `stalled()`. Time the consumer spends on a batch does not count.
   */
  readonly idleTimeoutMs: number;
  /** Converts one row as the stream delivers it. */
  readonly convert: (row: unknown) => R;
  /** The error a stalled stream fails with. */
  readonly stalled: () => Error;
}

/**
 * Reads an object-mode stream as batches of at most `batchRows` rows. It pulls the stream
 * only while it is filling a batch: while the consumer works on one, the generator is
 * suspended, the stream's buffer fills to its high-water mark and the producer stops, so
 * memory stays at about one batch plus the producer's prefetch however long the result. A
 * watchdog destroys a stream that sends nothing for `idleTimeoutMs` while rows are awaited,
 * so a result that never completes fails with a clear error instead of hanging a sync.
 */
export async function* rowBatches<R>(
  rows: Readable,
  options: RowBatchOptions<R>,
): AsyncGenerator<R[], void, undefined> {
  let seen = 0;
  let lastSeen = 0;
  let waiting = true;
  let quietSince = Date.now();
  const tick = Math.max(20, Math.min(1000, Math.floor(options.idleTimeoutMs / 4)));
  const watchdog = setInterval(() => {
    if (!waiting || seen !== lastSeen) {
      lastSeen = seen;
      quietSince = Date.now();
      return;
    }
    if (Date.now() - quietSince >= options.idleTimeoutMs) rows.destroy(options.stalled());
  }, tick);
  watchdog.unref();
  try {
    let batch: R[] = [];
    for await (const row of rows) {
      seen += 1;
      batch.push(options.convert(row));
      if (batch.length >= options.batchRows) {
        waiting = false;
        yield batch;
        batch = [];
        lastSeen = seen;
        quietSince = Date.now();
        waiting = true;
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    clearInterval(watchdog);
    rows.destroy();
  }
}
