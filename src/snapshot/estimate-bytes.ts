/** Bytes V8 spends on an object or array before its contents (header, map, backing store). */
const OBJECT_OVERHEAD = 32;
/** Bytes per property or element slot (a tagged pointer, plus the key in a dictionary). */
const SLOT = 16;

/**
 * A rough count of the heap bytes a plain answer holds: strings at two bytes a character,
 * numbers and slots at their pointer size, objects and arrays walked (each object once).
 * It is meant to bound a cache, so it errs high rather than low and never needs to be exact;
 * what matters is that an answer ten times larger counts about ten times more.
 */
export function estimateBytes(value: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let bytes = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    switch (typeof item) {
      case "string":
        bytes += 16 + item.length * 2;
        break;
      case "number":
      case "boolean":
        bytes += 8;
        break;
      case "bigint":
        bytes += 24;
        break;
      case "object": {
        if (item === null || seen.has(item)) break;
        seen.add(item);
        if (ArrayBuffer.isView(item)) {
          bytes += OBJECT_OVERHEAD + item.byteLength;
        } else if (item instanceof Date) {
          bytes += OBJECT_OVERHEAD;
        } else if (item instanceof Map || item instanceof Set) {
          bytes += OBJECT_OVERHEAD;
          for (const entry of item instanceof Map ? item.entries() : item.values()) {
            bytes += SLOT;
            stack.push(entry);
          }
        } else {
          bytes += OBJECT_OVERHEAD;
          for (const [key, child] of Object.entries(item)) {
            bytes += SLOT + (Array.isArray(item) ? 0 : key.length * 2);
            stack.push(child);
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return bytes;
}
