// Sizes as multipass takes and prints them. It accepts "4G", "4GiB", "512M", "1.5G" or plain bytes
// (K/M/G are binary units: 1G = 1024^3 bytes), and `multipass get local.NAME.memory` prints the
// configured size rounded to one decimal ("4.0GiB"). Comparing the two in bytes therefore allows the
// rounding of the printed value, so "4G" and "4.0GiB" match while "4G" and "8.0GiB" do not.

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export interface Size {
  bytes: number;
  /** the bytes of one unit of the text's own unit, for the rounding allowance */
  unit: number;
}

/** Parses "4G", "4.0GiB", "512MB", "1073741824"; undefined when it is not a size. */
export function parseSize(text: string): Size | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:([bkmgtBKMGT])(?:i?[bB])?)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()]!;
  return { bytes: Math.floor(Number(m[1]) * unit), unit };
}

/** True when the size multipass reports (`have`) is the wanted one, within the rounding of its text. */
export function sameSize(want: string, have: string): boolean {
  const w = parseSize(want);
  const h = parseSize(have);
  if (!w || !h) return want.trim() === have.trim();
  return Math.abs(w.bytes - h.bytes) <= h.unit * 0.05 + 1;
}
