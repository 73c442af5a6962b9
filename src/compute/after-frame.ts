/**
 * Waiting for the page to draw what was just rendered before the next step of a job starts.
 *
 * Why: when a training lands, its charts, data plot and trajectory are drawn in the next
 * animation frame, whose style, layout, paint and canvas work is one main-thread task of 30-60 ms
 * on a busy 2-core machine. Started before that frame, the landscape's sampling (its first
 * picture, upsampled on the main thread) queued behind it or in the middle of it.
 */

/** Longest wait for a frame: a hidden tab draws none, and a job must not stop there. */
const FRAME_WAIT_MS = 100;

/**
 * Resolves in a task after the page's next rendering update, or after FRAME_WAIT_MS when no
 * frame comes (a hidden tab); where there are no animation frames (Node), after one turn of the
 * event loop.
 *
 * @example sink.landscape(view); await afterNextFrame(); // the landed view is on screen
 */
export function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") {
      setTimeout(resolve, 0);
      return;
    }
    const timer = setTimeout(resolve, FRAME_WAIT_MS);
    // A timer set in the frame's callbacks fires after the frame's rendering work, in a new task.
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}
