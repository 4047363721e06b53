// multipass: the configured spec is read with `multipass get local.NAME.cpus|memory|disk` because
// info's memory and disk totals are what the guest sees, smaller than what was asked for, so they
// cannot be compared. A spec is never changed in place: that needs the VM stopped, and disks only
// grow. A deleted instance is recovered, not relaunched: `multipass recover NAME` gives back the
// same disk and name without touching other instances, whereas purging it would need
// `multipass purge`, which purges every deleted instance.
import { argvToShell } from '../engine/connect/connection.js';
import { ModuleError } from '../engine/errors.js';
import { defineModule, type DiffEntry, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { Unknown } from '../engine/vars/unknown.js';
import { commandFailure } from './lib/host-tool.js';
import { firstIpv4, Multipass, type Info, type Listed, type Spec } from './lib/multipass/cli.js';
import { renderCloudInit, withCloudInitFile, type CloudInit } from './lib/multipass/cloud-init.js';
import { releaseOf, wantedRelease } from './lib/multipass/image.js';
import { checkLocalImage, localImagePath } from './lib/multipass/local-image.js';
import { sameSize } from './lib/multipass/sizes.js';

export interface MultipassArgs {
  name: string;
  image: string;
  cpus: number;
  memory: string;
  disk: string;
  cloud_init?: string;
  state: 'present' | 'absent' | 'started' | 'stopped';
  purge: boolean;
  timeout: number;
  on_difference: 'warn' | 'fail';
}

export interface Difference {
  wanted: string;
  actual: string;
}

export interface MultipassData {
  name: string;
  /** multipass's state (Running, Stopped, …), or "absent" */
  state: string;
  ipv4: string | null | Unknown;
  info: Info | null | Unknown;
  differences: Record<string, Difference> | Unknown;
  /** the multipass commands that changed something (or would, in check mode) */
  commands?: string[][];
}

const SIZE = '^[0-9]+(\\.[0-9]+)?([KkMmGgTt]([Ii]?[Bb])?|[Bb])?$';
const READ_TIMEOUT = 60;
/** extra seconds the client gets past its own --timeout, so multipass reports the timeout itself */
const GRACE = 30;

export const multipass = defineModule<MultipassArgs, MultipassData>({
  name: 'multipass',
  summary: 'Launch, start, stop or delete a Multipass VM on the controller, with a rendered cloud-init; returns its IPv4 and multipass info.',
  description:
    'Runs the `multipass` client **on the controller** (whatever the task\'s host). A missing instance is launched with ' +
    '`multipass launch --name NAME --cpus C --memory M --disk D --cloud-init FILE --timeout T IMAGE`, the cloud-init file being ' +
    '`cloud_init` rendered with the task\'s variables (e.g. to put the controller\'s public SSH key in place).\n\n' +
    'An existing instance is compared with the wanted spec (`multipass get local.NAME.cpus|memory|disk` and the release in ' +
    '`multipass info`): a difference is returned in `differences` and reported in the message, and fails the task with ' +
    '`on_difference: fail`; it is never changed in place. The cloud-init only applies at launch. A deleted but not purged ' +
    'instance is recovered (`multipass recover`), not relaunched; with state absent, `purge: true` purges it. ' +
    'Check mode only reads (list, info, get) and predicts the result, with `ipv4` unknown when the VM would be created or started.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$', description: 'The instance name.' },
      image: {
        type: 'string',
        minLength: 1,
        default: '24.04',
        description:
          'The image to launch: a release ("24.04"), a codename ("noble"), a file:// image or an http(s) URL. A release or codename makes multipassd read the online image index ' +
          'and download the image unless cached; `file:///abs/path.img` (e.g. an Ubuntu cloud image from an offline bundle) needs neither. For a file:// image the module checks first, ' +
          'before launching anything, that the file exists and that this Multipass can read it (macOS: the qemu or virtualbox driver; Linux snap: under /home, or /mnt and /media with ' +
          'removable-media connected). Only a release or a codename can be compared with an existing instance.',
      },
      cpus: { type: 'integer', minimum: 1, default: 2, description: 'Number of virtual CPUs (`--cpus`).' },
      memory: { type: 'string', pattern: SIZE, default: '4G', description: 'Memory (`--memory`), e.g. "4G", "4096M"; K, M and G are binary units as multipass takes them.' },
      disk: { type: 'string', pattern: SIZE, default: '30G', description: 'Disk size (`--disk`), e.g. "30G".' },
      cloud_init: { type: 'string', description: "A template under the role's or playbook's templates/ (Handlebars if the name ends in .hbs, else Jinja2) rendered with the task's variables and passed as `--cloud-init` at launch." },
      state: {
        type: 'string',
        enum: ['present', 'absent', 'started', 'stopped'],
        default: 'started',
        description: 'started: exists and runs (default); present: exists in whatever run state (a new one runs); stopped: exists and is stopped; absent: deleted.',
      },
      purge: { type: 'boolean', default: false, description: 'With state absent: purge the instance (`delete --purge`) so its name and disk are freed; without it, the instance stays recoverable.' },
      timeout: { type: 'integer', minimum: 1, default: 600, description: 'Seconds a launch or start may take (`--timeout`); reads are limited to the smaller of this and 60 s.' },
      on_difference: { type: 'string', enum: ['warn', 'fail'], default: 'warn', description: 'What an existing instance whose cpus, memory, disk or release differ does: warn (reported in msg and differences) or fail the task.' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: The gauntlet VM
  multipass:
    name: gauntlet
    image: "24.04"
    cpus: 4
    memory: 8G
    disk: 40G
    cloud_init: vm/cloud-init.yaml.hbs
    timeout: 900
  register: vm`,
    `- name: Stopped for the night
  multipass:
    name: gauntlet
    state: stopped`,
    `- name: Gone for good
  multipass:
    name: gauntlet
    state: absent
    purge: true`,
  ],
  returns: {
    name: { type: 'str', description: 'The instance name.', returned: 'always' },
    state: { type: 'str', description: 'The instance state as multipass names it (Running, Stopped, Deleted, …), or "absent".', returned: 'always' },
    ipv4: { type: 'str', description: 'The first IPv4 address of the instance; null when it is not running; unknown in check mode when it would be created or started.', returned: 'always' },
    info: { type: 'dict', description: 'The instance\'s entry of `multipass info NAME --format json` (state, ipv4, cpu_count, memory, disks, image_release, …).', returned: 'when the instance exists' },
    differences: { type: 'dict', description: 'Each spec key (cpus, memory, disk, image) whose actual value differs from the wanted one: {wanted, actual}. Empty when all match.', returned: 'always' },
    commands: { type: 'list', description: 'The multipass commands that changed something, or would in check mode.', returned: 'when changed' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(ctx, a) {
    const mp = new Multipass(ctx, ['multipass'], Math.min(a.timeout, READ_TIMEOUT));
    const local = a.state !== 'absent' ? localImagePath(a.image) : undefined;
    if (local !== undefined) {
      // the offline launch: refuse now, naming the cause, what multipassd would refuse later
      await checkLocalImage(ctx, mp, local);
      a = { ...a, image: `file://${local}` };
    }
    const ci = a.state !== 'absent' && a.cloud_init !== undefined ? await renderCloudInit(ctx, a.cloud_init) : undefined;
    const listed = await mp.find(a.name);
    if (a.state === 'absent') return planAbsent(mp, a, listed);
    if (!listed) return planLaunch(ctx, mp, a, ci);
    if (listed.state === 'Deleted') return planRecover(mp, a);
    return planExisting(mp, a, listed);
  },
});

