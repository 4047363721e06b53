// Host ranges as Ansible writes them in inventories: `web[01:03]` → web01 web02 web03 (the leading
// zero fixes the width), `db-[a:c]` → db-a db-b db-c, `n[0:10:5]` with a step, several ranges in
// one name expand as a product.

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Expands every `[a:b(:step)]` in `name`; throws Error with a human message on a bad range. */
export function expandHostRange(name: string): string[] {
  const m = /^([^[]*)\[([^\]]*)\](.*)$/.exec(name);
  if (!m || !m[2]!.includes(':')) return [name];
  const [, head, range, tail] = m as unknown as [string, string, string, string];
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error(`host range '[${range}]' must be [begin:end] or [begin:end:step]`);
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  if (end === '') throw new Error(`host range '[${range}]' has no end value`);
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!Number.isInteger(step) || step < 1) throw new Error(`host range '[${range}]' needs a positive whole step`);

  let seq: string[];
  const li = LETTERS.indexOf(beg);
  const lj = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && li >= 0 && lj >= 0) {
    if (li > lj) throw new Error(`host range '[${range}]' must have begin <= end`);
    seq = [];
    for (let i = li; i <= lj; i += step) seq.push(LETTERS[i]!);
  } else {
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) throw new Error(`host range '[${range}]' must be numbers or single letters`);
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) {
      throw new Error(`host range '[${range}]': begin and end must have the same width when zero-padded`);
    }
    const a = Number(beg);
    const b = Number(end);
    if (a > b) throw new Error(`host range '[${range}]' must have begin <= end`);
    seq = [];
    for (let i = a; i <= b; i += step) seq.push(padded ? String(i).padStart(beg.length, '0') : String(i));
  }
  return seq.flatMap((part) => expandHostRange(`${head}${part}${tail}`));
}
