// modprobe: built-in modules come from the kernel's modules.builtin list: always loaded, never
// unloadable. The persistence files are the ones Ansible writes.
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { mustRunTool, runTool } from './lib/host-tool.js';

export interface ModprobeArgs {
  name: string;
  state?: 'present' | 'absent';
  params?: string;
  persistent?: 'present' | 'absent' | 'disabled';
}

export interface ModprobeData {
  name: string;
  state: string;
  params: string;
  /** loaded before the task */
  loaded: boolean;
  builtin: boolean;
}

/** The kernel treats - and _ in module names alike. */
export function canonical(name: string): string {
  return name.replace(/-/g, '_');
}

/** Splits params like a shell would (quotes group words), without running one. */
export function splitParams(params: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
  let cur = '';
  let last = -1;
  for (let m = re.exec(params); m; m = re.exec(params)) {
    const piece = m[1] ?? m[2] ?? m[3]!;
    if (m.index === last) cur += piece;
    else {
      if (cur) out.push(cur);
      cur = piece;
    }
    last = re.lastIndex;
  }
  if (cur) out.push(cur);
  return out;
}

async function loadedState(ctx: ModuleContext, name: string): Promise<{ loaded: boolean; builtin: boolean }> {
  const ls = await runTool(ctx, ['lsmod'], { providedBy: 'kmod' });
  if (ls.rc !== 0) throw new ModuleError(`lsmod failed: ${ls.stderr.trim()}`);
  const want = canonical(name);
  const loaded = ls.stdout.split('\n').slice(1).some((l) => canonical(l.split(/\s+/)[0] ?? '') === want);
  const bi = await ctx.conn.run({ shell: 'cat "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; exit 0' });
  const builtin = bi.stdout.split('\n').some((l) => canonical((l.split('/').pop() ?? '').replace(/\.ko(\.\w+)?$/, '')) === want);
  return { loaded, builtin };
}

interface FileWant {
  path: string;
  /** null: the file must not exist */
  content: string | null;
}

export const modprobe = defineModule<ModprobeArgs, ModprobeData>({
  name: 'modprobe',
  aliases: ['community.general.modprobe'],
  summary: 'Load or unload a kernel module, and load it at boot.',
  description:
    'Loads the module with `modprobe NAME PARAMS` when lsmod does not list it (built-in modules count as loaded), or unloads it with `modprobe -r`. `persistent: present` writes /etc/modules-load.d/NAME.conf (and /etc/modprobe.d/NAME.conf with the params) so it loads at boot; `absent` removes those files; `disabled` (default) leaves them alone. Changing params of a loaded module does not reload it.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_-]*$', description: 'The kernel module, e.g. br_netfilter.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Loaded or not.' },
      params: { type: 'string', default: '', description: "Module parameters, e.g. 'numdummies=2'; quotes group words as in a shell." },
      persistent: { type: 'string', enum: ['present', 'absent', 'disabled'], default: 'disabled', description: 'present: load at boot (files in /etc/modules-load.d and /etc/modprobe.d); absent: remove those files; disabled: leave them alone.' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: Kubernetes networking needs br_netfilter, now and after a reboot
  modprobe:
    name: br_netfilter
    persistent: present`,
    `- name: Unload a module
  modprobe:
    name: dummy
    state: absent`,
  ],
  returns: {
    name: { type: 'str', description: 'The module.', returned: 'always' },
    state: { type: 'str', description: 'The asked state.', returned: 'always' },
    params: { type: 'str', description: 'The parameters.', returned: 'always' },
    loaded: { type: 'bool', description: 'Whether it was loaded before the task.', returned: 'always' },
    builtin: { type: 'bool', description: 'Whether it is built into the kernel.', returned: 'always' },
  },
  checkMode: true,
  async plan(ctx, a) {
    const state = a.state ?? 'present';
    const params = a.params ?? '';
    const persistent = a.persistent ?? 'disabled';
    const { loaded, builtin } = await loadedState(ctx, a.name);
    if (state === 'absent' && builtin) throw new ModuleError(`${a.name} is built into the kernel and cannot be unloaded`);
    const steps: string[][] = [];
    if (state === 'present' && !loaded && !builtin) steps.push(['modprobe', a.name, ...splitParams(params)]);
    if (state === 'absent' && loaded) steps.push(['modprobe', '-r', a.name]);

    const files: FileWant[] = [];
    if (persistent === 'present') {
      files.push({ path: `/etc/modules-load.d/${a.name}.conf`, content: `${a.name}\n` });
      files.push({ path: `/etc/modprobe.d/${a.name}.conf`, content: params.trim() ? `options ${a.name} ${params.trim()}\n` : null });
    } else if (persistent === 'absent') {
      files.push({ path: `/etc/modules-load.d/${a.name}.conf`, content: null }, { path: `/etc/modprobe.d/${a.name}.conf`, content: null });
    }
    const fileChanges: { want: FileWant; before: string | null }[] = [];
    for (const f of files) {
      const buf = await ctx.conn.get(f.path);
      const before = buf === null ? null : buf.toString('utf8');
      if (before !== f.content) fileChanges.push({ want: f, before });
    }
    const data: ModprobeData = { name: a.name, state, params, loaded, builtin };
    if (steps.length === 0 && fileChanges.length === 0) return { changed: false, data };
    const msg = [...steps.map((s) => s.join(' ')), ...fileChanges.map((c) => (c.want.content === null ? `remove ${c.want.path}` : `write ${c.want.path}`))].join('; ');
    return {
      changed: true,
      msg,
      data,
      diff: fileChanges.map((c) => ({ label: c.want.path, before: c.before ?? '', after: c.want.content ?? '' })),
      apply: async () => {
        for (const s of steps) await mustRunTool(ctx, s, { providedBy: 'kmod' });
        for (const c of fileChanges) {
          if (c.want.content === null) await mustRunTool(ctx, ['rm', '-f', '--', c.want.path]);
          else {
            // /etc/modprobe.d only exists once kmod is installed
            await mustRunTool(ctx, ['mkdir', '-p', '--', c.want.path.slice(0, c.want.path.lastIndexOf('/'))]);
            await ctx.conn.put(c.want.path, c.want.content, { mode: 0o644 });
          }
        }
        return {};
      },
    };
  },
});

export default modprobe;
