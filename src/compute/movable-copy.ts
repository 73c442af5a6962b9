/**
 * A copy of a snapshot-like value whose typed arrays can be moved (transferred) to a worker, made
 * a few milliseconds at a time.
 *
 * Why: posting a snapshot to the snapshot worker copies it in one task of the page. On a 201 x 201
 * job with replay checkpoints that is 2.4 MB in about a hundred typed arrays, 20-27 ms of one task
 * on a 2-core machine (Chromium's structured clone), right when the job ends. Copying the arrays
 * here, yielding between slices of at most `budgetMs`, and transferring the copies leaves the post
 * itself only the small plain structure to clone.
 *
 * Plain objects and arrays are copied, typed arrays sliced (each into a buffer of its own), every
 * other value kept as it is (strings, numbers, booleans, null, undefined; anything else is left
 * to the structured clone).
 *
 * @example
 * const { copy, buffers } = await movableCopy(snapshot);
 * await api.serialize(transfer(copy, buffers), opts);
 */

export interface MovableCopy<T> {
  copy: T;
  /** The buffers of the copied typed arrays: transfer them with the copy. */
  buffers: ArrayBuffer[];
}

export interface MovableCopyOptions {
  /** Work at most this long before yielding to the event loop. */
  budgetMs?: number;
  now?: () => number;
  /** Resolves in a later task (default: a zero-delay timer). */
  yieldTask?: () => Promise<void>;
}

const isObject = (v: unknown): v is object => v !== null && typeof v === "object";

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function movableCopy<T>(value: T, options: MovableCopyOptions = {}): Promise<MovableCopy<T>> {
  const budget = options.budgetMs ?? 4;
  const now = options.now ?? (() => performance.now());
  const yieldTask = options.yieldTask ?? nextTask;
  const buffers: ArrayBuffer[] = [];
  let since = now();
  const pause = async () => {
    if (now() - since < budget) return;
    await yieldTask();
    since = now();
  };
  const copyOf = async (v: unknown): Promise<unknown> => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      await pause();
      const copied = (v as unknown as { slice(): ArrayBufferView }).slice();
      buffers.push(copied.buffer as ArrayBuffer);
      return copied;
    }
    if (Array.isArray(v)) {
      await pause();
      const out: unknown[] = new Array(v.length);
      // Primitives without an await each (a column of numbers stays one loop).
      for (let i = 0; i < v.length; i++) out[i] = isObject(v[i]) ? await copyOf(v[i]) : v[i];
      return out;
    }
    if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype) {
      await pause();
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = isObject(item) ? await copyOf(item) : item;
      return out;
    }
    return v;
  };
  const copy = (await copyOf(value)) as T;
  return { copy, buffers };
}
