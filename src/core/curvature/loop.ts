/**
 * Shared plumbing of the curvature loops: cancellation, progress and yielding to the event loop,
 * so that a worker running a long estimate still sees its AbortSignal and can post progress.
 */

/** Called after every iteration with the iteration number (1-based) and the current estimate. */
export type ProgressCallback = (iteration: number, estimate: number) => void;

/** Options every long-running curvature routine accepts. */
export interface LoopOptions {
  /** Aborting rejects the routine's promise with the signal's reason; no tensor is left behind. */
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** Yield at most this often (ms): often enough for an abort to land, rarely enough to cost nothing. */
const YIELD_INTERVAL_MS = 25;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A checkpoint to await between iterations: throws when the signal is aborted, and yields to the
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

/** Throws a named error unless `value` is an integer >= min. */
export function assertInteger(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer >= ${min}, got ${value}`);
  }
}

/** Throws a named error unless `value` is a finite number > 0. */
export function assertPositive(value: number, what: string): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${what} must be a finite number > 0, got ${value}`);
  }
}
