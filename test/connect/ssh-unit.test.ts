// The SSH transport's pure parts: framing, known_hosts, ssh_config, host parameters, stat parsing.
import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, ModuleError, UsageError } from '../../engine/errors.js';
import { appendKnownHost, checkHostKey, fingerprint, knownHostsName, parseKnownHosts, patternsMatch } from '../../engine/connect/ssh/known-hosts.js';
import { parseSshConfig, lookupSshConfig } from '../../engine/connect/ssh/config.js';
import { FrameReader, frameScript, newMarker } from '../../engine/connect/ssh/framing.js';
import { hostKeyAlgorithms, verifyHostKey } from '../../engine/connect/ssh/hostkey.js';
import { connectionKind, resolveSshParams } from '../../engine/connect/ssh/params.js';
import { parseStatOutput, statScript } from '../../engine/connect/ssh/stat.js';
import { driverCommand, innerCommand } from '../../engine/connect/ssh/command.js';
import { becomeWrap } from '../../engine/connect/ssh/become.js';
import { putScript } from '../../engine/connect/ssh/put-script.js';
import { parseId } from '../../engine/connect/ssh/shell.js';

function keyBlob(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, body]);
}

describe('ssh framing', () => {
  it('splits stdout, stderr and the exit status out of chunks cut anywhere, even inside tokens', () => {
    const m = newMarker();
    const out = Buffer.concat([Buffer.from('hello\n'), randomBytes(3000), Buffer.from(`${m}E7;`)]);
    const err = Buffer.from(`${m}P4242;oops\n${m}E7;`);
    for (const size of [1, 5, 64, 4096]) {
      const r = new FrameReader(m);
      let pid: number | undefined;
      r.onPid = (p) => (pid = p);
      for (let i = 0; i < Math.max(out.length, err.length); i += size) {
        if (i < out.length) r.pushStdout(out.subarray(i, i + size));
        if (i < err.length) r.pushStderr(err.subarray(i, i + size));
      }
      expect(r.done, `chunk size ${size}`).to.equal(true);
      const res = r.result();
      expect(res.rc).to.equal(7);
      expect(res.stdout.equals(out.subarray(0, out.length - `${m}E7;`.length))).to.equal(true);
      expect(res.stderr.toString()).to.equal('oops\n');
      expect(pid).to.equal(4242);
    }
  });

  it('is not done until both streams carry the end token', () => {
    const m = newMarker();
    const r = new FrameReader(m);
    r.pushStdout(Buffer.from(`x${m}E0;`));
    expect(r.done).to.equal(false);
    r.pushStderr(Buffer.from(`${m}E0;`));
    expect(r.done).to.equal(true);
  });

  it('ignores a token of another marker (output cannot forge the end of a command)', () => {
    const m = newMarker();
    const r = new FrameReader(m);
    r.pushStdout(Buffer.from(`${newMarker()}E0;`));
    r.pushStderr(Buffer.from(`${m}E0;`));
    expect(r.done).to.equal(false);
  });

  it('keeps stdin off the driver: /dev/null, a base64 heredoc, or a file removed afterwards', () => {
    const m = newMarker();
    expect(frameScript({ marker: m, command: 'C', tracked: false, stdin: { kind: 'none' } })).to.match(/^C <\/dev\/null; gxrc=\$\?;/);
    const inline = frameScript({ marker: m, command: 'C', tracked: true, stdin: { kind: 'inline', data: Buffer.from([0, 255, 10]) } });
    expect(inline).to.contain(`base64 -d <<'${m}H' | C & wait $!;`);
    expect(inline).to.contain('\nAP8K\n');
    const file = frameScript({ marker: m, command: 'C', tracked: false, stdin: { kind: 'file', path: "/t/a b" }, removeAfter: '/t/a b' });
    expect(file).to.contain(`C <'/t/a b'; gxrc=$?; rm -f -- '/t/a b';`);
  });

  it('quotes user shell lines so their syntax errors stay in the subshell', () => {
    const inner = innerCommand({ shell: 'echo "unterminated', cwd: '/tmp/a b', env: { A: "it's" } }, 'eval');
    expect(inner).to.equal(`cd '/tmp/a b' || exit 1; export A='it'\\''s'; eval 'echo "unterminated'`);
    expect(() => innerCommand({ argv: ['x'], env: { 'A-B': '1' } }, 'raw')).to.throw(/invalid environment variable name/);
  });

  it('wraps become in sudo -n, or sudo -A with the askpass helper when there is a password', () => {
    const cmd = driverCommand({ opts: { argv: ['id'], become: {} }, wrap: becomeWrap({}, '/t/askpass'), tracked: false, marker: 'M', setsid: true });
    expect(cmd).to.equal(`sudo -n -H -u root -- /bin/sh -c 'exec id'`);
    const w = becomeWrap({ user: 'app', password: "p'w" }, '/t/askpass');
    expect(w.argv).to.deep.equal(['sudo', '-A', '-H', '-u', 'app', '--']);
    expect(w.envPrefix).to.equal(`GX_BECOME_PASS='p'\\''w' SUDO_ASKPASS=/t/askpass`);
    const tracked = driverCommand({ opts: { shell: 'sleep 9' }, wrap: becomeWrap(undefined, undefined), tracked: true, marker: 'M', setsid: true });
    expect(tracked).to.equal(`setsid /bin/sh -c 'printf '\\''%s%s;'\\'' MP "$$" >&2;\nsleep 9'`);
  });
});

