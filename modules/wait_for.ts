// wait_for: probes run on the host because a port open there may be firewalled from the
// controller; bash's /dev/tcp needs no nc (Ubuntu server images have bash and coreutils' timeout,
// not always nc). The loop runs on the controller: over the long-lived SSH session a probe costs a
// few milliseconds, and the loop can honour cancellation.
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { sleep } from '../engine/sleep.js';
import { pyRegex } from './lib/py-regex.js';

export interface WaitForArgs {
  host?: string;
  port?: number;
  path?: string;
  state?: 'started' | 'stopped' | 'present' | 'absent';
  search_regex?: string;
  timeout?: number;
  delay?: number;
  sleep?: number;
  connect_timeout?: number;
  msg?: string;
}

export interface WaitForData {
  elapsed: number;
  state: string;
  port?: number;
  path?: string;
  search_regex?: string;
  match_groups?: string[];
  match_groupdict?: Record<string, string>;
}

// $1 host, $2 port, $3 seconds to wait for the connection (and, with $4=read, for the first data).
// The read stage prints what the server sends until it closes or goes quiet (0.5 s after the first
// line, so a server that keeps the connection open, like sshd after its banner, does not cost the
// whole connect timeout); its exit status does not matter, the connect stage already succeeded.
const PORT_PROBE = [
  'exec 2>/dev/null',
  'timeout "$3" bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$1" "$2" || exit 1',
  '[ "$4" = read ] || exit 0',
  'timeout "$3" bash -c \'exec 3<>"/dev/tcp/$0/$1" || exit 1; t=$2; while IFS= read -r -t "$t" l <&3; do printf "%s\\n" "$l"; t=0.5; done; printf "%s" "$l"\' "$1" "$2" "$3"',
  'exit 0',
].join('\n');

