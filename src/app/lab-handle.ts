import type { Lab } from "../compute/lab";

/**
 * The page's lab as the controls' handlers see it while it starts. A preset or lesson picked
 * before the workers are up waits for the started lab (`whenStarted()`), and a pick in flight holds
 * back the automatic first run (`choose` and `settled()`): the first run starts only once every
 * pick has started its own run (or failed), so it sees that run and leaves it alone
 * (Lab.firstRun), instead of replacing it with a plain run of the settings.
 *
 * React StrictMode mounts twice in development: the first lab is stopped before it has started
 * (`stopped`), and picks keep waiting for the second.
 *
 * @example await handle.choose(async () => void (await handle.whenStarted())?.run());
 */
export class LabHandle {
  private lab: Lab | null = null;
  private state: "starting" | "started" | "failed" = "starting";
  private waiting: ((lab: Lab | null) => void)[] = [];
  private picks = 0;
  private idle: (() => void)[] = [];

  /** A new lab is starting (a mount); picks wait for it. */
  starting(lab: Lab): void {
    this.lab = lab;
    this.state = "starting";
  }

  /** `lab` has started: the picks waiting for it go ahead. */
  started(lab: Lab): void {
    if (lab !== this.lab || this.state !== "starting") return;
    this.state = "started";
    this.release(lab);
  }

  /** `lab` failed to start (the status bar says why): the picks waiting for it give up. */
  failed(lab: Lab): void {
    if (lab !== this.lab || this.state !== "starting") return;
    this.state = "failed";
    this.release(null);
  }

  /** `lab` was stopped (an unmount): picks wait for the next lab. */
  stopped(lab: Lab): void {
    if (lab !== this.lab) return;
    this.lab = null;
    this.state = "starting";
  }

  /** The started lab; null when it failed to start. Waits while it starts. */
  whenStarted(): Promise<Lab | null> {
    if (this.lab && this.state === "started") return Promise.resolve(this.lab);
    if (this.state === "failed") return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Run a person's pick (fetch a preset and start its run, open a lesson...): the automatic first
   * run waits until it has settled. `pick` should resolve once its run has started, not ended.
   */
  async choose<T>(pick: () => Promise<T>): Promise<T> {
    this.picks++;
    try {
      return await pick();
    } finally {
      this.picks--;
      if (this.picks === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Resolves once no pick is in flight (at once when none is). */
  settled(): Promise<void> {
    if (this.picks === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private release(lab: Lab | null): void {
    for (const resolve of this.waiting.splice(0)) resolve(lab);
  }
}
