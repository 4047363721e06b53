import { ErrorList, GxError } from '../errors.js';

/** Adds what a parser threw to a list of problems; rethrows anything that is not a user error. */
export function collectErrors(err: unknown, into: GxError[]): void {
  if (err instanceof ErrorList) into.push(...err.errors);
  else if (err instanceof GxError && err.kind !== 'internal') into.push(err);
  else throw err;
}
