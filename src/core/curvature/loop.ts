/**
 * Shared plumbing of the curvature loops: cancellation, progress and yielding to the event loop,
 * so that a worker running a long estimate still sees its AbortSignal and can post progress.
 */

/** Called after every iteration with the iteration number (1-based) and the current estimate. */
type ProgressCallback = (iteration: number, estimate: number) => void;

/** Options every long-running curvature routine accepts. */
export interface LoopOptions {
  /** Aborting rejects the routine's promise with the signal's reason; no tensor is left behind. */
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

// The ticker is shared with the training loops (core/yield.ts).
export { makeTicker } from "../yield";

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
