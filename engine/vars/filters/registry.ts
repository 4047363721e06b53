// The filter and test tables, filled by filters/index.ts and tests.ts. Filters that take another
// filter or test by name (map, select, selectattr…) look it up here at call time, so the files
// that define them do not import each other.
import type { Fn } from './args.js';

export const FILTERS: Record<string, Fn> = Object.create(null) as Record<string, Fn>;
export const TESTS: Record<string, Fn> = Object.create(null) as Record<string, Fn>;
