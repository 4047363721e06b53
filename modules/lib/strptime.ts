// Python's time.strptime for the directives file's modification_time_format / access_time_format
// use (lib/ansible/modules/file.py at v2.17.5 parses them with time.strptime, default
// '%Y%m%d%H%M.%S'): the fields, as a "YYYY-MM-DD HH:MM:SS" wall-clock time for the host's
// `date -d` (Python then calls time.mktime: the host's local time, as here).

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const FIELDS: Record<string, { re: string; set: (t: Fields, v: string) => void }> = {
  Y: { re: '(\\d{4})', set: (t, v) => (t.year = Number(v)) },
  y: { re: '(\\d{2})', set: (t, v) => (t.year = Number(v) + (Number(v) < 69 ? 2000 : 1900)) },
  m: { re: '(\\d{1,2})', set: (t, v) => (t.month = Number(v)) },
  d: { re: '(\\d{1,2})', set: (t, v) => (t.day = Number(v)) },
  H: { re: '(\\d{1,2})', set: (t, v) => (t.hour = Number(v)) },
  I: { re: '(\\d{1,2})', set: (t, v) => (t.hour12 = Number(v)) },
  p: { re: '(AM|PM|am|pm)', set: (t, v) => (t.pm = v.toLowerCase() === 'pm') },
  M: { re: '(\\d{1,2})', set: (t, v) => (t.minute = Number(v)) },
  S: { re: '(\\d{1,2})', set: (t, v) => (t.second = Number(v)) },
  b: { re: '([A-Za-z]{3})', set: (t, v) => (t.month = MONTHS.indexOf(v.toLowerCase()) + 1) },
  B: { re: '([A-Za-z]+)', set: (t, v) => (t.month = MONTHS.indexOf(v.slice(0, 3).toLowerCase()) + 1) },
  j: { re: '(\\d{1,3})', set: (t, v) => (t.yday = Number(v)) },
};

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  hour12?: number;
  pm?: boolean;
  minute: number;
  second: number;
  yday?: number;
}

/** "YYYY-MM-DD HH:MM:SS", or throws an Error with Python's kind of message. */
export function strptimeWallClock(text: string, format: string): string {
  const setters: ((t: Fields, v: string) => void)[] = [];
  let re = '^';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%') {
      const d = format[++i];
      if (d === '%') re += '%';
      else if (d !== undefined && FIELDS[d]) {
        re += FIELDS[d]!.re;
        setters.push(FIELDS[d]!.set);
      } else throw new Error(`'${d ?? ''}' is a bad directive in format '%${d ?? ''}' (gx reads %Y %y %m %d %H %I %p %M %S %b %B %j)`);
    } else if (/\s/.test(c)) re += '\\s+';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(`${re}$`).exec(text);
  if (!m) throw new Error(`time data '${text}' does not match format '${format}'`);
  const t: Fields = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  setters.forEach((set, i) => set(t, m[i + 1]!));
  if (t.hour12 !== undefined) t.hour = (t.hour12 % 12) + (t.pm ? 12 : 0);
  if (t.yday !== undefined) {
    const d = new Date(Date.UTC(t.year, 0, t.yday));
    t.month = d.getUTCMonth() + 1;
    t.day = d.getUTCDate();
  }
  const check = new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
  if (t.month < 1 || t.month > 12 || check.getUTCDate() !== t.day || t.hour > 23 || t.minute > 59 || t.second > 61) {
    throw new Error(`time data '${text}' does not match format '${format}'`);
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(t.year).padStart(4, '0')}-${p2(t.month)}-${p2(t.day)} ${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`;
}
