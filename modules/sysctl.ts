// sysctl: the default file is /etc/sysctl.d/99-gx.conf rather than Ansible's /etc/sysctl.conf:
// every systemd distribution reads sysctl.d at boot (systemd-sysctl), some no longer ship
// /etc/sysctl.conf at all, and gx's settings stay in one file a person can find. `sysctl -w` gets
// key=value as one argv word: nothing passes through a shell.
import { defineModule } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { mustRunTool, runTool } from './lib/host-tool.js';
import { joinLines, readText, splitLines } from './lib/text-edit.js';
import { replaceFile } from './lib/write-file.js';

export interface SysctlArgs {
  name: string;
  value?: string | number | boolean;
  state?: 'present' | 'absent';
  sysctl_file?: string;
  reload?: boolean;
  sysctl_set?: boolean;
}

export interface SysctlData {
  name: string;
  value?: string;
  sysctl_file: string;
  /** the running kernel's value before the task */
  live_value?: string;
}

export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/99-gx.conf';

/** Multi-value parameters come back tab-separated from the kernel: compare words, not spacing. */
export function normalizeValue(v: string): string {
  return v.trim().split(/\s+/).join(' ');
}

function valueText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  return normalizeValue(String(v));
}

/** `key = value` lines; comments (# and ;) and blanks stay as they are. Returns the new text. */
export function editSysctlFile(text: string, name: string, value: string | undefined): string {
  const t = splitLines(text);
  const out: string[] = [];
  let placed = false;
  for (const line of t.lines) {
    const m = /^\s*-?([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === name) {
      if (value === undefined || placed) continue;
      out.push(normalizeValue(m[2]!) === value ? line : `${name}=${value}`);
      placed = true;
      continue;
    }
    out.push(line);
  }
  if (value !== undefined && !placed) out.push(`${name}=${value}`);
  return joinLines({ lines: out, finalNewline: out.length > 0 });
}

export const sysctl = defineModule<SysctlArgs, SysctlData>({
  name: 'sysctl',
  summary: 'Set a kernel parameter persistently in a sysctl.d file and, with reload, in the running kernel.',
  description:
    `Writes \`name=value\` to \`sysctl_file\` (default ${DEFAULT_SYSCTL_FILE}, read at boot by systemd-sysctl) and, when \`reload\` is true, sets the running value with \`sysctl -w\` if \`sysctl -n\` (/proc/sys) shows a different one. \`state: absent\` removes the key from the file and leaves the running value alone.`,
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.*/-]*$', description: 'The parameter, dotted (net.ipv4.ip_forward).' },
      value: { type: ['string', 'number', 'boolean'], description: 'The value; true/false become 1/0. Required for state=present.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the parameter is set in the file.' },
      sysctl_file: { type: 'string', default: DEFAULT_SYSCTL_FILE, description: 'The file that keeps the setting across reboots.' },
      reload: { type: 'boolean', default: true, description: 'Also set the running kernel value (sysctl -w) when it differs.' },
      sysctl_set: { type: 'boolean', default: false, description: "Ansible's switch for comparing and setting the running value; gx does that whenever reload or sysctl_set is true." },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: Route packets between interfaces (k3s needs it)
  sysctl:
    name: net.ipv4.ip_forward
    value: 1`,
    `- name: More inotify watches, written to a file of our own
  sysctl:
    name: fs.inotify.max_user_watches
    value: 524288
    sysctl_file: /etc/sysctl.d/90-inotify.conf`,
  ],
  returns: {
    name: { type: 'str', description: 'The parameter.', returned: 'always' },
    value: { type: 'str', description: 'The value asked for.', returned: 'state=present' },
    sysctl_file: { type: 'str', description: 'The file written.', returned: 'always' },
    live_value: { type: 'str', description: 'The running value before the task.', returned: 'when reload is true' },
  },
  checkMode: true,
  check: (a) => ((a.state ?? 'present') === 'present' && a.value === undefined ? ['value is required with state=present'] : []),
  async plan(ctx, a) {
    const state = a.state ?? 'present';
    const file = a.sysctl_file ?? DEFAULT_SYSCTL_FILE;
    const reload = (a.reload ?? true) || a.sysctl_set === true;
    const value = state === 'present' ? valueText(a.value!) : undefined;
    const cur = await readText(ctx, file);
    const newText = editSysctlFile(cur.text ?? '', a.name, value);
    const fileChanged = newText !== (cur.text ?? '') && !(cur.text === null && newText === '');
    let live: string | undefined;
    if (reload && value !== undefined) {
      const res = await runTool(ctx, ['sysctl', '-n', a.name], { providedBy: 'procps' });
      if (res.rc !== 0) throw new ModuleError(`sysctl key ${a.name} is not known to the running kernel: ${res.stderr.trim()}`);
      live = normalizeValue(res.stdout);
    }
    const liveChanged = live !== undefined && live !== value;
    const data: SysctlData = { name: a.name, sysctl_file: file, ...(value !== undefined ? { value } : {}), ...(live !== undefined ? { live_value: live } : {}) };
    if (!fileChanged && !liveChanged) return { changed: false, data };
    const what = [fileChanged ? `${file} updated` : '', liveChanged ? `running value ${live} -> ${value}` : ''].filter(Boolean).join(', ');
    return {
      changed: true,
      msg: what,
      data,
      diff: fileChanged ? [{ label: file, before: cur.text ?? '', after: newText }] : undefined,
      apply: async () => {
        if (fileChanged) await replaceFile(ctx, cur.path, newText, cur.stat, {});
        if (liveChanged) await mustRunTool(ctx, ['sysctl', '-w', `${a.name}=${value}`], { providedBy: 'procps' });
        return {};
      },
    };
  },
});

export default sysctl;
