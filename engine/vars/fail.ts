// A misuse of a filter, test, method, function or lookup. The evaluator turns it into a
// TemplateError pointing at the column; Handlebars helpers prefix the helper's name.
export class Fail extends Error {}

/**
 * What a filter returns where Jinja gives an Undefined (`[] | first`): the evaluator turns it
 * into an undefined value, so `| default(…)` and `is defined` work on it and any other use is
 * an error naming the reason.
 */
export class UndefinedResult {
  constructor(readonly reason: string) {}
}

/** A lookup that met an undefined variable: an error even under errors='ignore', as in Ansible. */
export class UndefinedLookup extends Fail {}
