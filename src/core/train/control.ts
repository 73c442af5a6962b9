/**
 * Pause, resume and single-step a running training loop from outside (the UI's play / pause /
 * step). The loop awaits `gate()` before every epoch: it returns at once while running, waits
 * while paused, and lets exactly one epoch through per `step()`. An abort wakes it.
 *
 * @example const c = new TrainControl(); c.pause(); c.step(); c.resume();
 */
export class TrainControl {
  private paused = false;
  private credits = 0;
  private wake: (() => void) | null = null;

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.release();
  }

  /** While paused: run one more epoch, then pause again. */
  step(): void {
    this.credits += 1;
    this.release();
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Await before each epoch. Rejects with the signal's reason when aborted while waiting. */
  async gate(signal?: AbortSignal): Promise<void> {
    while (this.paused) {
      signal?.throwIfAborted();
      if (this.credits > 0) {
        this.credits -= 1;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  }
}
