/**
 * Present a WebGL frame only once the GPU has finished drawing it, so the main thread never waits
 * for the GPU.
 *
 * Why: without GPU compositing (software rendering: headless Chromium on SwiftShader, virtual
 * machines, remote desktops, GPU-blocklisted drivers), Chromium copies a WebGL canvas into the
 * page with a synchronous glReadPixels at every commit, right after the requestAnimationFrame
 * callback that drew it. The main thread then waits for the whole frame to be rasterised on the
 * CPU: 15-50 ms per frame of a 640 x 440 surface view here, more while the compute workers hold
 * both cores. Drawing into a hidden canvas, fencing (WebGL2 fenceSync) and copying the finished
 * picture into the visible canvas in a later task turns that wait into a copy of a finished
 * buffer. With GPU compositing the copy is a GPU-side blit.
 *
 * One frame is in flight at a time: a frame asked for while one is being drawn is drawn after it
 * is presented (the latest state, once), so GPU work never queues up behind the main thread.
 *
 * The drawing itself runs in a task of its own, right after the animation frame that asked for
 * it: the animation frame's task also holds the page's style, layout, paint and commit (10-25 ms
 * on a busy 2-core machine) and the other useFrame callbacks, and a 201 x 201 surface's draw
 * (uploads, programs, 25-40 ms there) on top of them made one task of 50-75 ms.
 *
 * This module is the scheduling only (no WebGL, testable in Node); PresentWhenDrawn.tsx wires it
 * to three.js and the canvases.
 *
 * @example
 * const p = new FramePresenter({ render, fence, present, schedule, requestFrame });
 * useFrame(() => p.frame(), 1); // r3f: a positive priority means "I render"
 */

/** The GPU's progress on a drawn frame. */
export type FenceStatus = "pending" | "done" | "lost";

interface FramePresenterHooks {
  /** Draw the scene into the hidden drawing buffer and return a fence on that work (null: no fence support). */
  render(): (() => FenceStatus) | null;
  /**
   * Copy the finished drawing buffer into the visible canvas; false when it no longer holds the
   * frame (the canvas was resized, which clears it, since the frame was drawn): then nothing is
   * copied, the visible canvas keeps its picture, and a new frame is drawn.
   */
  present(): boolean | undefined;
  /** Run `callback` after `ms` milliseconds in a task of its own; returns a cancel function. */
  schedule(callback: () => void, ms: number): () => void;
  /** Ask the render loop for another frame (r3f's invalidate). */
  requestFrame(): void;
}

/**
 * Fence polling interval, and how long a frame may take before it is presented anyway (a fence
 * that never signals). Generous: on a busy 2-core machine one frame of a 201 x 201 surface took
 * SwiftShader over a second, and presenting before the fence blocks the page for the rest of it
 * (180-700 ms measured with a 1 s limit).
 */
const POLL_MS = 2;
export const GIVE_UP_MS = 10_000;

export class FramePresenter {
  private inFlight = false;
  private again = false;
  private cancelPoll: (() => void) | null = null;
  /** Callbacks for the next frame drawn, by key (a later one with the same key replaces it). */
  private queued = new Map<string, () => void>();
  /** Callbacks of the frame in flight: they run when it is on screen. */
  private shown = new Map<string, () => void>();
  private stopped = false;

  constructor(
    private readonly hooks: FramePresenterHooks,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Run `callback` once the frame being prepared now (or, if one is in flight, the next one) is
   * on screen: DOM labels follow the picture instead of running ahead of it.
   */
  afterPresent(key: string, callback: () => void): void {
    this.queued.set(key, callback);
  }

  /**
   * Called for every frame of the render loop. Draws in a task of its own unless a frame is still
   * in flight (drawn or about to be).
   */
  frame(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.cancelPoll = this.hooks.schedule(() => {
      this.cancelPoll = null;
      if (!this.stopped) this.draw();
    }, 0);
  }

  private draw(): void {
    const fence = this.hooks.render();
    // Callbacks queued up to now and while drawing (onAfterRender) belong to this frame.
    this.shown = this.queued;
    this.queued = new Map();
    if (!fence) {
      this.finish(true);
      return;
    }
    const started = this.now();
    const poll = () => {
      this.cancelPoll = null;
      if (this.stopped) return;
      const status = fence();
      if (status === "pending" && this.now() - started < GIVE_UP_MS) {
        this.cancelPoll = this.hooks.schedule(poll, POLL_MS);
        return;
      }
      // A lost context has nothing to show: the visible canvas keeps the last picture until the
      // restored context draws again.
      this.finish(status !== "lost");
    };
    this.cancelPoll = this.hooks.schedule(poll, 0);
  }

  /** Whether a frame is about to be drawn, or drawn but not yet presented. */
  get pending(): boolean {
    return this.inFlight;
  }

  /** Stop polling and drop the frame in flight; nothing is drawn or presented until start(). */
  stop(): void {
    this.stopped = true;
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.inFlight = false;
    this.again = false;
    this.queued.clear();
    this.shown.clear();
  }

  /** Resume after stop() (React mounts effects twice in development) and ask for a frame. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.hooks.requestFrame();
  }

  private finish(show: boolean): void {
    this.inFlight = false;
    if (show && this.hooks.present() === false) {
      // Not on screen after all: its callbacks wait for the next frame (newer ones of a key win).
      for (const [key, callback] of this.shown) if (!this.queued.has(key)) this.queued.set(key, callback);
      this.shown = new Map();
      this.again = true;
    }
    const callbacks = [...this.shown.values()];
    this.shown = new Map();
    for (const callback of callbacks) callback();
    if (this.again) {
      this.again = false;
      this.hooks.requestFrame();
    }
  }
}
