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

/**
 * An undefined variable given to `format` (`"%r" | format(undefined_variable)`): Jinja's Undefined
 * has a repr, so `%r` shows it as Ansible does; any other conversion fails as the variable is undefined.
 */
export class UndefinedArg {
  constructor(readonly name: string) {}
  get repr(): string {
    return `AnsibleUndefined(hint=None, obj=missing, name='${this.name}')`;
  }
}
