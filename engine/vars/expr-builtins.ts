// The expression language's vocabulary, in one place for the evaluator and the Handlebars
// helpers: filters (filters/*.ts), tests (tests.ts), methods (methods.ts), global functions
// (functions.ts) and the Python comparison rules (compare.ts).
export { Fail } from './fail.js';
export { FILTERS, TESTS, EVALUATOR_FILTERS } from './filters/index.js';
export { compareValues, contains } from './compare.js';
export { callMethod } from './methods.js';
