// In check mode a registered value may not be knowable (the command that would produce it did not
// run). Such values are this sentinel: templates render it as a marker, conditions treat it as
// "unknown" (three-valued logic), and the executor reports a task whose `when` is unknown as
// "would run (condition unknown in check mode)" instead of crashing or guessing.
export class Unknown {
  readonly reason: string;
  constructor(reason = 'not known in check mode') {
    this.reason = reason;
  }
  toString(): string {
    return `<unknown: ${this.reason}>`;
  }
  toJSON(): string {
    return this.toString();
  }
}

export const UNKNOWN = new Unknown();

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}