function launchArgs(a: MultipassArgs, cloudInitFile: string | undefined): string[] {
  return [
    'launch', '--name', a.name, '--cpus', String(a.cpus), '--memory', a.memory, '--disk', a.disk,
    ...(cloudInitFile !== undefined ? ['--cloud-init', cloudInitFile] : []),
    '--timeout', String(a.timeout), a.image,
  ];
}

const startArgs = (a: MultipassArgs) => ['start', a.name, '--timeout', String(a.timeout)];
const stopArgs = (a: MultipassArgs) => ['stop', a.name];
const cmd = (args: string[]) => ['multipass', ...args];

function stateDiff(a: MultipassArgs, before: string, after: string, spec?: string): DiffEntry[] {
  return [{ label: `multipass instance ${a.name}`, before: before === 'absent' ? '' : `state: ${before}\n`, after: after === 'absent' ? '' : `state: ${after}\n${spec ?? ''}` }];
}

function specText(a: MultipassArgs): string {
  return `image: ${a.image}\ncpus: ${a.cpus}\nmemory: ${a.memory}\ndisk: ${a.disk}\n`;
}

/** The spec keys whose actual value is not the wanted one. */
export function compareSpec(a: MultipassArgs, spec: Spec, info: Info): Record<string, Difference> {
  const out: Record<string, Difference> = {};
  if (spec.cpus.trim() !== String(a.cpus)) out.cpus = { wanted: String(a.cpus), actual: spec.cpus };
  if (!sameSize(a.memory, spec.memory)) out.memory = { wanted: a.memory, actual: spec.memory };
  if (!sameSize(a.disk, spec.disk)) out.disk = { wanted: a.disk, actual: spec.disk };
  const want = wantedRelease(a.image);
  const have = String(info.image_release ?? '');
  if (want !== undefined && releaseOf(have) !== want) out.image = { wanted: a.image, actual: have };
  return out;
}

