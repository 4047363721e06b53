import { fileURLToPath } from 'node:url';

/** Absolute path of a file or folder under test/fixtures/inventory. */
export function fixture(rel: string): string {
  return fileURLToPath(new URL(`../fixtures/inventory/${rel}`, import.meta.url));
}
