// The variables Ansible gives a template file (template/__init__.py generate_ansible_template_vars,
// read at v2.14.17): template_host, template_path (the src as written), template_fullpath,
// template_mtime, template_uid and template_run_date. The file is on the controller.
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
// the passwd table read once (by mtime), NSS after it: Python's pwd.getpwuid
import { userName } from '../connect/local.js';

/** Python's str(datetime): local time, "YYYY-MM-DD HH:MM:SS.ffffff" (no fraction when it is 0). */
export function pyDatetime(d: Date, micro = d.getMilliseconds() * 1000): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return micro ? `${base}.${p(micro, 6)}` : base;
}

export function templateMagicVars(fullpath: string, src: string | undefined): Record<string, unknown> {
  const st = statSync(fullpath, { bigint: true });
  const mtimeMicro = Number((st.mtimeNs / 1000n) % 1_000_000n);
  return {
    template_host: hostname(),
    template_path: src ?? fullpath,
    template_fullpath: fullpath,
    template_mtime: pyDatetime(new Date(Number(st.mtimeNs / 1_000_000n)), mtimeMicro),
    // the number when no user has it, as Ansible does when pwd has no entry
    template_uid: userName(Number(st.uid)) ?? String(st.uid),
    template_run_date: pyDatetime(new Date()),
  };
}