function differenceText(a: MultipassArgs, d: Record<string, Difference>): string {
  const parts = Object.entries(d).map(([k, v]) => `${k} ${v.actual || '(unknown)'} (wanted ${v.wanted})`);
  return (
    `instance ${a.name} exists with a different spec: ${parts.join(', ')}; multipass does not change it here ` +
    `(stop it and use \`multipass set local.${a.name}.KEY=VALUE\` for cpus, memory or a larger disk, or delete and relaunch it)`
  );
}

async function readBack(mp: Multipass, a: MultipassArgs): Promise<{ info: Info; differences: Record<string, Difference> }> {
  const info = await mp.info(a.name);
  return { info, differences: compareSpec(a, await mp.spec(a.name), info) };
}

function planLaunch(ctx: ModuleContext, mp: Multipass, a: MultipassArgs, ci: CloudInit | undefined): Plan<MultipassData> {
  const shown = cmd(launchArgs(a, ci ? `<${ci.path} rendered>` : undefined));
  const commands = a.state === 'stopped' ? [shown, cmd(stopArgs(a))] : [shown];
  const finalState = a.state === 'stopped' ? 'Stopped' : 'Running';
  return {
    changed: true,
    msg: `launch ${a.name}: ${argvToShell(shown)}${a.state === 'stopped' ? ', then stop it' : ''}`,
    diff: stateDiff(a, 'absent', finalState, specText(a)),
    data: {
      name: a.name,
      state: finalState,
      ipv4: a.state === 'stopped' ? null : new Unknown('the VM does not exist yet'),
      info: new Unknown('the VM does not exist yet'),
      differences: {},
      commands,
    },
    apply: async () => {
      const ran: string[][] = [];
      const launch = async (file: string | undefined) => {
        const args = launchArgs(a, file);
        ran.push(cmd(args));
        const res = await mp.run(args, a.timeout + GRACE);
        if (res.rc === 0 && !res.timedOut) return;
        // multipass only stops WAITING at its --timeout: the launch goes on in the background
        const late = res.timedOut || /timed out waiting/i.test(res.stderr);
        throw new ModuleError(commandFailure(cmd(args), res) + (late ? `\n${a.name} may still finish starting; a later run adopts it as it is (raise timeout for a slow first boot)` : ''));
      };
      if (ci) await withCloudInitFile(ctx, ci, launch);
      else await launch(undefined);
      if (a.state === 'stopped') {
        ran.push(cmd(stopArgs(a)));
        await mp.must(stopArgs(a), a.timeout);
      }
      const { info, differences } = await readBack(mp, a);
      return {
        changed: true,
        msg: `launched ${a.name}`,
        data: { name: a.name, state: String(info.state ?? finalState), ipv4: firstIpv4(info), info, differences, commands: ran },
      };
    },
  };
}

