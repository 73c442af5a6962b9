/**
 * Yielding to the event loop from long computations, so that a worker still receives its cancel
 * and pause messages and can post progress. A timer of 0 ms is clamped to 4 ms by browsers once
 * timers nest, so yielding after every short step (an epoch of 64 samples takes microseconds on
 * the kernel) would cost more than the work: a ticker yields only when YIELD_INTERVAL_MS passed.
 */

/** Yield at most this often (ms): often enough for an abort to land, rarely enough to cost nothing. */
export const YIELD_INTERVAL_MS = 25;

/** One macrotask turn of the event loop. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A checkpoint to await between steps: throws when the signal is aborted, and yields to the
 * event loop when the last yield is more than YIELD_INTERVAL_MS ago (checking the signal again).
 *
 * @example const tick = makeTicker(signal); for (...) { await tick(); ... }
 */
export function makeTicker(signal?: AbortSignal): () => Promise<void> {
  let last = Date.now();
  return async () => {
    signal?.throwIfAborted();
    const now = Date.now();
    if (now - last >= YIELD_INTERVAL_MS) {
      await yieldToEventLoop();
      last = Date.now();
      signal?.throwIfAborted();
    }
  };
}
