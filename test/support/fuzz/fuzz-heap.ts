import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The heap and resident set after full GCs. */
export interface HeapReading {
  readonly heap: number;
  readonly rss: number;
}

/** `global.gc` is not exposed in vitest workers; V8 can still hand it out at run time. */
function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

let gc: (() => void) | undefined;

/** The heap after three full GCs with pauses between, so finalizers and sockets settle. */
export async function settledHeap(): Promise<HeapReading> {
  gc ??= exposeGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}