describe('known_hosts', () => {
  const ed = keyBlob('ssh-ed25519', Buffer.alloc(32, 1));
  const other = keyBlob('ssh-ed25519', Buffer.alloc(32, 2));
  const b64 = (b: Buffer): string => b.toString('base64');

  it('matches plain, bracketed-port, wildcard and negated patterns', () => {
    expect(knownHostsName('h', 22)).to.equal('h');
    expect(knownHostsName('127.0.0.2', 2222)).to.equal('[127.0.0.2]:2222');
    expect(patternsMatch('a,[127.0.0.2]:2222', '[127.0.0.2]:2222')).to.equal(true);
    expect(patternsMatch('*.example.org,!bad.example.org', 'web.example.org')).to.equal(true);
    expect(patternsMatch('*.example.org,!bad.example.org', 'bad.example.org')).to.equal(false);
  });

  it('matches hashed entries (|1|salt|hmac-sha1)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[127.0.0.2]:2222').digest('base64');
    const entries = parseKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64(ed)}\n`);
    expect(checkHostKey(entries, '[127.0.0.2]:2222', ed)).to.deep.equal({ status: 'known' });
    expect(checkHostKey(entries, '[127.0.0.3]:2222', ed)).to.deep.equal({ status: 'unknown' });
  });

  it('calls a different key for a known host a change, and honours @revoked', () => {
    const entries = parseKnownHosts(`# comment\nh ssh-ed25519 ${b64(ed)}\n@revoked * ssh-ed25519 ${b64(other)}\n`);
    expect(checkHostKey(entries, 'h', ed)).to.deep.equal({ status: 'known' });
    expect(checkHostKey(entries, 'h', other)).to.deep.equal({ status: 'revoked', line: 3 });
    const plain = parseKnownHosts(`h ssh-ed25519 ${b64(ed)}\n`);
    expect(checkHostKey(plain, 'h', keyBlob('ssh-ed25519', Buffer.alloc(32, 3)))).to.deep.equal({ status: 'changed', line: 1 });
  });

  it('prints the fingerprint as OpenSSH does (SHA256, unpadded base64)', () => {
    expect(fingerprint(ed)).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('asks for the known key type first', () => {
    const entries = parseKnownHosts(`[h]:2222 ssh-rsa ${b64(keyBlob('ssh-rsa', Buffer.alloc(8)))}\n`);
    expect(hostKeyAlgorithms(entries, 'h', 2222).slice(0, 3)).to.deep.equal(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms([], 'h', 2222)[0]).to.equal('ssh-ed25519');
  });

  it('refuses an unknown key with its fingerprint and how to accept it; accept-new writes it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-kh-'));
    const file = join(dir, 'sub', 'known_hosts');
    const check = { inventoryName: 'web', host: '127.0.0.9', port: 2222, knownHostsFile: file, policy: 'strict' as const };
    const refused = await verifyHostKey(check, [], ed);
    expect(refused).to.be.instanceOf(ConnectionError);
    expect(refused!.message).to.contain(fingerprint(ed)).and.contain('unknown');
    expect(refused!.hint).to.contain(`ssh-keyscan -p 2222 -t ssh-ed25519 127.0.0.9 >> ${file}`).and.contain('gx_host_key_policy=accept-new');
    expect(await verifyHostKey({ ...check, policy: 'accept-new' }, [], ed)).to.equal(null);
    expect(readFileSync(file, 'utf8')).to.equal(`[127.0.0.9]:2222 ssh-ed25519 ${b64(ed)}\n`);
    const changed = await verifyHostKey({ ...check, policy: 'accept-new' }, parseKnownHosts(readFileSync(file, 'utf8')), other);
    expect(changed!.message).to.contain('CHANGED');
    expect(readFileSync(file, 'utf8').split('\n')).to.have.length(2);
  });

  it('appends on a new line even when the file lacks a final newline', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gx-kh-')), 'known_hosts');
    writeFileSync(file, `a ssh-ed25519 ${b64(other)}`);
    await appendKnownHost(file, 'b', ed);
    expect(parseKnownHosts(readFileSync(file, 'utf8')).map((e) => e.patterns)).to.deep.equal(['a', 'b']);
  });
});

