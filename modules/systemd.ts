// systemd: the order is Ansible's: daemon-reload, mask/unmask, enable/disable, then the running
// state. daemon-reload comes before the unit is read, so a new unit file is seen.
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { commandFailure, mustRunTool, runTool } from './lib/host-tool.js';

export interface SystemdArgs {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemon_reload?: boolean;
  scope?: 'system' | 'user';
}

export interface SystemdData {
  name?: string;
  state?: string;
  enabled?: boolean;
  masked?: boolean;
  /** the properties read with systemctl show, before the task */
  status: Record<string, string>;
}

const PROPS = ['Id', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState'];
// is-enabled answers that mean "starts at boot" / that cannot be changed with enable/disable
const ENABLED = new Set(['enabled', 'enabled-runtime', 'alias', 'linked', 'linked-runtime']);
const FIXED = new Set(['static', 'indirect', 'generated', 'transient']);

async function systemctl(ctx: ModuleContext, scope: string[], args: string[]) {
  return runTool(ctx, ['systemctl', ...scope, ...args], { providedBy: 'systemd', env: { SYSTEMD_PAGER: '', LANG: 'C' } });
}

export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export const systemd = defineModule<SystemdArgs, SystemdData>({
  name: 'systemd',
  aliases: ['systemd_service'],
  summary: 'Start, stop, restart or reload a systemd unit; enable, disable, mask or unmask it; reload systemd.',
  description:
    'Reads the unit with `systemctl show` and `systemctl is-enabled`, and acts only where the unit differs. `restarted` and `reloaded` always act. `daemon_reload` makes systemd re-read unit files before anything else (not counted as a change; skipped in check mode). A unit name without a suffix means NAME.service.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[^-\\s][^\\s]*$', description: 'The unit, e.g. nginx or k3s.service.' },
      state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'], description: 'started/stopped: act only when needed; restarted/reloaded: always act.' },
      enabled: { type: 'boolean', description: 'Whether the unit starts at boot.' },
      masked: { type: 'boolean', description: 'Whether the unit is masked (cannot be started at all).' },
      daemon_reload: { type: 'boolean', default: false, description: 'Run systemctl daemon-reload first, e.g. after a unit file changed.' },
      scope: { type: 'string', enum: ['system', 'user'], default: 'system', description: "system: the system manager; user: the connecting user's manager (--user)." },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: k3s runs and starts at boot
  systemd:
    name: k3s
    state: started
    enabled: true`,
    `- name: Pick up the new unit file and restart
  systemd:
    name: gx-api
    state: restarted
    daemon_reload: true`,
  ],
  returns: {
    name: { type: 'str', description: 'The unit.', returned: 'with name' },
    state: { type: 'str', description: 'The asked state.', returned: 'with state' },
    enabled: { type: 'bool', description: 'The asked enablement.', returned: 'with enabled' },
    masked: { type: 'bool', description: 'The asked mask.', returned: 'with masked' },
    status: { type: 'dict', description: 'Id, LoadState, ActiveState, SubState and UnitFileState before the task.', returned: 'with name' },
  },
  checkMode: true,
  check: (a) => (!a.name && !a.daemon_reload ? ['name is required unless daemon_reload is the only thing asked'] : []),
  async plan(ctx, a) {
    const scope = a.scope === 'user' ? ['--user'] : [];
    if (!a.name) {
      if (ctx.check) return { changed: false, msg: 'would run systemctl daemon-reload', data: { status: {} } };
      await mustRunTool(ctx, ['systemctl', ...scope, 'daemon-reload'], { providedBy: 'systemd' });
      return { changed: false, data: { status: {} } };
    }
    const name = a.name;
    if (a.daemon_reload && !ctx.check) await mustRunTool(ctx, ['systemctl', ...scope, 'daemon-reload'], { providedBy: 'systemd' });
    const showArgv = ['show', `--property=${PROPS.join(',')}`, name];
    const show = await systemctl(ctx, scope, showArgv);
    if (show.rc !== 0) throw new ModuleError(commandFailure(['systemctl', ...scope, ...showArgv], show));
    const status = parseShow(show.stdout);
    const data: SystemdData = { name, status, ...(a.state ? { state: a.state } : {}), ...(a.enabled !== undefined ? { enabled: a.enabled } : {}), ...(a.masked !== undefined ? { masked: a.masked } : {}) };
    const isMasked = status.LoadState === 'masked' || status.UnitFileState === 'masked' || status.UnitFileState === 'masked-runtime';
    const found = status.LoadState !== 'not-found' || isMasked;
    const steps: string[][] = [];
    if (a.masked !== undefined && a.masked !== isMasked) steps.push([a.masked ? 'mask' : 'unmask', name]);
    const willBeMasked = a.masked ?? isMasked;
    if (!found && !(a.masked === true) && (a.state !== undefined || a.enabled !== undefined)) {
      if (ctx.check && a.daemon_reload) return { changed: true, msg: `${name} is not loaded yet; daemon-reload would run first`, data };
      throw new ModuleError(`Could not find the requested service ${name}: ${ctx.host} has no such unit`);
    }
    if (a.enabled !== undefined) {
      if (willBeMasked && a.enabled) throw new ModuleError(`${name} is masked: it cannot be enabled (set masked: false)`);
      const r = await systemctl(ctx, scope, ['is-enabled', name]);
      const word = r.stdout.trim().split('\n')[0] ?? '';
      if (FIXED.has(word)) {
        if (!a.enabled) throw new ModuleError(`${name} is ${word}: it cannot be disabled (mask it instead)`);
      } else if (a.enabled !== ENABLED.has(word) && !(a.enabled === false && willBeMasked)) {
        steps.push([a.enabled ? 'enable' : 'disable', name]);
      }
    }
    const active = ['active', 'activating', 'reloading', 'deactivating'].includes(status.ActiveState ?? '');
    if (a.state !== undefined && willBeMasked && a.state !== 'stopped') throw new ModuleError(`${name} is masked: it cannot be ${a.state}`);
    if (a.state === 'started' && !active) steps.push(['start', name]);
    if (a.state === 'stopped' && active) steps.push(['stop', name]);
    if (a.state === 'restarted') steps.push(['restart', name]);
    if (a.state === 'reloaded') steps.push([active ? 'reload' : 'start', name]);
    if (steps.length === 0) return { changed: false, data };
    const msg = steps.map((s) => `systemctl ${s.join(' ')}`).join('; ');
    return {
      changed: true,
      msg,
      data,
      apply: async () => {
        for (const s of steps) await mustRunTool(ctx, ['systemctl', ...scope, ...s], { providedBy: 'systemd', env: { LANG: 'C' } });
        return {};
      },
    };
  },
});

export default systemd;
