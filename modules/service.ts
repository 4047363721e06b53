// service: start/stop/restart/reload a service and enable it at boot, whatever the init system
// (the action plugin lib/ansible/plugins/action/service.py and lib/ansible/modules/service.py at
// v2.17.5): with systemd as the service manager (ansible_service_mgr, read from the host when not
// gathered) it is the systemd module; otherwise the `service` command or the /etc/init.d script,
// with update-rc.d or chkconfig for `enabled`, like Ansible's LinuxService.
import { ModuleArgsError } from '../engine/errors.js';
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { shellQuote } from '../engine/connect/connection.js';
import { serviceMgr } from './lib/facts/parse.js';
import { SUBSET_SECTIONS } from './lib/facts/script.js';
import systemd from './systemd.js';
import { planWith } from './lib/delegate.js';

export interface ServiceArgs {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  arguments?: string;
  use: 'auto' | 'systemd' | 'sysvinit' | 'service';
}

async function managerOf(ctx: ModuleContext, use: ServiceArgs['use']): Promise<string> {
  if (use !== 'auto') return use;
  const fact = ctx.vars.ansible_service_mgr;
  if (typeof fact === 'string' && fact !== '') return fact;
  const r = await ctx.conn.run({ shell: SUBSET_SECTIONS.min.svcmgr });
  return serviceMgr(r.stdout);
}

/** The systemd module with what service was given. */
function viaSystemd(ctx: ModuleContext, a: ServiceArgs): Promise<Plan> {
  const args: Record<string, unknown> = { name: a.name };
  if (a.state !== undefined) args.state = a.state;
  if (a.enabled !== undefined) args.enabled = a.enabled;
  return planWith(systemd, ctx, args);
}

/** One round trip: how to drive the service, whether it runs, whether it starts at boot. */
function readScript(name: string): string {
  const n = shellQuote(name);
  return [
    `if [ -x /etc/init.d/${name} ]; then echo init=/etc/init.d/${name}; fi`,
    'command -v service >/dev/null 2>&1 && echo service=$(command -v service)',
    'command -v update-rc.d >/dev/null 2>&1 && echo rcd=update-rc.d',
    'command -v chkconfig >/dev/null 2>&1 && echo rcd=chkconfig',
    `if [ -x /etc/init.d/${name} ]; then /etc/init.d/${name} status >/dev/null 2>&1; echo status=$?; fi`,
    `ls /etc/rc[2345].d/S[0-9][0-9]${name} >/dev/null 2>&1 && echo enabled=yes`,
    `command -v chkconfig >/dev/null 2>&1 && chkconfig --list ${n} 2>/dev/null | grep -q '[2345]:on' && echo enabled=yes`,
    'true',
  ].join('; ');
}

async function viaInitScripts(ctx: ModuleContext, a: ServiceArgs): Promise<Plan> {
  if (!/^[A-Za-z0-9@._+-]+$/.test(a.name)) throw new ModuleArgsError(`service: '${a.name}' is not a service name`, { loc: ctx.loc });
  const r = await ctx.conn.run({ shell: readScript(a.name) });
  const seen: Record<string, string> = {};
  for (const l of r.stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) seen[l.slice(0, i)] ??= l.slice(i + 1);
  }
  if (!seen.init) return { changed: false, failed: true, msg: `Could not find the requested service ${a.name}: host` };
  const running = seen.status === '0';
  const enabled = seen.enabled === 'yes';
  const extra = a.arguments ? ` ${a.arguments}` : '';
  const action = (verb: string) => (seen.service ? `${shellQuote(seen.service)} ${shellQuote(a.name)} ${verb}${extra}` : `${shellQuote(seen.init!)} ${verb}${extra}`);
  const steps: string[] = [];
  if (a.enabled !== undefined && a.enabled !== enabled) {
    if (seen.rcd === 'update-rc.d') steps.push(a.enabled ? `update-rc.d ${shellQuote(a.name)} defaults && update-rc.d ${shellQuote(a.name)} enable` : `update-rc.d ${shellQuote(a.name)} disable`);
    else if (seen.rcd === 'chkconfig') steps.push(`chkconfig ${shellQuote(a.name)} ${a.enabled ? 'on' : 'off'}`);
    else return { changed: false, failed: true, msg: `service: neither update-rc.d nor chkconfig on the host: cannot ${a.enabled ? 'enable' : 'disable'} ${a.name}` };
  }
  if (a.state === 'started' && !running) steps.push(action('start'));
  else if (a.state === 'stopped' && running) steps.push(action('stop'));
  else if (a.state === 'restarted') steps.push(running ? action('restart') : action('start'));
  else if (a.state === 'reloaded') steps.push(running ? action('reload') : action('start'));
  const after = { running: a.state === 'stopped' ? false : a.state === undefined ? running : true, enabled: a.enabled ?? enabled };
  const data = { name: a.name, state: a.state ?? (running ? 'started' : 'stopped'), enabled: after.enabled, status: { running: after.running } };
  if (steps.length === 0) return { changed: false, data: { ...data, status: { running } } };
  return {
    changed: true,
    data,
    apply: async () => {
      for (const s of steps) {
        const out = await ctx.conn.run({ shell: s });
        if (out.rc !== 0) return { failed: true, msg: `${s} failed (rc ${out.rc}): ${(out.stderr || out.stdout).trim()}`, data };
      }
      return { data };
    },
  };
}

export const service = defineModule<ServiceArgs>({
  name: 'service',
  summary: 'Start, stop, restart or reload a service and choose whether it starts at boot, whatever the init system.',
  description:
    'With systemd (the host\'s `ansible_service_mgr`, read from the host when facts were not gathered) this is the `systemd` module. ' +
    'Otherwise the service is driven with the `service` command, or its /etc/init.d script, and `status` tells whether it runs; ' +
    '`enabled` uses update-rc.d (Debian) or chkconfig. restarted and reloaded always act.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, description: 'The service.' },
      state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'], description: 'started/stopped: act only when needed; restarted/reloaded: always act.' },
      enabled: { type: 'boolean', description: 'Whether the service starts at boot.' },
      arguments: { type: 'string', description: 'Extra arguments for the init script (not with systemd). Ansible also calls it `args`.' },
      use: {
        type: 'string',
        enum: ['auto', 'systemd', 'sysvinit', 'service'],
        default: 'auto',
        description: 'Which way to drive it: auto (from the service manager), systemd, or the init scripts (sysvinit or service).',
      },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: nginx runs and starts at boot
  service:
    name: nginx
    state: started
    enabled: true`,
  ],
  returns: {
    name: { type: 'str', description: 'The service.', returned: 'always' },
    state: { type: 'str', description: 'The state asked for (or found).', returned: 'always' },
    enabled: { type: 'bool', description: 'Whether it starts at boot.', returned: 'with init scripts' },
    status: { type: 'dict', description: 'What the manager reports (systemd: its unit properties; init scripts: `running`).', returned: 'always' },
  },
  checkMode: true,
  check(a) {
    return a.state === undefined && a.enabled === undefined ? ['give at least one of state and enabled'] : [];
  },
  async plan(ctx, a) {
    const mgr = await managerOf(ctx, a.use);
    if (mgr === 'systemd') {
      // the service action drops it for systemd with this warning (UNUSED_PARAMS)
      const warnings = a.arguments !== undefined ? ['Ignoring "arguments" as it is not used in "systemd"'] : undefined;
      return { ...(await viaSystemd(ctx, a)), ...(warnings ? { warnings } : {}) };
    }
    return viaInitScripts(ctx, a);
  },
});

export default service;