describe('ssh_config', () => {
  const text = [
    'Host web*  !web-old',
    '  HostName %h.internal',
    '  Port 2200',
    '  User deploy',
    '  IdentityFile ~/.ssh/web_key',
    '  ProxyJump bastion',
    'Match host something',
    '  User nobody',
    'Host bastion',
    '  HostName 10.0.0.1',
    '  User jump',
    'Host *',
    '  User fallback',
    '  IdentityFile /keys/%r@%h',
    '  ServerAliveInterval 30',
  ].join('\n');
  const blocks = parseSshConfig(text, () => null);

  it('takes the first value of each keyword, collects every IdentityFile, skips Match', () => {
    const e = lookupSshConfig(blocks, 'web1');
    expect(e.hostName).to.equal('web1.internal');
    expect(e.port).to.equal(2200);
    expect(e.user).to.equal('deploy');
    expect(e.identityFiles).to.have.length(2);
    expect(e.identityFiles[0]).to.match(/\/\.ssh\/web_key$/);
    expect(e.identityFiles[1]).to.equal('/keys/deploy@web1.internal');
    expect(e.proxyJump).to.equal('bastion');
    expect(e.serverAliveIntervalS).to.equal(30);
  });

  it('honours negated Host patterns', () => {
    expect(lookupSshConfig(blocks, 'web-old').user).to.equal('fallback');
  });

  it('feeds host parameters, below explicit host variables, and resolves ProxyJump hosts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-cfg-'));
    writeFileSync(join(dir, 'config'), text);
    const p = resolveSshParams('web1', { gx_ssh_config: join(dir, 'config'), ansible_user: 'me', gx_ssh_agent: 'none' });
    expect(p).to.include({ host: 'web1.internal', port: 2200, user: 'me', connection: 'ssh' });
    expect(p.jumps).to.deep.equal([{ name: 'bastion', host: '10.0.0.1', port: 22, user: 'jump', identityFiles: ['/keys/jump@10.0.0.1'] }]);
  });
});

describe('ssh host parameters', () => {
  const none = { gx_ssh_config: 'none', gx_ssh_agent: 'none' };

  it('accepts Ansible names and gx names, gx winning', () => {
    const p = resolveSshParams('db', {
      ...none,
      ansible_host: '10.1.1.1',
      ansible_port: '2022',
      ansible_user: 'ops',
      ansible_ssh_private_key_file: '/k/id',
      ansible_ssh_pass: 'pw',
      ansible_become_password: 'bpw',
      gx_port: 2200,
    });
    expect(p).to.include({ name: 'db', host: '10.1.1.1', port: 2200, user: 'ops', password: 'pw', becomePassword: 'bpw' });
    expect(p.identityFiles).to.deep.equal(['/k/id']);
    expect(p.hostKeyPolicy).to.equal('strict');
    expect(p.connectTimeoutMs).to.equal(10_000);
  });

  it('reads timeouts in seconds, the host key policy and the agent socket', () => {
    const p = resolveSshParams('db', { gx_ssh_config: 'none', gx_connect_timeout: 2.5, gx_keepalive: 0, gx_host_key_policy: 'accept-new' }, { env: { SSH_AUTH_SOCK: '/run/agent.sock' } });
    expect(p).to.include({ connectTimeoutMs: 2500, keepaliveMs: 0, hostKeyPolicy: 'accept-new', agent: '/run/agent.sock' });
    expect(() => resolveSshParams('db', { ...none, gx_host_key_policy: 'yolo' })).to.throw(UsageError, /strict or accept-new/);
    expect(() => resolveSshParams('db', { ...none, ansible_port: 'abc' })).to.throw(UsageError, /non-negative number/);
  });

  it('chooses local for ansible_connection=local and the implicit localhost', () => {
    expect(connectionKind('web', { ansible_connection: 'local' })).to.equal('local');
    expect(connectionKind('localhost', {})).to.equal('local');
    expect(connectionKind('localhost', { ansible_host: '127.0.0.2' })).to.equal('ssh');
    expect(connectionKind('web', {})).to.equal('ssh');
    expect(() => connectionKind('web', { ansible_connection: 'winrm' })).to.throw(UsageError, /unsupported connection/);
  });
});

