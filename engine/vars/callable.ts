// A value a template can call: a macro (`{% macro m(a) %}`), `caller()` inside `{% call %}`, and
// `loop.cycle(...)`. The expression evaluator calls it when a called name or method holds one;
// nothing else in a template can call code.
export class JinjaCallable {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[], kw: Record<string, unknown>) => unknown,
  ) {}
  toString(): string {
    return `<macro ${this.name}>`;
  }
}

export function isCallable(v: unknown): v is JinjaCallable {
  return v instanceof JinjaCallable;
}
