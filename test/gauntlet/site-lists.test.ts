// site.yaml as users see it before running anything: --list-tasks, --list-tags and what --tags
// selects, through the CLI's own play command (the default inventory.yaml beside site.yaml).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { playCommand, type PlayOptions } from '../../engine/cli/play.js';
import { COMPONENTS, PLAYBOOKS, REPO } from './helpers.js';

const SITE = join(REPO, 'site.yaml');

async function gx(o: Partial<PlayOptions>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await playCommand([SITE], {
    inventory: [], extraVars: [], tags: [], skipTags: [], check: false, diff: false, forks: 5, verbose: 0, output: 'plain',
    profile: false, listTasks: false, listTags: false, listHosts: false, syntaxCheck: false, forceHandlers: false, rolesPath: [], ...o,
  }, out);
  expect(code).to.equal(0);
  return Buffer.concat(chunks).toString('utf8');
}

interface Listed { play: string; hosts: string; tags: string[]; tasks: { name: string; tags: string[] }[] }

/** --list-tasks output → plays with their selected tasks. */
function parseTasks(text: string): Listed[] {
  const plays: Listed[] = [];
  const tagsOf = (s: string) => (/TAGS: \[(.*)\]$/.exec(s)?.[1] ?? '').split(', ').filter(Boolean);
  for (const line of text.split('\n')) {
    const p = /^  play #\d+ \(([^)]*)\): (.*)\tTAGS: \[.*\]$/.exec(line);
    if (p) {
      plays.push({ hosts: p[1]!, play: p[2]!, tags: tagsOf(line), tasks: [] });
      continue;
    }
    const t = /^      (.*)\tTAGS: \[.*\]$/.exec(line);
    if (t && plays.length) plays[plays.length - 1]!.tasks.push({ name: t[1]!, tags: tagsOf(line) });
  }
  return plays;
}

/** Task names as written in a play of playbooks/<component>.yaml (a task without a name shows its module). */
function taskNames(component: string, index = 0): string[] {
  const plays = parse(readFileSync(join(PLAYBOOKS, `${component}.yaml`), 'utf8')) as Array<{ tasks: Array<Record<string, unknown>> }>;
  return plays[index]!.tasks.map((t) => String(t.name ?? Object.keys(t).find((k) => k !== 'name')));
}

/** The plays site.yaml runs after the preflight: one per component, and the k3s agents' after the k3s server's. */
const PLAYS = COMPONENTS.flatMap((c) => (c === 'k3s' ? ['k3s', 'k3s agents'] : [c]));
const hostsOf = (play: string) => (play === 'vm' ? 'localhost' : play === 'base' ? 'vms' : play === 'k3s agents' ? 'k3s_agents' : 'k3s');
const componentOf = (play: string) => play.split(' ')[0]!;

describe('site.yaml: --list-tasks, --list-tags, --tags', function () {
  this.timeout(60_000);

  it('--list-tasks: the preflight, then one play per component in order, every task tagged with its component', async () => {
    const plays = parseTasks(await gx({ listTasks: true }));
    expect(plays.map((p) => p.play)).to.deep.equal(['preflight — the offline bundle is complete and intact', ...PLAYS]);
    expect(plays[0]!.tags).to.include('always');
    for (const p of plays.slice(1)) {
      expect(p.hosts, p.play).to.equal(hostsOf(p.play));
      expect(p.tasks.length, p.play).to.be.greaterThan(0);
      for (const t of p.tasks) expect(t.tags, `${p.play}: ${t.name}`).to.include(componentOf(p.play));
      if (p.play !== 'api') expect(p.tasks.map((t) => t.name), p.play).to.deep.equal(taskNames(componentOf(p.play), p.play === 'k3s agents' ? 1 : 0));
    }
    // the API play is the role (playbooks/roles/api) and nothing else
    expect(plays.find((p) => p.play === 'api')!.tasks.slice(1).every((t) => t.name.startsWith('api : '))).to.equal(true);
  });

  it('--list-tags: every component tag, and always (plus the preflight play\'s own)', async () => {
    const text = await gx({ listTags: true });
    const preflight = parseTasks(await gx({ listTasks: true }))[0]!.tags;
    const all = new Set([...text.matchAll(/TASK TAGS: \[(.*)\]/g)].flatMap((m) => m[1]!.split(', ')));
    expect([...all].filter((t) => !preflight.includes(t)).sort()).to.deep.equal([...COMPONENTS].sort());
    expect(all).to.include('always');
  });

  it('--tags mesh: exactly the mesh tasks, plus the always-tagged preflight and VM lookup', async () => {
    const plays = parseTasks(await gx({ listTasks: true, tags: ['mesh'] }));
    const selected = plays.filter((p) => p.tasks.length > 0);
    expect(selected.map((p) => p.play)).to.deep.equal(['preflight — the offline bundle is complete and intact', 'vm', 'mesh']);
    for (const p of selected.slice(0, 2)) for (const t of p.tasks) expect(t.tags, t.name).to.include('always');
    expect(selected[2]!.tasks.map((t) => t.name)).to.deep.equal(taskNames('mesh'));
  });

  it('--tags base,k3s: those two components only (plus always)', async () => {
    const plays = parseTasks(await gx({ listTasks: true, tags: ['base,k3s'] }));
    expect(plays.filter((p) => p.tasks.length > 0).map((p) => p.play)).to.deep.equal([
      'preflight — the offline bundle is complete and intact', 'vm', 'base', 'k3s', 'k3s agents',
    ]);
  });

  it('--tags k3s: the server\'s play and the agents\' (plus always); the agents\' reads the token and waits on the server', async () => {
    const plays = parseTasks(await gx({ listTasks: true, tags: ['k3s'] }));
    const selected = plays.filter((p) => p.tasks.length > 0);
    expect(selected.map((p) => p.play)).to.deep.equal(['preflight — the offline bundle is complete and intact', 'vm', 'k3s', 'k3s agents']);
    expect(selected[3]!.tasks.map((t) => t.name)).to.deep.equal([
      'the join token, read on the server', 'K3s agent installed and joined', 'K3s agent configuration changed', "the node is Ready on the server, on the server's K3s version",
    ]);
  });

  it('--skip-tags verify: everything but the verify play', async () => {
    const plays = parseTasks(await gx({ listTasks: true, skipTags: ['verify'] }));
    expect(plays.find((p) => p.play === 'verify')!.tasks).to.deep.equal([]);
    expect(plays.filter((p) => p.play !== 'verify').every((p) => p.tasks.length > 0)).to.equal(true);
  });

  it('the teardown playbook removes the VM (state absent, purged), and its agents', () => {
    const plays = parse(readFileSync(join(PLAYBOOKS, 'teardown.yaml'), 'utf8')) as Array<{ hosts: string; tasks: Array<Record<string, any>> }>;
    const last = plays[plays.length - 1]!;
    expect(last.hosts).to.equal('localhost');
    const vms = last.tasks.filter((t) => t.multipass && t.when === 'agent is not defined').map((t) => t.multipass);
    expect(vms).to.deep.include({ state: 'absent', purge: true, name: '{{ vm_name }}' });
    expect(vms).to.deep.include({ state: 'absent', purge: true, name: '{{ item.name }}' });
  });
});