interface Probe {
  /** the awaited condition holds */
  ok: boolean;
  /** what was seen, for messages */
  seen: string;
  match?: RegExpExecArray;
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function probePort(ctx: ModuleContext, a: WaitForArgs, re: RegExp | undefined, wantOpen: boolean): Promise<Probe> {
  const host = a.host ?? '127.0.0.1';
  const ct = String(a.connect_timeout ?? 5);
  const line = `bash -c ${q(PORT_PROBE)} probe ${q(host)} ${q(String(a.port))} ${q(ct)} ${re ? 'read' : 'connect'}`;
  const res = await ctx.conn.run({ shell: line });
  if (res.rc === 127) throw new ModuleError(`bash is not installed on ${ctx.host}: wait_for probes ports with bash's /dev/tcp`);
  const open = res.rc === 0;
  if (!wantOpen) return { ok: !open, seen: open ? 'open' : 'closed' };
  if (!open) return { ok: false, seen: 'closed' };
  if (!re) return { ok: true, seen: 'open' };
  const m = re.exec(res.stdout);
  return { ok: m !== null, seen: m ? 'open, pattern found' : 'open, pattern not seen yet', match: m ?? undefined };
}

async function probePath(ctx: ModuleContext, a: WaitForArgs, re: RegExp | undefined, wantPresent: boolean): Promise<Probe> {
  const st = await ctx.conn.stat(a.path!, { followLinks: true });
  if (!wantPresent) return { ok: st === null, seen: st ? 'present' : 'absent' };
  if (!st) return { ok: false, seen: 'absent' };
  if (!re) return { ok: true, seen: 'present' };
  if (st.type !== 'file') return { ok: false, seen: `present (a ${st.type}, cannot search it)` };
  const buf = await ctx.conn.get(a.path!);
  const m = buf ? re.exec(buf.toString('utf8')) : null;
  return { ok: m !== null, seen: m ? 'present, pattern found' : 'present, pattern not found yet', match: m ?? undefined };
}

/** Sleeps; Ctrl-C ends the wait as a failure, not as a wait that passed. */
async function sleepOrFail(ms: number, signal: AbortSignal): Promise<void> {
  if (!(await sleep(ms, signal))) throw new ModuleError('wait_for interrupted');
}

function describe(a: WaitForArgs, state: string): string {
  const what = a.port !== undefined ? `${a.host ?? '127.0.0.1'}:${a.port}` : a.path !== undefined ? a.path : undefined;
  if (!what) return `${a.timeout ?? 300}s to pass`;
  const goal = a.port !== undefined ? (state === 'stopped' ? 'to be closed' : 'to accept connections') : state === 'absent' || state === 'stopped' ? 'to be absent' : 'to exist';
  const pattern = a.search_regex !== undefined && goal !== 'to be absent' && goal !== 'to be closed' ? ` and match /${a.search_regex}/` : '';
  return `${what} ${goal}${pattern}`;
}

export const wait_for = defineModule<WaitForArgs, WaitForData>({
  name: 'wait_for',
  summary: 'Wait for a port to open or close, or a file to appear, disappear or contain a pattern, on the host.',
  description:
    'Probes from the host itself (bash /dev/tcp for ports, the connection for paths) every `sleep` seconds until the condition holds or `timeout` passes, which fails the task. With neither port nor path it just waits `timeout` seconds. Never reports a change. In check mode it probes once and says what it would wait for.',
  schema: {
    type: 'object',
    properties: {
      host: { type: 'string', default: '127.0.0.1', description: 'Address to connect to, as seen from the host.' },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port to probe.' },
      path: { type: 'string', description: 'File whose presence (or content, with search_regex) is awaited.' },
      state: {
        type: 'string',
        enum: ['started', 'stopped', 'present', 'absent'],
        default: 'started',
        description: 'started/present: the port accepts connections or the path exists; stopped/absent: the port refuses connections or the path is gone.',
      },
      search_regex: { type: 'string', description: 'Regular expression the file content (path) or the data the port sends first (port) must match.' },
      timeout: { type: 'number', minimum: 0, default: 300, description: 'Seconds to wait before failing.' },
      delay: { type: 'number', minimum: 0, default: 0, description: 'Seconds to wait before the first probe.' },
      sleep: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Seconds between probes.' },
      connect_timeout: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'Seconds one connection attempt may take (and, with search_regex, how long to read).' },
      msg: { type: 'string', description: 'Message of the failure when the timeout passes, instead of the default one.' },
    },
    additionalProperties: false,
    not: { required: ['port', 'path'] },
  },
  examples: [
    `- name: Wait for the API to listen
  wait_for:
    port: 8080
    timeout: 60`,
    `- name: Wait for k3s to write its kubeconfig
  wait_for:
    path: /etc/rancher/k3s/k3s.yaml
    search_regex: 'server: https://'`,
    `- name: Wait for the old server to let go of the port
  wait_for:
    port: 5432
    state: stopped`,
  ],
  returns: {
    elapsed: { type: 'float', description: 'Seconds waited.', returned: 'always' },
    state: { type: 'str', description: 'The awaited state.', returned: 'always' },
    port: { type: 'int', description: 'The port.', returned: 'with port' },
    path: { type: 'str', description: 'The path.', returned: 'with path' },
    search_regex: { type: 'str', description: 'The pattern.', returned: 'with search_regex' },
    match_groups: { type: 'list', description: 'The groups of the search_regex match.', returned: 'with search_regex' },
    match_groupdict: { type: 'dict', description: 'The named groups of the search_regex match.', returned: 'with search_regex' },
  },
  checkMode: true,
  check(a) {
    const state = a.state ?? 'started';
    return a.port !== undefined && (state === 'present' || state === 'absent') ? [`state=${state} is for path; use started/stopped with port`] : [];
  },
  async plan(ctx, a) {
    const state = a.state ?? 'started';
    const re = a.search_regex !== undefined ? pyRegex(a.search_regex, 'm', 'search_regex') : undefined;
    const want = state === 'started' || state === 'present';
    const timeout = a.timeout ?? 300;
    const probe = a.port !== undefined ? () => probePort(ctx, a, re, want) : a.path !== undefined ? () => probePath(ctx, a, re, want) : undefined;
    const base: WaitForData = { elapsed: 0, state, ...(a.port !== undefined ? { port: a.port } : {}), ...(a.path !== undefined ? { path: a.path } : {}), ...(a.search_regex !== undefined ? { search_regex: a.search_regex } : {}) };
    if (ctx.check) {
      const now = probe ? ` (now: ${(await probe()).seen})` : '';
      const msg = `would wait up to ${timeout}s for ${describe(a, state)}${now}`;
      return { changed: false, msg, data: base };
    }
    const start = Date.now();
    if (a.delay) await sleepOrFail(a.delay * 1000, ctx.signal);
    if (!probe) {
      await sleepOrFail(timeout * 1000, ctx.signal);
      return { changed: false, data: { ...base, elapsed: (Date.now() - start) / 1000 } };
    }
    const deadline = start + timeout * 1000;
    let last: Probe;
    for (;;) {
      last = await probe();
      if (last.ok) break;
      if (Date.now() >= deadline) {
        const elapsed = (Date.now() - start) / 1000;
        return { changed: false, failed: true, msg: a.msg ?? `Timeout when waiting for ${describe(a, state)} (last seen: ${last.seen})`, data: { ...base, elapsed } };
      }
      await sleepOrFail(Math.min((a.sleep ?? 1) * 1000, Math.max(0, deadline - Date.now())), ctx.signal);
    }
    const data: WaitForData = { ...base, elapsed: (Date.now() - start) / 1000 };
    if (last.match) {
      data.match_groups = last.match.slice(1).map((g) => g ?? '');
      data.match_groupdict = { ...(last.match.groups ?? {}) };
    }
    return { changed: false, data };
  },
});

export default wait_for;