function planRecover(mp: Multipass, a: MultipassArgs): Plan<MultipassData> {
  const steps = [['recover', a.name], ...(a.state === 'started' ? [startArgs(a)] : [])];
  const finalState = a.state === 'started' ? 'Running' : 'Stopped';
  return {
    changed: true,
    msg: `recover ${a.name} (deleted, not purged)${a.state === 'started' ? ' and start it' : ''}`,
    diff: stateDiff(a, 'Deleted', finalState),
    data: {
      name: a.name,
      state: finalState,
      ipv4: a.state === 'started' ? new Unknown('the VM would be recovered and started') : null,
      info: new Unknown('the VM would be recovered'),
      differences: new Unknown('the spec of a deleted VM is read once it is recovered'),
      commands: steps.map(cmd),
    },
    apply: async () => {
      for (const s of steps) await mp.must(s, a.timeout + GRACE);
      const { info, differences } = await readBack(mp, a);
      const data = { name: a.name, state: String(info.state ?? finalState), ipv4: firstIpv4(info), info, differences, commands: steps.map(cmd) };
      if (Object.keys(differences).length > 0) {
        return { changed: true, failed: a.on_difference === 'fail', msg: `recovered ${a.name}, but ${differenceText(a, differences)}`, data };
      }
      return { changed: true, msg: `recovered ${a.name}`, data };
    },
  };
}

async function planExisting(mp: Multipass, a: MultipassArgs, listed: Listed): Promise<Plan<MultipassData>> {
  const { info, differences } = await readBack(mp, a);
  const state = String(info.state ?? listed.state);
  const warn = Object.keys(differences).length > 0 ? differenceText(a, differences) : undefined;
  const base: MultipassData = { name: a.name, state, ipv4: firstIpv4(info), info, differences };
  if (warn && a.on_difference === 'fail') return { changed: false, failed: true, msg: warn, data: base };

  const step = a.state === 'started' && state !== 'Running' ? startArgs(a) : a.state === 'stopped' && state !== 'Stopped' ? stopArgs(a) : undefined;
  if (!step) return { changed: false, data: base, ...(warn ? { msg: warn } : {}) };

  const finalState = a.state === 'started' ? 'Running' : 'Stopped';
  const what = `${step[0]} ${a.name} (${state})`;
  return {
    changed: true,
    msg: warn ? `${what}; ${warn}` : what,
    diff: stateDiff(a, state, finalState),
    data: { ...base, state: finalState, ipv4: a.state === 'started' ? new Unknown('the VM would be started') : null, commands: [cmd(step)] },
    apply: async () => {
      await mp.must(step, a.timeout + GRACE);
      const after = await mp.info(a.name);
      return {
        changed: true,
        msg: warn ? `${what}; ${warn}` : what,
        data: { ...base, state: String(after.state ?? finalState), ipv4: firstIpv4(after), info: after, commands: [cmd(step)] },
      };
    },
  };
}

function planAbsent(mp: Multipass, a: MultipassArgs, listed: Listed | undefined): Plan<MultipassData> {
  const gone: MultipassData = { name: a.name, state: 'absent', ipv4: null, info: null, differences: {} };
  if (!listed) return { changed: false, data: gone };
  if (listed.state === 'Deleted' && !a.purge) {
    return { changed: false, msg: `${a.name} is deleted but not purged (recoverable); purge: true removes it for good`, data: { ...gone, state: 'Deleted' } };
  }
  const del = ['delete', ...(a.purge ? ['--purge'] : []), a.name];
  const finalState = a.purge ? 'absent' : 'Deleted';
  return {
    changed: true,
    msg: `${a.purge ? 'delete and purge' : 'delete'} ${a.name} (${listed.state}): ${argvToShell(cmd(del))}`,
    diff: stateDiff(a, listed.state, 'absent'),
    data: { ...gone, state: finalState, commands: [cmd(del)] },
    apply: async () => {
      await mp.must(del, a.timeout + GRACE);
      return { changed: true, data: { ...gone, state: finalState, commands: [cmd(del)] } };
    },
  };
}

export default multipass;
