import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { ModuleArgsError } from '../../engine/errors.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import { getModule } from '../../modules/index.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { makeContext, rhythm, runModule, tempDir } from './harness.js';

/** Every file of a directory with its mode and content: what the module may change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) {
    const p = join(dir, f);
    out[f] = `${((await stat(p)).mode & 0o7777).toString(8)} ${await readFile(p, 'utf8')}`;
  }
  return out;
}

function anchorArgs(dir: string, extra: Record<string, unknown> = {}) {
  return {
    path: join(dir, 'ca.crt'),
    privatekey_path: join(dir, 'ca.key'),
    provider: 'selfsigned',
    common_name: 'root.linkerd.cluster.local',
    is_ca: true,
    key_usage: ['keyCertSign', 'cRLSign'],
    valid_days: 3650,
    ...extra,
  };
}

function issuerArgs(dir: string, extra: Record<string, unknown> = {}) {
  return {
    path: join(dir, 'issuer.crt'),
    privatekey_path: join(dir, 'issuer.key'),
    provider: 'ownca',
    ownca_path: join(dir, 'ca.crt'),
    ownca_privatekey_path: join(dir, 'ca.key'),
    common_name: 'identity.linkerd.cluster.local',
    is_ca: true,
    path_length: 0,
    key_usage: ['keyCertSign', 'cRLSign'],
    valid_days: 3650,
    ...extra,
  };
}

const read = async (p: string) => new X509Certificate(await readFile(p));
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** openssl's text dump: each extension named exactly once, and the lines that follow each name. */
function extensionsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s+X509v3 ([A-Z][A-Za-z ]+?):( critical)?\s*$/.exec(lines[i]!);
    if (!m) continue;
    expect(out, `${m[1]} appears more than once`).to.not.have.property(m[1]!);
    out[m[1]!] = `${m[2] ? 'critical ' : ''}${lines[i + 1]!.trim()}`;
  }
  return out;
}

