// k3s_nodes against the k3s command doubles (test/doubles/k3s): a server and two agents, each with
// its own "host" (doubles state), joined through one cluster directory the way agents register with
// the server at K3S_URL. K3s cannot run here; the doubles replay install.sh's agent mode and
// kubectl's get nodes / drain / delete node output.
import { expect } from 'chai';
import { join } from 'node:path';
import { EnvConnection } from '../doubles/doubles.js';
import k3s from '../../modules/k3s.js';
import k3s_nodes from '../../modules/k3s_nodes.js';
import { makeK3sDoubles, type K3sDoubles } from '../doubles/k3s/doubles.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import { makeContext, runModule } from './harness.js';

const V = 'v1.31.7+k3s1';
const OLD = 'v1.30.4+k3s1';

describe('k3s_nodes: a server and two agents (k3s command doubles, one cluster directory)', () => {
  let server: K3sDoubles;
  let agents: K3sDoubles[];
  let cluster: string;
  const conn = (d: K3sDoubles) => new EnvConnection(d.conn, { GX_K3S_CLUSTER: cluster });
  const args = (d: K3sDoubles, binary: string) => ({ version: V, binary_src: binary, install_script_src: d.script, ...d.dirs });
  const dirsOf = (d: K3sDoubles) => ({ bin_dir: d.dirs.bin_dir, config_dir: d.dirs.config_dir, data_dir: d.dirs.data_dir });
  const nodesArgs = (extra: Record<string, unknown>) => ({ ...dirsOf(server), version: V, ...extra });

  beforeEach(async () => {
    server = await makeK3sDoubles();
    agents = [await makeK3sDoubles(), await makeK3sDoubles()];
    cluster = join(server.state, 'cluster');
    const bin = await server.binary(V);
    const up = await runModule(k3s, { ...args(server, bin), node_ip: '10.0.0.5' }, { conn: conn(server) });
    expect(up.failed, up.msg).to.equal(false);
  });

  async function join_(i: number, token: string, version = V): Promise<ReturnType<typeof runModule>> {
    const d = agents[i]!;
    const bin = await d.binary(version);
    return runModule(k3s, { ...args(d, bin), version, role: 'agent', server_url: 'https://10.0.0.5:6443', token, node_ip: `10.0.0.${6 + i}`, exec_flags: [`--node-name=agent-${i}`] }, { conn: conn(d) });
  }

  it('hands out the join token (a secret), agents join with it, and the wait sees every node Ready', async () => {
    const secrets: string[] = [];
    const look = await executeModule(k3s_nodes, nodesArgs({ nodes: [], wait: false }), { ...makeContext({ conn: conn(server) }), secret: (s) => secrets.push(s) });
    expect(look.failed, look.msg).to.equal(false);
    const token = look.data.token as string;
    expect(token).to.match(/^K10[0-9a-f]{64}::server:/);
    expect(secrets).to.include(token);
    for (const i of [0, 1]) expect((await join_(i, token)).failed).to.equal(false);

    const ready = await runModule(k3s_nodes, nodesArgs({ nodes: [{ name: 'agent-0' }, 'agent-1'] }), { conn: conn(server) });
    expect(ready.failed, ready.msg).to.equal(false);
    expect(ready.changed).to.equal(false);
    expect((ready.data.nodes as { name: string; ready: boolean; version: string }[]).map((n) => [n.name.startsWith('agent') ? n.name : 'server', n.ready, n.version])).to.deep.equal([
      ['server', true, V], ['agent-0', true, V], ['agent-1', true, V],
    ]);
    // the agents' calls: the token went over stdin only, never into an argument the doubles recorded
    for (const d of agents) expect(JSON.stringify(await d.calls())).not.to.contain(token.split('::server:')[1]);
  });

  it('an agent with a wrong token never joins: the wait fails naming the node', async () => {
    expect((await join_(0, 'K10bad::server:wrong')).failed).to.equal(false);
    const r = await runModule(k3s_nodes, nodesArgs({ nodes: ['agent-0'], wait_timeout: 1 }), { conn: conn(server) });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.contain('node agent-0 has not joined');
    expect(await agents[0]!.read('k3s/agent.log')).to.contain('failed to validate token');
  });

  it('a version mismatch is reported by name: a failure for the nodes waited on, a warning for the others', async () => {
    const look = await runModule(k3s_nodes, nodesArgs({ nodes: [], wait: false }), { conn: conn(server) });
    const token = look.data.token as string;
    expect((await join_(0, token, OLD)).failed).to.equal(false);
    expect((await join_(1, token)).failed).to.equal(false);
    const r = await runModule(k3s_nodes, nodesArgs({ nodes: ['agent-0'], wait_timeout: 1 }), { conn: conn(server) });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.contain(`node agent-0 runs K3s ${OLD}, not ${V} like the server`);
    const other = await runModule(k3s_nodes, nodesArgs({ nodes: ['agent-1'] }), { conn: conn(server) });
    expect(other.failed, other.msg).to.equal(false);
    expect(other.data.warnings).to.deep.equal([`node agent-0 runs K3s ${OLD}, not ${V} like the server: run the k3s play on it again (gx play site.yaml --tags k3s --limit localhost,agent-0) so it gets the same binary`]);
  });

  it('an agent on the wanted version next to a server on another one: the server is named', async () => {
    const look = await runModule(k3s_nodes, nodesArgs({ nodes: [], wait: false }), { conn: conn(server) });
    const NEW = 'v1.32.3+k3s1';
    expect((await join_(0, look.data.token as string, NEW)).failed).to.equal(false);
    const r = await runModule(k3s_nodes, nodesArgs({ nodes: ['agent-0'], version: NEW, wait_timeout: 1 }), { conn: conn(server) });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(new RegExp(`the server's node \\S+ runs K3s ${V.replace(/[.+]/g, '\\$&')}, not ${NEW.replace(/[.+]/g, '\\$&')}: run the k3s play on the server first`));
  });

  it('state absent drains then deletes a node: check → apply → no change → check', async () => {
    const token = (await runModule(k3s_nodes, nodesArgs({ nodes: [], wait: false }), { conn: conn(server) })).data.token as string;
    for (const i of [0, 1]) await join_(i, token);
    await server.clearCalls();
    const gone = nodesArgs({ nodes: ['agent-1'], state: 'absent', drain_timeout: 60 });
    const check = await runModule(k3s_nodes, gone, { conn: conn(server), check: true });
    expect([check.changed, check.msg]).to.deep.equal([true, 'drain and delete node agent-1']);
    expect((await server.calls()).filter((c) => c[1] === 'kubectl').map((c) => c.slice(3))).to.deep.equal([['get', 'nodes', '-o', 'json']]);
    const apply = await runModule(k3s_nodes, gone, { conn: conn(server) });
    expect([apply.failed, apply.changed, apply.data.removed]).to.deep.equal([false, true, ['agent-1']]);
    expect((await server.calls()).filter((c) => c[1] === 'kubectl' && c[3] !== 'get').map((c) => c.slice(3))).to.deep.equal([
      ['drain', 'agent-1', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s'],
      ['delete', 'node', 'agent-1'],
    ]);
    expect((apply.data.nodes as { name: string }[]).map((n) => n.name)).to.not.include('agent-1');
    const again = await runModule(k3s_nodes, gone, { conn: conn(server) });
    expect([again.failed, again.changed]).to.deep.equal([false, false]);
    const checkAgain = await runModule(k3s_nodes, gone, { conn: conn(server), check: true });
    expect(checkAgain.changed).to.equal(false);
  });

  it('check mode before the server runs: the token and nodes are unknown, nothing fails', async () => {
    const fresh = await makeK3sDoubles();
    const r = await runModule(k3s_nodes, { ...dirsOf(fresh), nodes: ['agent-0'], version: V }, { conn: fresh.conn, check: true });
    expect(r.failed, r.msg).to.equal(false);
    expect(isUnknown(r.data.token)).to.equal(true);
    const real = await runModule(k3s_nodes, { ...dirsOf(fresh), nodes: ['agent-0'], state: 'absent' }, { conn: fresh.conn });
    expect(real.failed).to.equal(true);
    expect(real.msg).to.contain('does not answer');
  });
});
