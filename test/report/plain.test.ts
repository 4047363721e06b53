import { expect } from 'chai';
import type { GxEvent } from '../../engine/report/events.js';
import { PlainReporter } from '../../engine/report/plain.js';
import { CaptureStream, ev, stars } from './helpers.js';

function run(events: GxEvent[], opts: { verbosity?: number; profile?: boolean; color?: boolean } = {}): string {
  const out = new CaptureStream();
  const r = new PlainReporter({ verbosity: opts.verbosity ?? 0, profile: opts.profile ?? false, color: opts.color ?? false, stream: out });
  for (const e of events) r.handle(e);
  return out.text;
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('report/plain', () => {
  it('prints a typical run: ok, changed, skipped, failed, unreachable, recap', () => {
    const hosts = ['web1', 'web2', 'db'];
    const text = run([
      ev.run(),
      ev.play('webservers', hosts),
      ev.task('t1', 'install nginx', hosts),
      ev.host('t1', { host: 'web1', status: 'ok' }),
      ev.host('t1', { host: 'web2', status: 'changed' }),
      ev.host('t1', { host: 'db', status: 'skipped', skipReason: 'Conditional result was False' }),
      ev.taskEnd('t1'),
      ev.task('t2', 'start nginx', ['web1', 'web2']),
      ev.host('t2', { host: 'web1', status: 'failed', msg: 'unit nginx.service not found' }),
      ev.host('t2', { host: 'web2', status: 'unreachable', msg: 'ssh: connect to host web2 port 22: Connection refused' }),
      ev.taskEnd('t2'),
      ev.playEnd('webservers'),
      ev.recap({ web1: { ok: 1, failed: 1 }, web2: { ok: 1, changed: 1, unreachable: 1 }, db: { skipped: 1 } }),
    ]);
    expect(text).to.equal(
      lines(
        '',
        stars('PLAY [webservers]'),
        '',
        stars('TASK [install nginx]'),
        'ok: [web1]',
        'changed: [web2]',
        'skipping: [db]',
        '',
        stars('TASK [start nginx]'),
        'failed: [web1] => unit nginx.service not found',
        'fatal: [web2]: UNREACHABLE! => ssh: connect to host web2 port 22: Connection refused',
        '',
        stars('PLAY RECAP'),
        'db                         : ok=0    changed=0    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
        'web1                       : ok=1    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0',
        'web2                       : ok=1    changed=1    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
      ),
    );
  });

  it('marks ignored and rescued failures after the failure line', () => {
    const text = run([
      ev.task('t1', 'may fail', ['a', 'b', 'c']),
      ev.host('t1', { host: 'a', status: 'failed', ignored: true, msg: 'rc 1' }),
      // the executor may already have turned an ignored failure into ok: it still reads as a failure
      ev.host('t1', { host: 'b', status: 'ok', ignored: true, msg: 'rc 2' }),
      ev.host('t1', { host: 'c', status: 'failed', rescued: true, msg: 'rc 3' }),
    ]);
    expect(text).to.equal(
      lines('', stars('TASK [may fail]'), 'failed: [a] => rc 1', '...ignoring', 'failed: [b] => rc 2', '...ignoring', 'failed: [c] => rc 3', '...rescued'),
    );
  });

  it('shows loop items with their labels and no repeated aggregate line', () => {
    const text = run([
      ev.task('t1', 'users', ['a']),
      ev.item('t1', { host: 'a', status: 'ok', item: 'alice' }),
      ev.item('t1', { host: 'a', status: 'changed', item: { name: 'bob', uid: 1001 } }),
      ev.item('t1', { host: 'a', status: 'skipped', item: 3 }),
      ev.item('t1', { host: 'a', status: 'failed', item: 'carol', msg: 'no such group' }),
      ev.host('t1', { host: 'a', status: 'failed', ignored: true, msg: 'One or more items failed' }),
      ev.taskEnd('t1'),
    ]);
    expect(text).to.equal(
      lines(
        '',
        stars('TASK [users]'),
        'ok: [a] => (item=alice)',
        'changed: [a] => (item={"name":"bob","uid":1001})',
        'skipping: [a] => (item=3)',
        'failed: [a] (item=carol) => no such group',
        '...ignoring',
      ),
    );
  });

  it('prints a loop host that never got to an item (empty loop, unreachable) as a normal line', () => {
    const text = run([
      ev.task('t1', 'pkgs', ['a', 'b']),
      ev.host('t1', { host: 'a', status: 'skipped' }),
      ev.item('t1', { host: 'b', status: 'ok', item: 'x' }),
      ev.host('t1', { host: 'b', status: 'unreachable', msg: 'connection lost' }),
    ]);
    expect(text).to.equal(lines('', stars('TASK [pkgs]'), 'skipping: [a]', 'ok: [b] => (item=x)', 'fatal: [b]: UNREACHABLE! => connection lost'));
  });

  it('prints handlers, delegation and warnings', () => {
    const text = run([
      ev.task('h1', 'restart nginx', ['a'], { handler: true }),
      ev.host('h1', { host: 'a', status: 'changed', delegatedTo: 'lb1' }),
      { type: 'warning', msg: 'module did not set changed', host: 'a', loc: { file: 'site.yaml', line: 4, col: 3 }, time: 1 },
      { type: 'warning', msg: 'no hosts matched', time: 1 },
    ]);
    expect(text).to.equal(
      lines(
        '',
        stars('RUNNING HANDLER [restart nginx]'),
        'changed: [a -> lb1]',
        '[WARNING]: [a] module did not set changed (site.yaml:4:3)',
        '[WARNING]: no hosts matched',
      ),
    );
  });

  it('check mode says so in the headers and on the hosts that would change', () => {
    const text = run([
      ev.run(true),
      ev.play('p', ['a', 'b']),
      ev.task('t1', 'write config', ['a', 'b']),
      ev.host('t1', { host: 'a', status: 'changed', check: true }),
      ev.host('t1', { host: 'b', status: 'skipped', check: true, skipReason: 'would run (condition unknown in check mode)' }),
    ]);
    expect(text).to.equal(
      lines(
        '',
        stars('PLAY [p] (check mode)'),
        '',
        stars('TASK [write config] (check mode)'),
        'changed: [a] (check)',
        'skipping: [b] (check) => would run (condition unknown in check mode)',
      ),
    );
  });

  it('prints diffs as unified diffs with before/after headers, before the status line', () => {
    const text = run([
      ev.task('t1', 'template', ['a']),
      ev.host('t1', {
        host: 'a',
        status: 'changed',
        diff: [
          { label: '/etc/app.conf', before: 'port=80\nhost=a\nmode=x\n', after: 'port=8080\nhost=a\nmode=x\n' },
          { label: '/etc/same.conf', before: 'same\n', after: 'same\n' },
          { label: '/etc/new.conf', before: '', after: 'fresh\n' },
        ],
      }),
    ]);
    expect(text).to.equal(
      lines(
        '',
        stars('TASK [template]'),
        '--- before: /etc/app.conf',
        '+++ after: /etc/app.conf',
        '@@ -1,3 +1,3 @@',
        '-port=80',
        '+port=8080',
        ' host=a',
        ' mode=x',
        '',
        '--- before: /etc/new.conf',
        '+++ after: /etc/new.conf',
        '@@ -0,0 +1,1 @@',
        '+fresh',
        '',
        'changed: [a]',
      ),
    );
  });

  it('does not diff binary or oversized content', () => {
    const big = 'x\n'.repeat(60_000);
    const text = run([
      ev.host('t1', {
        host: 'a',
        status: 'changed',
        diff: [
          { label: '/bin/tool', before: 'ELF\0\x01', after: 'ELF\0\x02' },
          { label: '/var/big.log', before: big, after: big + 'y\n' },
        ],
      }),
    ]);
    expect(text).to.equal(
      lines(
        '--- before: /bin/tool',
        '+++ after: /bin/tool',
        'binary content differs',
        '',
        '--- before: /var/big.log',
        '+++ after: /var/big.log',
        'diff skipped: content is larger than 104448 bytes',
        '',
        'changed: [a]',
      ),
    );
  });

  it('colors by state when asked, and not at all when told not to', () => {
    const events = [ev.task('t1', 'x', ['a']), ev.host('t1', { host: 'a', status: 'changed' }), ev.host('t1', { host: 'b', status: 'failed', msg: 'm' })];
    const colored = run(events, { color: true });
    expect(colored).to.include('\x1b[33mchanged: [a]\x1b[39m');
    expect(colored).to.include('\x1b[31mfailed: [b] => m\x1b[39m');
    expect(run(events, { color: false })).to.not.include('\x1b[');
  });

  it('honours NO_COLOR and a non-TTY stream when color is not forced', () => {
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    try {
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = '1';
      const tty = new CaptureStream({ columns: 80, rows: 24 });
      new PlainReporter({ verbosity: 0, stream: tty }).handle(ev.host('t', { host: 'a', status: 'ok' }));
      expect(tty.text).to.equal('ok: [a]\n');
      delete process.env.NO_COLOR;
      const pipe = new CaptureStream();
      new PlainReporter({ verbosity: 0, stream: pipe }).handle(ev.host('t', { host: 'a', status: 'ok' }));
      expect(pipe.text).to.equal('ok: [a]\n');
      const tty2 = new CaptureStream({ columns: 80, rows: 24 });
      new PlainReporter({ verbosity: 0, stream: tty2 }).handle(ev.host('t', { host: 'a', status: 'ok' }));
      expect(tty2.text).to.equal('\x1b[32mok: [a]\x1b[39m\n');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  describe('verbosity', () => {
    const events: GxEvent[] = [
      ev.task('t1', 'cmd', ['a', 'b', 'c'], { line: 12 }),
      { type: 'log', level: 3, host: 'a', msg: 'exec: uname -a', time: 1 },
      { type: 'log', level: 4, host: 'a', msg: 'ssh channel 3 opened', time: 1 },
      ev.host('t1', { host: 'a', status: 'ok', data: { rc: 0 } }),
      ev.host('t1', { host: 'b', status: 'changed', msg: 'done', data: { rc: 0, stdout: 'hi' } }),
      ev.host('t1', { host: 'c', status: 'failed', msg: 'non-zero return code', data: { rc: 2, stderr: 'ls: cannot access x' } }),
    ];

    it('-v0 shows messages and the stderr of failures', () => {
      expect(run(events, { verbosity: 0 })).to.equal(
        lines('', stars('TASK [cmd]'), 'ok: [a]', 'changed: [b]', 'failed: [c] => non-zero return code', '  stderr: ls: cannot access x'),
      );
    });

    it('-v shows the registered result of changed and failed hosts as JSON', () => {
      expect(run(events, { verbosity: 1 })).to.equal(
        lines(
          '',
          stars('TASK [cmd]'),
          'ok: [a]',
          'changed: [b] => {"changed":true,"msg":"done","rc":0,"stdout":"hi"}',
          'failed: [c] => {"changed":false,"failed":true,"msg":"non-zero return code","rc":2,"stderr":"ls: cannot access x"}',
        ),
      );
    });

    it('-vv adds the task path', () => {
      expect(run(events, { verbosity: 2 })).to.include(stars('TASK [cmd]') + '\ntask path: site.yaml:12:7\nok: [a]\n');
    });

    it('-vvv adds log events and indents the JSON; -vvvv adds debug logs', () => {
      const v3 = run(events, { verbosity: 3 });
      expect(v3).to.include('<a> exec: uname -a\n');
      expect(v3).to.not.include('ssh channel 3 opened');
      expect(v3).to.include('changed: [b] => {\n    "changed": true,\n    "msg": "done",\n    "rc": 0,\n    "stdout": "hi"\n}\n');
      expect(run(events, { verbosity: 4 })).to.include('<a> ssh channel 3 opened\n');
      expect(run(events, { verbosity: 2 })).to.not.include('exec: uname');
    });
  });

  it('always shows what debug prints, like Ansible', () => {
    const text = run([
      ev.task('t1', 'show', ['a', 'b'], { module: 'ansible.builtin.debug' }),
      ev.host('t1', { host: 'a', status: 'ok', msg: 'hello' }),
      ev.host('t1', { host: 'b', status: 'ok', data: { version: '1.2' } }),
    ]);
    expect(text).to.equal(lines('', stars('TASK [show]'), 'ok: [a] => {', '    "msg": "hello"', '}', 'ok: [b] => {', '    "version": "1.2"', '}'));
  });

  it('aligns recap columns on the longest host name and colors hosts by state', () => {
    const long = 'a-very-long-host-name.example.internal';
    const plain = run([ev.recap({ short: { ok: 12345, changed: 3 }, [long]: { failed: 1 } }, true)]);
    expect(plain).to.equal(
      lines(
        '',
        stars('PLAY RECAP (interrupted)'),
        `${long} : ok=0    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0`,
        `${'short'.padEnd(long.length)} : ok=12345 changed=3    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0`,
      ),
    );
    const colored = run([ev.recap({ good: { ok: 1 }, meh: { ok: 1, changed: 1 }, bad: { unreachable: 1 } })], { color: true });
    expect(colored).to.include(`\x1b[31m${'bad'.padEnd(26)}\x1b[39m : ok=0`);
    expect(colored).to.include(`\x1b[33m${'meh'.padEnd(26)}\x1b[39m : \x1b[32mok=1\x1b[39m    \x1b[33mchanged=1\x1b[39m`);
    expect(colored).to.include(`\x1b[32m${'good'.padEnd(26)}\x1b[39m`);
  });

  it('--profile prints the slowest tasks first, at most 20, with the total of all', () => {
    const events: GxEvent[] = [];
    for (let i = 1; i <= 25; i++) {
      events.push(ev.task(`t${i}`, `task ${i}`, ['a'], { line: i }), ev.taskEnd(`t${i}`, i * 100));
    }
    events.push(ev.recap({ a: { ok: 25 } }));
    const text = run(events, { profile: true });
    const table = text.slice(text.indexOf('TASKS BY TIME'));
    const rows = table.trimEnd().split('\n').slice(1);
    expect(rows).to.have.length(21);
    expect(rows[0]).to.match(/^task 25 \(site\.yaml:25\) -+ 2\.50s$/);
    expect(rows[19]).to.match(/^task 6 \(site\.yaml:6\) -+ 0\.60s$/);
    expect(rows[20]).to.match(/^total -+ 32\.50s$/);
    for (const r of rows) expect(r).to.have.length(80);
    expect(run(events, { profile: false })).to.not.include('TASKS BY TIME');
  });

  it('shows only the status and the no_log notice for censored results', () => {
    const text = run(
      [
        ev.task('t1', 'secret', ['a', 'b']),
        ev.host('t1', { host: 'a', status: 'changed', censored: true, msg: "the output has been hidden due to 'no_log: true'" }),
        ev.host('t1', { host: 'b', status: 'failed', censored: true, msg: "the output has been hidden due to 'no_log: true'" }),
      ],
      { verbosity: 3 },
    );
    expect(text).to.equal(lines('', stars('TASK [secret]'), 'changed: [a]', "failed: [b] => the output has been hidden due to 'no_log: true'"));
  });
});
