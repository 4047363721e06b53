// A task's `timeout:` and an async task's `async:` limit: the work races a timer; the timer's
// failure message says which limit ran out.
import { GxError } from '../errors.js';

/** `p`, or a module failure with `message` after `seconds` (no limit when seconds is unset or ≤ 0). */
export async function withTimeLimit<T>(p: Promise<T>, seconds: number | undefined, message: string): Promise<T> {
  if (!seconds || seconds <= 0) return p;
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new GxError('module', message)), seconds * 1000);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
