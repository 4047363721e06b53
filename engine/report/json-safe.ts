// JSON.stringify that never throws on what a module may put in a registered value: bigints become
// strings, cycles become "[Circular]"; Unknown (and anything else with toJSON) serialises itself.
export function safeJson(value: unknown, indent?: number): string {
  const ancestors: object[] = [];
  return JSON.stringify(
    value,
    function (this: unknown, _key: string, v: unknown) {
      if (typeof v === 'bigint') return v.toString();
      if (v === null || typeof v !== 'object') return v;
      // `this` is the holder of v: drop ancestors that are no longer on the path to it
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(v)) return '[Circular]';
      ancestors.push(v);
      return v;
    },
    indent,
  ) ?? 'null';
}