/** The base64 lines of a PEM key: none of them may appear in a result. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
}

describe('x509_certificate module', () => {
  it('a self-signed CA (the Linkerd trust anchor): check → apply → again → check; a P-256 CA as asked, key 0600, cert 0644', async () => {
    const dir = await tempDir();
    const r = await rhythm('x509_certificate', anchorArgs(dir), { snapshot: () => snapshot(dir) });
    expect(r.check.msg).to.include('ca.crt does not exist');
    expect(r.check.data.subject).to.equal('CN=root.linkerd.cluster.local');
    expect(isUnknown(r.check.data.serial_number), 'a serial not generated yet is unknown').to.equal(true);
    expect(r.again.msg).to.equal('the certificate and its key match');

    const cert = await read(join(dir, 'ca.crt'));
    expect(cert.subject).to.equal('CN=root.linkerd.cluster.local');
    expect(cert.issuer).to.equal('CN=root.linkerd.cluster.local');
    expect(cert.ca).to.equal(true);
    expect(cert.verify(cert.publicKey)).to.equal(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    const key = createPrivateKey(await readFile(join(dir, 'ca.key')));
    expect(cert.checkPrivateKey(key)).to.equal(true);
    expect(await readFile(join(dir, 'ca.key'), 'utf8')).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    expect((await stat(join(dir, 'ca.key'))).mode & 0o777).to.equal(0o600);
    expect((await stat(join(dir, 'ca.crt'))).mode & 0o777).to.equal(0o644);
    // valid for valid_days, from (a few minutes before) now
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).to.be.within(3649.9, 3650.1);

    // the result describes the certificate the file holds
    expect(r.apply.data).to.deep.include({
      path: join(dir, 'ca.crt'),
      privatekey_path: join(dir, 'ca.key'),
      subject: 'CN=root.linkerd.cluster.local',
      issuer: 'CN=root.linkerd.cluster.local',
      serial_number: cert.serialNumber.toUpperCase(),
      fingerprint_sha256: cert.fingerprint256.toLowerCase(),
      is_ca: true,
      path_length: null,
      key_usage: ['cRLSign', 'keyCertSign'],
      not_after: new Date(cert.validTo).toISOString(),
    });
    expect(r.again.data.fingerprint_sha256).to.equal(r.apply.data.fingerprint_sha256);

    // openssl reads it the same way: every extension once, the constraints critical, ECDSA with SHA-256
    const text = openssl('x509', '-noout', '-text', '-in', join(dir, 'ca.crt'));
    expect(text).to.match(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).to.match(/ASN1 OID: prime256v1/);
    const ext = extensionsOf(text);
    expect(Object.keys(ext).sort()).to.deep.equal(['Basic Constraints', 'Key Usage', 'Subject Key Identifier']);
    expect(ext['Basic Constraints']).to.equal('critical CA:TRUE');
    expect(ext['Key Usage']).to.equal('critical Certificate Sign, CRL Sign');
    // a positive serial
    expect(BigInt(`0x${cert.serialNumber}`) > 0n).to.equal(true);
    expect(openssl('x509', '-noout', '-serial', '-in', join(dir, 'ca.crt'))).to.not.match(/serial=-/);
    openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'ca.crt'));
  });

  it('an issuer CA signed by the trust anchor (ownca, pathlen 0): the rhythm, verified by Node and by openssl verify', async () => {
    const dir = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir));
    const r = await rhythm('x509_certificate', issuerArgs(dir), { snapshot: () => snapshot(dir) });
    expect(r.check.data.issuer).to.equal('CN=root.linkerd.cluster.local');

    const ca = await read(join(dir, 'ca.crt'));
    const issuer = await read(join(dir, 'issuer.crt'));
    expect(issuer.subject).to.equal('CN=identity.linkerd.cluster.local');
    expect(issuer.issuer).to.equal('CN=root.linkerd.cluster.local');
    expect(issuer.ca).to.equal(true);
    expect(issuer.verify(ca.publicKey)).to.equal(true);
    expect(issuer.verify(issuer.publicKey)).to.equal(false);
    expect(issuer.checkIssued(ca)).to.equal(true);
    expect(issuer.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'issuer.key'))))).to.equal(true);
    expect((await stat(join(dir, 'issuer.key'))).mode & 0o777).to.equal(0o600);
    expect(r.apply.data).to.deep.include({ subject: 'CN=identity.linkerd.cluster.local', issuer: 'CN=root.linkerd.cluster.local', is_ca: true, path_length: 0 });

    expect(openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'issuer.crt')).trim()).to.equal(`${join(dir, 'issuer.crt')}: OK`);
    const text = openssl('x509', '-noout', '-text', '-in', join(dir, 'issuer.crt'));
    expect(text).to.match(/Signature Algorithm: ecdsa-with-SHA256/);
    const ext = extensionsOf(text);
    expect(Object.keys(ext).sort()).to.deep.equal(['Authority Key Identifier', 'Basic Constraints', 'Key Usage', 'Subject Key Identifier']);
    expect(ext['Basic Constraints']).to.equal('critical CA:TRUE, pathlen:0');
    expect(ext['Key Usage']).to.equal('critical Certificate Sign, CRL Sign');
    // the authority key id is the anchor's subject key id
    const caSki = extensionsOf(openssl('x509', '-noout', '-text', '-in', join(dir, 'ca.crt')))['Subject Key Identifier']!;
    expect(ext['Authority Key Identifier']!.replace(/^keyid:/, '')).to.equal(caSki);
  });

  it('a new trust anchor: the issuer is found not issued by it, and regenerated (changed, with the reason)', async () => {
    const dir = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir));
    await runModule('x509_certificate', issuerArgs(dir));
    const oldIssuer = await readFile(join(dir, 'issuer.crt'), 'utf8');
    const anchor = await runModule('x509_certificate', anchorArgs(dir, { force: true }));
    expect(anchor).to.include({ changed: true, failed: false });
    expect(anchor.msg).to.equal('generated: force is true');

    const before = await snapshot(dir);
    const check = await runModule('x509_certificate', issuerArgs(dir), { check: true });
    expect(check).to.include({ changed: true, failed: false });
    expect(check.msg).to.match(/^would be generated: it is not issued by the CA in .*ca\.crt \(CN=root\.linkerd\.cluster\.local\)$/);
    expect(await snapshot(dir), 'check mode wrote nothing').to.deep.equal(before);

    const apply = await runModule('x509_certificate', issuerArgs(dir));
    expect(apply).to.include({ changed: true, failed: false });
    expect(apply.msg).to.include('it is not issued by the CA');
    expect(await readFile(join(dir, 'issuer.crt'), 'utf8')).to.not.equal(oldIssuer);
    openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'issuer.crt'));
    expect((await runModule('x509_certificate', issuerArgs(dir))).changed).to.equal(false);
  });

  it('says what differs: common name, path length, key usage, CA-ness', async () => {
    const dir = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir));
    await runModule('x509_certificate', issuerArgs(dir));
    const cases: [Record<string, unknown>, string][] = [
      [{ common_name: 'other.example' }, 'subject is CN=identity.linkerd.cluster.local, not CN=other.example'],
      [{ path_length: 1 }, 'path length is 0, not 1'],
      [{ key_usage: ['keyCertSign'] }, 'key usage is [cRLSign, keyCertSign], not [keyCertSign]'],
      [{ is_ca: false, path_length: undefined, key_usage: ['digitalSignature'] }, 'it is a CA certificate'],
    ];
    for (const [extra, reason] of cases) {
      const r = await runModule('x509_certificate', issuerArgs(dir, extra), { check: true });
      expect(r.changed, reason).to.equal(true);
      expect(r.msg).to.include(reason);
    }
  });

  it('a leaf certificate (is_ca false): basicConstraints CA:FALSE, critical, once; no keyUsage when none is asked', async () => {
    const dir = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir));
    const args = { path: join(dir, 'leaf.crt'), privatekey_path: join(dir, 'leaf.key'), provider: 'ownca', ownca_path: join(dir, 'ca.crt'), ownca_privatekey_path: join(dir, 'ca.key'), common_name: 'leaf.example' };
    await rhythm('x509_certificate', args, { snapshot: () => snapshot(dir) });
    const leaf = await read(join(dir, 'leaf.crt'));
    expect(leaf.ca).to.equal(false);
    const ext = extensionsOf(openssl('x509', '-noout', '-text', '-in', join(dir, 'leaf.crt')));
    expect(Object.keys(ext).sort()).to.deep.equal(['Authority Key Identifier', 'Basic Constraints', 'Subject Key Identifier']);
    expect(ext['Basic Constraints']).to.equal('critical CA:FALSE');
    openssl('verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt'));
  });

  it('a key file whose mode drifted is set back to 0600 without a new certificate', async () => {
    const dir = await tempDir();
    const first = await runModule('x509_certificate', anchorArgs(dir));
    await chmod(join(dir, 'ca.key'), 0o644);
    const check = await runModule('x509_certificate', anchorArgs(dir), { check: true, diff: true });
    expect(check.changed).to.equal(true);
    expect(check.msg).to.include('ca.key 0644 → 0600');
    expect(check.diff![0]).to.deep.include({ before: 'mode: 0644\n', after: 'mode: 0600\n' });
    const apply = await runModule('x509_certificate', anchorArgs(dir));
    expect(apply.changed).to.equal(true);
    expect(apply.data.fingerprint_sha256).to.equal(first.data.fingerprint_sha256);
    expect((await stat(join(dir, 'ca.key'))).mode & 0o777).to.equal(0o600);
    expect((await runModule('x509_certificate', anchorArgs(dir))).changed).to.equal(false);
  });

  it('files made by the playbook\'s former openssl 3 commands are kept as they are; one expiring within 30 days is renewed', async () => {
    const dir = await tempDir();
    const cmd = (days: number) =>
      execFileSync(
        'sh',
        [
          '-c',
          `umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days ${days} -subj /CN=root.linkerd.cluster.local ` +
            '-addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign',
        ],
        { cwd: dir, stdio: 'ignore' },
      );
    cmd(3650);
    const made = await readFile(join(dir, 'ca.crt'), 'utf8');
    const r = await runModule('x509_certificate', anchorArgs(dir, { mode: '0600' }));
    expect(r.changed, r.msg).to.equal(false);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).to.equal(made);

    cmd(20);
    const soon = await runModule('x509_certificate', anchorArgs(dir, { mode: '0600' }), { check: true });
    expect(soon.changed).to.equal(true);
    expect(soon.msg).to.match(/it expires \S+, within 30 days/);
  });

  it('a certificate with an extension twice (what OpenSSL 1.1.1 -addext made) is regenerated', async () => {
    const dir = await tempDir();
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=root.linkerd.cluster.local',
      keys: keys as never,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as never,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    await writeFile(join(dir, 'ca.crt'), cert.toString('pem'));
    const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    await writeFile(join(dir, 'ca.key'), createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const r = await runModule('x509_certificate', anchorArgs(dir));
    expect(r.changed).to.equal(true);
    expect(r.msg).to.include('extension basicConstraints appears 2 times');
    const ext = extensionsOf(openssl('x509', '-noout', '-text', '-in', join(dir, 'ca.crt')));
    expect(ext['Basic Constraints']).to.equal('critical CA:TRUE');
  });

  it('a key that is not the certificate\'s is found, and both are made again', async () => {
    const dir = await tempDir();
    const other = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir));
    await runModule('x509_certificate', anchorArgs(other));
    await writeFile(join(dir, 'ca.key'), await readFile(join(other, 'ca.key')), { mode: 0o600 });
    const r = await runModule('x509_certificate', anchorArgs(dir));
    expect(r.changed).to.equal(true);
    expect(r.msg).to.include('ca.key is not the key of');
    expect((await read(join(dir, 'ca.crt'))).checkPrivateKey(createPrivateKey(await readFile(join(dir, 'ca.key'))))).to.equal(true);
  });

  it('never returns the private key, and registers it as a secret so later output masks it', async () => {
    const dir = await tempDir();
    const secrets: string[] = [];
    const ctx = { ...makeContext(), secret: (v: string) => void secrets.push(v) };
    const def = getModule('x509_certificate')!;
    const results = [await executeModule(def, anchorArgs(dir), ctx), await executeModule(def, issuerArgs(dir), ctx), await executeModule(def, issuerArgs(dir), ctx)];
    for (const f of ['ca.key', 'issuer.key']) {
      const pem = await readFile(join(dir, f), 'utf8');
      const text = JSON.stringify(results);
      for (const line of keyLines(pem)) {
        expect(text).to.not.include(line);
        expect(secrets).to.include(line);
      }
      expect(secrets).to.include(pem);
    }
    // the public half is all a result tells about a key, through the certificate's fingerprint
    expect(createPublicKey(await readFile(join(dir, 'ca.key'), 'utf8')).export({ type: 'spki', format: 'pem' })).to.equal(
      (await read(join(dir, 'ca.crt'))).publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('ownca with the CA not there yet: check mode predicts a change, a real run fails naming the file', async () => {
    const dir = await tempDir();
    const check = await runModule('x509_certificate', issuerArgs(dir), { check: true });
    expect(check).to.include({ changed: true, failed: false });
    expect(check.msg).to.include('ca.crt does not exist yet');
    expect(isUnknown(check.data.issuer)).to.equal(true);
    const run = await runModule('x509_certificate', issuerArgs(dir));
    expect(run).to.include({ changed: false, failed: true });
    expect(run.msg).to.include(`the CA file ${join(dir, 'ca.crt')} does not exist`);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('refuses a CA that is not a CA, or a CA key that is not its own', async () => {
    const dir = await tempDir();
    await runModule('x509_certificate', anchorArgs(dir, { path: join(dir, 'leaf.crt'), privatekey_path: join(dir, 'leaf.key'), is_ca: false, key_usage: [] }));
    const notCa = await runModule('x509_certificate', issuerArgs(dir, { ownca_path: join(dir, 'leaf.crt'), ownca_privatekey_path: join(dir, 'leaf.key') }));
    expect(notCa).to.include({ failed: true });
    expect(notCa.msg).to.include('is not a CA certificate');
    await runModule('x509_certificate', anchorArgs(dir));
    const wrongKey = await runModule('x509_certificate', issuerArgs(dir, { ownca_privatekey_path: join(dir, 'leaf.key') }));
    expect(wrongKey).to.include({ failed: true });
    expect(wrongKey.msg).to.include(`is not the key of ${join(dir, 'ca.crt')}`);
  });

  it('argument errors: ownca without its files, path_length without is_ca', async () => {
    const dir = await tempDir();
    for (const [args, msg] of [
      [issuerArgs(dir, { ownca_path: undefined }), 'provider ownca needs ownca_path and ownca_privatekey_path'],
      [anchorArgs(dir, { is_ca: false, path_length: 0 }), 'path_length is only for a CA certificate'],
      [anchorArgs(dir, { ownca_path: join(dir, 'x') }), 'ownca_path and ownca_privatekey_path are for provider ownca'],
    ] as const) {
      let err: unknown;
      try {
        await runModule('x509_certificate', JSON.parse(JSON.stringify(args)));
      } catch (e) {
        err = e;
      }
      expect(err, msg).to.be.instanceOf(ModuleArgsError);
      expect((err as Error).message).to.include(msg);
    }
  });
});

describe('x509_certificate over SSH (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('writes and reads the files through the connection: anchor and issuer, the rhythm, openssl verify', async () => {
    const dir = (await conn.run({ argv: ['mktemp', '-d', '/var/tmp/gx-x509-XXXXXX'] })).stdout.trim();
    try {
      const snap = async () => (await conn.run({ argv: ['sh', '-c', 'cd "$1" && for f in *; do [ -e "$f" ] && stat -c "%n %a" "$f" && cat "$f"; done', 'sh', dir] })).stdout;
      await rhythm('x509_certificate', anchorArgs(dir), { conn, snapshot: snap });
      await rhythm('x509_certificate', issuerArgs(dir), { conn, snapshot: snap });
      const v = await conn.run({ argv: ['openssl', 'verify', '-CAfile', `${dir}/ca.crt`, `${dir}/issuer.crt`] });
      expect(v.rc, v.stderr).to.equal(0);
      expect((await conn.stat(`${dir}/issuer.key`))!.mode).to.equal(0o600);
      const issuer = new X509Certificate((await conn.get(`${dir}/issuer.crt`))!);
      expect(issuer.verify(new X509Certificate((await conn.get(`${dir}/ca.crt`))!).publicKey)).to.equal(true);
    } finally {
      await conn.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