describe('ssh stat parsing', () => {
  it('reads type, permission bits, ids, names, size, mtime, link target and sha256', () => {
    const sha = 'a'.repeat(64);
    const st = parseStatOutput('h', '/x', { rc: 0, stdout: `a1ff 777 0 0 4 1700000000 root root\nL/target dir\nS${sha}  -\n`, stderr: '' });
    expect(st).to.deep.equal({ type: 'link', mode: 0o777, uid: 0, gid: 0, size: 4, mtime: 1700000000, owner: 'root', group: 'root', linkTarget: '/target dir', sha256: sha });
    expect(parseStatOutput('h', '/x', { rc: 0, stdout: '41ed 755 1 2 4096 1 a b\n', stderr: '' })!.type).to.equal('directory');
  });

  it('returns null for a missing path and a ModuleError for anything else', () => {
    expect(parseStatOutput('h', '/x', { rc: 47, stdout: '', stderr: 'GXNOENT\n' })).to.equal(null);
    expect(() => parseStatOutput('h', '/x', { rc: 1, stdout: '', stderr: 'stat: Permission denied' })).to.throw(ModuleError, /Permission denied/);
    expect(statScript("/a 'b", { checksum: true })).to.contain(`sha256sum <'/a '\\''b'`);
  });
});

describe('ssh put through the shell (put-script.ts)', () => {
  it('writes a temp file beside the target, keeps the old mode and owner unless given, and renames it into place', () => {
    const keep = putScript("/etc/a 'b.conf", {});
    expect(keep.split('\n')).to.deep.equal([
      'set -e',
      `d=$(dirname -- '/etc/a '\\''b.conf')`,
      `t=$(mktemp "$d"/'.a '\\''b.conf.gx-XXXXXXXX')`,
      `trap 'rm -f "$t"' EXIT`,
      'cat >"$t"',
      `if [ -e '/etc/a '\\''b.conf' ]; then chmod --reference='/etc/a '\\''b.conf' "$t"; else chmod 644 "$t"; fi`,
      `if [ -e '/etc/a '\\''b.conf' ] && [ "$(id -u)" = 0 ]; then chown --reference='/etc/a '\\''b.conf' "$t"; fi`,
      `mv -f -- "$t" '/etc/a '\\''b.conf'`,
      'trap - EXIT',
    ]);
    const given = putScript('/x', { mode: 0o100600, owner: 'app', group: 'web' }).split('\n');
    expect(given).to.include('chmod 600 "$t"').and.include('chown -- app:web "$t"');
    expect(putScript('/x', { group: 'web' })).to.include('chown -- :web "$t"');
  });
});

describe('ssh: id(1) output at the shell start (parseId)', () => {
  it('reads GNU and BusyBox id, with or without names', () => {
    expect(parseId('uid=1001(gxtest) gid=1002(staff) groups=1002(staff),27(sudo)')).to.deep.equal({ uid: 1001, user: 'gxtest', gid: 1002, group: 'staff' });
    expect(parseId('uid=0(root) gid=0(root)')).to.deep.equal({ uid: 0, user: 'root', gid: 0, group: 'root' });
    expect(parseId('uid=4242 gid=4242 groups=4242')).to.deep.equal({ uid: 4242, user: '', gid: 4242, group: '' });
    expect(parseId('id: cannot find name for user ID 4242')).to.deep.equal({ uid: -1, user: '', gid: -1, group: '' });
  });
});
