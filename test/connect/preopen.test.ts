// Pre-opening a play's connections (engine/connect/preopen.ts, pool.preopen): all hosts at once up
// to forks, only when the play's first task reaches its hosts, and a failed pre-open not kept.
import { expect } from 'chai';
import type { Connection } from '../../engine/connect/connection.js';
import { ConnectionPool } from '../../engine/connect/pool.js';
import { firstTaskConnects, preopenConnections } from '../../engine/connect/preopen.js';
import { modules } from '../../modules/index.js';
import { compile } from '../compile/helpers.js';

/** connections that count their connects, stay in the handshake until released, and fail when told */
function fakes() {
  const state = { connects: [] as string[], inFlight: 0, maxInFlight: 0, failNext: new Set<string>() };
  const make = (host: string): Connection =>
    ({
      host,
      async connect() {
        state.connects.push(host);
        state.inFlight += 1;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        await new Promise((r) => setTimeout(r, 5));
        state.inFlight -= 1;
        if (state.failNext.delete(host)) throw new Error(`${host} is not up yet`);
      },
      async close() {},
    }) as unknown as Connection;
  return { state, pool: new ConnectionPool({ local: make }) };
}

const local = { ansible_connection: 'local' };
const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];

describe('pre-opening connections', () => {
  it('opens every host, at most `limit` handshakes at once', async () => {
    const { state, pool } = fakes();
    await preopenConnections(pool, hosts, () => local, 2);
    expect([...state.connects].sort()).to.deep.equal(hosts);
    expect(state.maxInFlight).to.equal(2);
    // the tasks then find them open
    await Promise.all(hosts.map((h) => pool.get(h, local)));
    expect(state.connects).to.have.length(5);
  });

  it('does not keep a failure: the task that needs the host connects again', async () => {
    const { state, pool } = fakes();
    state.failNext.add('h2');
    await preopenConnections(pool, ['h1', 'h2'], () => local, 5);
    expect(state.connects.filter((h) => h === 'h2')).to.have.length(1);
    await pool.get('h2', local);
    expect(state.connects.filter((h) => h === 'h2')).to.have.length(2);
  });

  it('while a get() failure stays (one reason for every task)', async () => {
    const { state, pool } = fakes();
    state.failNext.add('h1');
    await pool.get('h1', local).catch(() => undefined);
    await pool.get('h1', local).catch(() => undefined);
    expect(state.connects).to.deep.equal(['h1']);
  });

  it('skips a host whose variables cannot be rendered yet, and never rejects', async () => {
    const { state, pool } = fakes();
    await preopenConnections(
      pool,
      ['bad', 'h1'],
      (h) => {
        if (h === 'bad') throw new Error('undefined variable');
        return local;
      },
      1,
    );
    expect(state.connects).to.deep.equal(['h1']);
  });

  describe("only when the play's first task reaches its hosts", () => {
    const first = (tasks: string): boolean => {
      const pb = compile({ 'site.yaml': `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}` });
      return firstTaskConnects(pb.plays[0]!, modules);
    };
    it('a command, also inside a block: yes', () => {
      expect(first('    - command: uptime\n')).to.equal(true);
      expect(first('    - block:\n        - copy: { dest: /tmp/x, content: x }\n')).to.equal(true);
    });
    it('fact gathering first: yes, whatever the first task', () => {
      const pb = compile({ 'site.yaml': '- hosts: all\n  gather_facts: true\n  tasks:\n    - debug: { msg: hi }\n' });
      expect(firstTaskConnects(pb.plays[0]!, modules)).to.equal(true);
    });
    it('a controller-only module or a delegated task first: no (it may create the machine)', () => {
      expect(first('    - debug: { msg: hi }\n    - command: uptime\n')).to.equal(false);
      expect(first('    - command: make-vm\n      delegate_to: localhost\n    - command: uptime\n')).to.equal(false);
    });
    it('remote_user on the play or the first task: no (the login user is rendered per task)', () => {
      expect(first('    - command: uptime\n      remote_user: deploy\n')).to.equal(false);
      const pb = compile({ 'site.yaml': '- hosts: all\n  gather_facts: true\n  remote_user: deploy\n  tasks:\n    - command: uptime\n' });
      expect(firstTaskConnects(pb.plays[0]!, modules)).to.equal(false);
    });
    it('a dynamic include first: no (its tasks are known at run time)', () => {
      expect(first('    - include_tasks: "{{ which }}.yaml"\n')).to.equal(false);
    });
    it('no tasks: no', () => {
      expect(first('')).to.equal(false);
    });
  });
});
