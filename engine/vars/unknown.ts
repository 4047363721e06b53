// In check mode a registered value may not be knowable (the command that would produce it did not
// run). Such values are this sentinel: templates render it as a marker, conditions treat it as
// "unknown" (three-valued logic), and the executor reports a task whose `when` is unknown as
// "would run (condition unknown in check mode)" instead of crashing or guessing.
export class Unknown {
  readonly reason: string;
  /** text rendered around an unknown part ("vm at <unknown: …>"), what a message shows of it */
  readonly text: string | undefined;
  constructor(reason = 'not known in check mode', text?: string) {
    this.reason = reason;
    this.text = text;
  }
  toString(): string {
    // every way an Unknown becomes text (textOf, String(), JSON.stringify, a template literal)
    // passes here, so a render in progress learns that its text holds a marker, not a value
    seen ??= this;
    return this.text ?? `<unknown: ${this.reason}>`;
  }
  toJSON(): string {
    return this.toString();
  }
}

// The first Unknown turned into text since the innermost watchUnknownText() began.
let seen: Unknown | undefined;

/**
 * Runs `render` and tells whether an Unknown was turned into text inside it. A value rendered
 * for a module argument that holds the marker (`http://<unknown: …>:5000`) is not a value: the
 * caller returns the Unknown instead, so the task is planned as would-run with the reason rather
 * than refused by the module for a malformed string. Nests: an inner render does not hide or
 * leak what the outer one saw.
 */
export function watchUnknownText<T>(render: () => T): { value: T; unknown: Unknown | undefined } {
  const outer = seen;
  seen = undefined;
  try {
    const value = render();
    return { value, unknown: seen };
  } finally {
    seen = outer;
  }
}

export const UNKNOWN = new Unknown();

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}
