/**
 * Latest-only asynchronous builds: at most one build runs at a time, and a result is delivered
 * only if it was built from the latest request. A result for an older request (the values went
 * on changing while it was built) is dropped and the latest request is built next, so the view
 * never shows a picture older than the one it asked for last, nor one mixed from two versions.
 * Requests made while a build runs replace each other: only the last one is built.
 *
 * When the asynchronous builder fails (the worker did not start or crashed), the request is built
 * with `fallback` (synchronously, on this thread) and so is every later one: the picture still
 * comes, only without the worker. Errors of the fallback go to `onError`.
 *
 * @example
 * const builds = new LatestBuild(buildSurfaceInWorker, buildSurface, reportError);
 * builds.request(request, (built) => draw(built));
 */
export class LatestBuild<Request, Result> {
  private seq = 0;
  private latest: { seq: number; request: Request; deliver: (result: Result) => void } | null = null;
  private running = false;
  private disposed = false;
  /** Bumped by dispose(): a build started before it is never delivered. */
  private epoch = 0;
  private useFallback = false;

  constructor(
    private readonly build: (request: Request) => Promise<Result>,
    private readonly fallback: (request: Request) => Result,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Build `request` (replacing one not started yet); `deliver` gets its result unless a newer request came first. */
  request(request: Request, deliver: (result: Result) => void): void {
    if (this.disposed) return;
    this.latest = { seq: ++this.seq, request, deliver };
    if (!this.running) this.next();
  }

  /** Whether a build is running (its result may still be dropped). */
  get busy(): boolean {
    return this.running;
  }

  /** Drop everything: no result of a request made so far is delivered, nor one made until start(). */
  dispose(): void {
    this.disposed = true;
    this.epoch++;
    this.latest = null;
  }

  /** Take requests again after dispose() (React mounts effects twice in development). */
  start(): void {
    this.disposed = false;
  }

  private next(): void {
    const job = this.latest;
    if (!job || this.disposed) return;
    this.latest = null;
    if (this.useFallback) {
      this.buildHere(job);
      return;
    }
    this.running = true;
    const epoch = this.epoch;
    this.build(job.request).then(
      (result) => {
        this.running = false;
        if (this.disposed) return;
        // A newer request is waiting: this result is stale, build that one instead.
        if (this.latest) this.next();
        else if (epoch === this.epoch) job.deliver(result);
      },
      () => {
        this.running = false;
        if (this.disposed) return;
        this.useFallback = true;
        if (this.latest) this.next();
        else if (epoch === this.epoch) this.buildHere(job);
      },
    );
  }

  private buildHere(job: { request: Request; deliver: (result: Result) => void }): void {
    let result: Result;
    try {
      result = this.fallback(job.request);
    } catch (error) {
      this.onError(error);
      return;
    }
    job.deliver(result);
  }
}
