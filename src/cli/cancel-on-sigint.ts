/**
 * Ctrl-C cancels a long CLI command: `signal` aborts with "cancelled (SIGINT); nothing was
 * written" on the first SIGINT. Call release() when the work ends (a finally block), so the
 * handler does not outlive the command.
 *
 * @example const sigint = cancelOnSigint(); try { await work(sigint.signal); } finally { sigint.release(); }
 */
export function cancelOnSigint(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("cancelled (SIGINT); nothing was written"));
  process.once("SIGINT", onSigint);
  return { signal: controller.signal, release: () => process.off("SIGINT", onSigint) };
}
