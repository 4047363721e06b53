// The one abortable wait: loop pauses, until/retries delays, and modules that poll (wait_for, k3s,
// pause). Ctrl-C aborts the run's signal, and a run must not sit out a sleep after that.

/** Waits `ms`, or less if `signal` aborts (or already has). True when the whole time passed. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
