/**
 * Ctrl-C (SIGINT) and SIGTERM (what Slurm sends at a job's time limit or on preemption, and
 * Kubernetes when it stops a pod) stop a long command: `signal` aborts with "stopped (SIGINT)"
 * or "stopped (SIGTERM)" on the first one. Call release() when the work ends (a finally block), so
 * the handlers do not outlive the command; a second Ctrl-C then ends the process at once.
 *
 * @example const stop = stopOnSignals(); try { await work(stop.signal); } finally { stop.release(); }
 */
export function stopOnSignals(): { signal: AbortSignal; which(): string | null; release(): void } {
  const controller = new AbortController();
  let received: string | null = null;
  const names = ["SIGINT", "SIGTERM"] as const;
  const handlers = names.map((name) => {
    const handler = () => {
      received ??= name;
      controller.abort(new Error(`stopped (${name})`));
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    which: () => received,
    release: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
