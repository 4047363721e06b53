// Rules across a module's arguments (each module's check()) are found before any host is touched:
// `gx play --syntax-check` refuses every broken one, naming file:line, when the arguments are
// literal; a rule that reads a templated argument waits for the run, which still refuses it there,
// before the task touches its host.
import { expect } from 'chai';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gx } from './gx.js';

const K3S = 'version: v1.32.3+k3s1, binary_src: /b/k3s, install_script_src: /b/install.sh';
const CERT = 'path: /p/c.crt, privatekey_path: /p/c.key, common_name: c';

/** One task per rule moved out of a plan(): [module: {arguments}, what the message says]. */
const RULES: [string, string][] = [
  ['copy: {src: /etc/hostname, content: x, dest: /tmp/x}', 'give exactly one of src and content'],
  ["copy: {content: x, dest: /tmp/x, mode: preserve}", "mode: 'preserve' needs a source file"],
  ['command: {cmd: ls, argv: [ls]}', 'exactly one of them'],
  ['command: "echo \'open"', "unterminated ' quote"],
  ['shell: {cmd: " "}', 'the command is empty'],
  ['debug: {msg: a, var: b}', 'msg and var cannot be used together'],
  ['file: {state: directory}', "needs the argument 'path'"],
  ['file: {path: /x, state: file, recurse: true}', 'recurse needs state: directory'],
  ['file: {path: /x, state: link}', 'state link needs src'],
  ['lineinfile: {path: /x}', 'line is required with state=present'],
  ['lineinfile: {path: /x, state: absent}', 'state=absent needs one of line, regexp or search_string'],
  ['lineinfile: {path: /x, line: y, backrefs: true}', 'backrefs needs regexp'],
  ["blockinfile: {path: /x, block: y, marker: '# managed'}", 'marker must contain {mark}'],
  ['helm: {name: web}', 'chart is required with state=present'],
  ['sysctl: {name: vm.swappiness}', 'value is required with state=present'],
  ['systemd: {state: started}', 'name is required unless daemon_reload'],
  ['apt: {state: present}', 'give name, deb, update_cache, upgrade or autoremove'],
  ['apt: {deb: /x.deb, state: absent}', 'deb installs a file'],
  ["apt: {name: 'jq; rm -rf /'}", 'is not a Debian package name'],
  ['kubectl: {state: present}', 'give definition, src or template'],
  ['registry_push: {registry: r:5000, repository: a}', 'give src (the image to push), or append'],
  ['registry_push: {registry: r:5000, repository: a, src: /i.tar, append: {base: scratch}}', 'append.base and src both name a base image'],
  ['wait_for: {port: 80, state: absent}', 'state=absent is for path'],
  [`k3s: {role: agent, token: t, ${K3S}}`, 'an agent needs server_url'],
  [`k3s: {role: agent, server_url: "https://s:6443", ${K3S}}`, "an agent needs the server's token"],
  [`k3s: {role: agent, server_url: "https://s:6443", token: t, disable: [traefik], ${K3S}}`, 'disable applies to a server only'],
  [`k3s: {token: "a b", ${K3S}}`, 'token cannot contain whitespace'],
  ['k3s: {default_registry_endpoint: false, version: v1.25.0+k3s1, binary_src: /b/k3s, install_script_src: /b/install.sh}', 'default_registry_endpoint: false needs'],
  [`k3s: {exec_flags: ["--node-label=a  b"], ${K3S}}`, 'cannot reach k3s intact'],
  [`x509_certificate: {provider: ownca, ${CERT}}`, 'provider ownca needs ownca_path'],
  [`x509_certificate: {provider: selfsigned, ownca_path: /ca.crt, ${CERT}}`, 'are for provider ownca'],
  [`x509_certificate: {provider: selfsigned, path_length: 1, ${CERT}}`, 'path_length is only for a CA certificate'],
  ['x509_certificate: {provider: selfsigned, path: /p/c, privatekey_path: /p/c, common_name: c}', 'path and privatekey_path must be different files'],
];

describe('e2e: rules across arguments, before any host is touched', function () {
  this.timeout(60_000);

  it('--syntax-check refuses each broken rule with literal arguments, at its file:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-rules-'));
    const lines = ['- hosts: localhost', '  gather_facts: false', '  tasks:'];
    const lineOf: number[] = [];
    for (const [task] of RULES) {
      lineOf.push(lines.length + 1);
      lines.push(`    - ${task}`);
    }
    writeFileSync(join(dir, 'site.yaml'), lines.join('\n') + '\n');
    const r = await gx(['play', join(dir, 'site.yaml'), '--syntax-check']);
    expect(r.code, r.stdout + r.stderr).to.equal(3);
    const out = r.stdout + r.stderr;
    RULES.forEach(([task, message], i) => {
      const at = out.indexOf(`${join(dir, 'site.yaml')}:${lineOf[i]}:`);
      expect(at, `${task}: no error at line ${lineOf[i]}\n${out}`).to.be.greaterThan(-1);
      const block = out.slice(out.lastIndexOf('ERROR!', at), at);
      expect(block, task).to.include(message);
    });
    expect(out).to.include(`${RULES.length} problems found`);
  });

  it('a rule that reads a templated argument waits for the run, which refuses it before the task touches the host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-rules-'));
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  vars:',
        '    source: /etc/hostname',
        '  tasks:',
        `    - copy: {content: first, dest: ${join(dir, 'first')}}`,
        `    - copy: {src: "{{ source }}", content: x, dest: ${join(dir, 'second')}}`,
        '',
      ].join('\n'),
    );
    const check = await gx(['play', site, '--syntax-check']);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    const r = await gx(['play', site]);
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stdout + r.stderr).to.include('give exactly one of src and content');
    expect(existsSync(join(dir, 'first'))).to.equal(true);
    expect(existsSync(join(dir, 'second'))).to.equal(false);
  });
});
