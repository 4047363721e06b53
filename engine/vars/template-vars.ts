// The variables Ansible gives a template file (template/__init__.py generate_ansible_template_vars,
// read at v2.14.17): template_host, template_path (the src as written), template_fullpath,
// template_mtime, template_uid and template_run_date. The file is on the controller.
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

/** Python's str(datetime): local time, "YYYY-MM-DD HH:MM:SS.ffffff" (no fraction when it is 0). */
export function pyDatetime(d: Date, micro = d.getMilliseconds() * 1000): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return micro ? `${base}.${p(micro, 6)}` : base;
}

function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0]!;
    }
  } catch {
    // no passwd file: the number, as Ansible does when pwd has no entry
  }
  return String(uid);
}

export function templateMagicVars(fullpath: string, src: string | undefined): Record<string, unknown> {
  const st = statSync(fullpath, { bigint: true });
  const mtimeMicro = Number((st.mtimeNs / 1000n) % 1_000_000n);
  return {
    template_host: hostname(),
    template_path: src ?? fullpath,
    template_fullpath: fullpath,
    template_mtime: pyDatetime(new Date(Number(st.mtimeNs / 1_000_000n)), mtimeMicro),
    template_uid: userName(Number(st.uid)),
    template_run_date: pyDatetime(new Date()),
  };
}
