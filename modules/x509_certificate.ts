// x509_certificate: the CA's files are on the same host, read and written through the task's
// connection like every other module's files. No openssl: the controller's varies (LibreSSL on
// macOS; OpenSSL 1.1.1 duplicates -addext extensions).
import { X509Certificate as NodeCertificate, createHash, createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import type { FileStat } from '../engine/connect/connection.js';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import { defineModule, type DiffEntry, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { Unknown } from '../engine/vars/unknown.js';
import { applyAttrs, attrDiff } from './lib/attrs.js';
import { formatMode, parseMode } from './lib/mode.js';

const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
type KeyUsageName = (typeof KEY_USAGES)[number];

export interface X509CertificateArgs {
  path: string;
  privatekey_path: string;
  provider: 'selfsigned' | 'ownca';
  ownca_path?: string;
  ownca_privatekey_path?: string;
  common_name: string;
  is_ca: boolean;
  path_length?: number;
  key_usage: KeyUsageName[];
  valid_days: number;
  key_type: 'ec-p256';
  mode: string | number;
  force: boolean;
}

/** A certificate regenerated when it expires within this many days (or within half its validity, if shorter). */
const RENEW_DAYS = 30;
/** notBefore is set this far back, so a host whose clock is a little behind the controller's accepts the certificate at once. */
const BACKDATE_MS = 5 * 60 * 1000;
const KEY_MODE = 0o600;
const DAY_MS = 24 * 60 * 60 * 1000;
const OID = { basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', subjectKeyIdentifier: '2.5.29.14', authorityKeyIdentifier: '2.5.29.35' } as const;
const OID_NAME: Record<string, string> = Object.fromEntries(Object.entries(OID).map(([k, v]) => [v, k]));

// @peculiar/x509 (and its asn1 schemas, and tsyringe, which needs a Reflect polyfill loaded first)
// is loaded by the first task that uses this module, not by every gx start.
let lib: Promise<typeof X509> | undefined;
function x509(): Promise<typeof X509> {
  lib ??= (async () => {
    await import('reflect-metadata');
    return await import('@peculiar/x509');
  })();
  return lib;
}

export const x509_certificate = defineModule<X509CertificateArgs, CertInfo>({
  name: 'x509_certificate',
  aliases: ['community.crypto.x509_certificate'],
  summary: 'Generate a private key and an X.509 certificate for it, self-signed or signed by a CA, without openssl.',
  description:
    "Like community.crypto.x509_certificate with its private key in the same task: the key (ECDSA P-256, PKCS#8 PEM, always mode 0600) and the certificate (PEM) are " +
    "generated with @peculiar/x509 on Node's WebCrypto, so the controller's openssl does not matter. " +
    'The certificate carries basicConstraints (critical; CA and pathlen as asked), keyUsage (critical, when key_usage is given), subjectKeyIdentifier, ' +
    'and, for ownca, authorityKeyIdentifier, each exactly once; a random positive serial; signature ecdsa-with-SHA256 (sha256WithRSAEncryption when an ownca CA key is RSA). ' +
    'When both files exist and the certificate still matches (common name, CA and path length, key usage, the key is the one certified, ' +
    `issued by the given CA or self-signed, not expiring within ${RENEW_DAYS} days), nothing is written; otherwise both are generated anew and msg says what differed. ` +
    'The private key is never returned or shown. Check mode reads the files and predicts.',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Where the certificate (PEM) is written.' },
      privatekey_path: {
        type: 'string',
        description: 'Where the private key (PKCS#8 PEM, unencrypted) is written, always with mode 0600. An existing key in SEC1 form (`EC PRIVATE KEY`) is read too.',
      },
      provider: {
        type: 'string',
        enum: ['selfsigned', 'ownca'],
        description: '`selfsigned`: the certificate is signed with its own key (a root CA, or a standalone certificate). `ownca`: signed by the CA in ownca_path / ownca_privatekey_path.',
      },
      ownca_path: { type: 'string', description: 'The signing CA certificate (PEM), with provider ownca. It must be a CA certificate.' },
      ownca_privatekey_path: { type: 'string', description: "The signing CA's private key (PEM), with provider ownca. It must belong to the certificate in ownca_path." },
      common_name: { type: 'string', minLength: 1, description: 'The subject common name (CN); the subject holds only the CN.' },
      is_ca: { type: 'boolean', default: false, description: 'Make a CA certificate (basicConstraints CA:TRUE). false writes basicConstraints CA:FALSE.' },
      path_length: {
        type: 'integer',
        minimum: 0,
        description: 'basicConstraints pathLenConstraint: how many intermediate CAs may follow this one (0: it may sign only end-entity certificates). Only with is_ca; unlimited when not given.',
      },
      key_usage: {
        type: 'array',
        items: { type: 'string', enum: [...KEY_USAGES] },
        uniqueItems: true,
        default: [],
        description: 'The keyUsage bits, written as a critical extension, e.g. [keyCertSign, cRLSign] for a CA or [digitalSignature] for a server. Empty: no keyUsage extension.',
      },
      valid_days: { type: 'integer', minimum: 1, default: 3650, description: 'How many days the certificate is valid from now (Ansible\'s default, ten years).' },
      key_type: { type: 'string', enum: ['ec-p256'], default: 'ec-p256', description: 'The key algorithm. Only ECDSA on P-256 (prime256v1) is supported; an existing key of another type is replaced.' },
      mode: {
        type: ['string', 'integer'],
        default: '0644',
        description: "The certificate file's permissions, octal ('0644') or symbolic. The private key is always 0600.",
      },
      force: { type: 'boolean', default: false, description: 'Generate a new key and certificate even when the existing ones match.' },
    },
    required: ['path', 'privatekey_path', 'provider', 'common_name'],
    additionalProperties: false,
  },
  examples: [
    `- name: Linkerd trust anchor (a self-signed root CA)
  x509_certificate:
    path: /etc/linkerd/ca.crt
    privatekey_path: /etc/linkerd/ca.key
    provider: selfsigned
    common_name: root.linkerd.cluster.local
    is_ca: true
    key_usage: [keyCertSign, cRLSign]
    valid_days: 3650
  delegate_to: localhost`,
    `- name: Linkerd issuer, signed by the trust anchor
  x509_certificate:
    path: /etc/linkerd/issuer.crt
    privatekey_path: /etc/linkerd/issuer.key
    provider: ownca
    ownca_path: /etc/linkerd/ca.crt
    ownca_privatekey_path: /etc/linkerd/ca.key
    common_name: identity.linkerd.cluster.local
    is_ca: true
    path_length: 0
    key_usage: [keyCertSign, cRLSign]
  register: issuer`,
    `- name: Say when the issuer expires
  debug:
    msg: "issuer {{ issuer.serial_number }} valid until {{ issuer.not_after }}"`,
  ],
  returns: {
    path: { type: 'str', description: 'The certificate file.', returned: 'always' },
    privatekey_path: { type: 'str', description: 'The private key file (the key itself is never returned).', returned: 'always' },
    subject: { type: 'str', description: "The certificate's subject, e.g. `CN=root.linkerd.cluster.local`.", returned: 'always' },
    issuer: { type: 'str', description: "The certificate's issuer (the subject itself when self-signed).", returned: 'always' },
    not_before: { type: 'str', description: 'Start of validity, ISO 8601 UTC.', returned: 'always (unknown in check mode when it would be generated)' },
    not_after: { type: 'str', description: 'End of validity, ISO 8601 UTC.', returned: 'always (unknown in check mode when it would be generated)' },
    serial_number: { type: 'str', description: 'The serial number in hexadecimal (upper case, as openssl prints it).', returned: 'always (unknown in check mode when it would be generated)' },
    fingerprint_sha256: { type: 'str', description: 'SHA-256 of the DER certificate, lower-case hex pairs joined by colons.', returned: 'always (unknown in check mode when it would be generated)' },
    is_ca: { type: 'bool', description: 'Whether the certificate is a CA certificate.', returned: 'always' },
    path_length: { type: 'int', description: 'The basicConstraints path length, null when unlimited or not a CA.', returned: 'always' },
    key_usage: { type: 'list', description: 'The keyUsage bits.', returned: 'always' },
  },
  checkMode: true,
  check: checkArgs,
  async plan(ctx, a) {
    return planCertificate(ctx, a);
  },
});

export default x509_certificate;

interface CertInfo {
  path: string;
  privatekey_path: string;
  subject: string;
  issuer: string | Unknown;
  not_before: string | Unknown;
  not_after: string | Unknown;
  serial_number: string | Unknown;
  fingerprint_sha256: string | Unknown;
  is_ca: boolean;
  path_length: number | null;
  key_usage: string[];
}

/** An existing certificate, parsed by both libraries: Node's for issuance and key checks, @peculiar/x509's for extensions. */
interface Parsed {
  node: NodeCertificate;
  cert: X509.X509Certificate;
}

/** The rules across the arguments (pure): the module's check(), run before any host is touched. */
function checkArgs(a: X509CertificateArgs): string[] {
  const out: string[] = [];
  if (a.provider === 'ownca' && (a.ownca_path === undefined || a.ownca_privatekey_path === undefined)) out.push('provider ownca needs ownca_path and ownca_privatekey_path');
  if (a.provider === 'selfsigned' && (a.ownca_path !== undefined || a.ownca_privatekey_path !== undefined)) out.push('ownca_path and ownca_privatekey_path are for provider ownca');
  if (a.path_length !== undefined && !a.is_ca) out.push('path_length is only for a CA certificate (is_ca: true)');
  if (a.path === a.privatekey_path) out.push('path and privatekey_path must be different files');
  return out;
}

async function planCertificate(ctx: ModuleContext, a: X509CertificateArgs): Promise<Plan<CertInfo>> {
  parseMode(a.mode);
  const lib = await x509();
  const { conn } = ctx;
  const certMode = parseMode(a.mode);
  const wantIssuer = { name: a.common_name };

  // the signing CA, for ownca: it must exist (outside check mode), be a CA, and match its key
  let ca: { parsed: Parsed; key: KeyObject } | undefined;
  if (a.provider === 'ownca') {
    const [caPem, caKeyPem] = await Promise.all([conn.get(a.ownca_path!), conn.get(a.ownca_privatekey_path!)]);
    if (caPem === null || caKeyPem === null) {
      const missing = caPem === null ? a.ownca_path! : a.ownca_privatekey_path!;
      if (ctx.check) {
        return { changed: true, msg: `would generate: the CA ${missing} does not exist yet (an earlier task would create it)`, data: predicted(a, undefined) };
      }
      return { changed: false, failed: true, msg: `x509_certificate: the CA file ${missing} does not exist` };
    }
    const parsed = parseCert(lib, caPem);
    if (typeof parsed === 'string') return { changed: false, failed: true, msg: `x509_certificate: ownca_path ${a.ownca_path}: ${parsed}` };
    let key: KeyObject;
    try {
      key = createPrivateKey(caKeyPem);
    } catch (e) {
      return { changed: false, failed: true, msg: `x509_certificate: ownca_privatekey_path ${a.ownca_privatekey_path} is not a readable unencrypted private key: ${(e as Error).message}` };
    }
    protect(ctx, caKeyPem.toString('utf8'));
    if (!parsed.node.ca) return { changed: false, failed: true, msg: `x509_certificate: ownca_path ${a.ownca_path} is not a CA certificate (basicConstraints CA:TRUE)` };
    if (!parsed.node.checkPrivateKey(key)) return { changed: false, failed: true, msg: `x509_certificate: ownca_privatekey_path ${a.ownca_privatekey_path} is not the key of ${a.ownca_path}` };
    ca = { parsed, key };
    wantIssuer.name = parsed.cert.subject;
  }

  const [certSt, keySt] = await Promise.all([conn.stat(a.path, { followLinks: true }), conn.stat(a.privatekey_path, { followLinks: true })]);
  const reasons: string[] = [];
  let current: Parsed | undefined;
  if (a.force) reasons.push('force is true');
  if (!certSt) reasons.push(`${a.path} does not exist`);
  if (!keySt) reasons.push(`${a.privatekey_path} does not exist`);
  if (certSt && keySt) {
    const [certPem, keyPem] = await Promise.all([conn.get(a.path), conn.get(a.privatekey_path)]);
    if (keyPem !== null) protect(ctx, keyPem.toString('utf8'));
    const parsed = certPem === null ? `${a.path} could not be read` : parseCert(lib, certPem);
    if (typeof parsed === 'string') reasons.push(`${a.path}: ${parsed}`);
    else {
      current = parsed;
      reasons.push(...differences(lib, a, parsed, keyPem, ca?.parsed));
    }
  }

  if (reasons.length === 0 && current) {
    // the certificate is right: only the files' modes may need fixing
    const fixes: { path: string; st: FileStat; mode: number }[] = [];
    if (certSt!.mode !== certMode) fixes.push({ path: a.path, st: certSt!, mode: certMode });
    if (keySt!.mode !== KEY_MODE) fixes.push({ path: a.privatekey_path, st: keySt!, mode: KEY_MODE });
    const data = await describe(lib, a, current);
    if (fixes.length === 0) return { changed: false, msg: 'the certificate and its key match', data };
    const what = fixes.map((f) => `mode of ${f.path} ${formatMode(f.st.mode)} → ${formatMode(f.mode)}`).join('; ');
    return {
      changed: true,
      msg: `the certificate matches; ${what}`,
      diff: fixes.map((f) => attrDiff(f.path, f.st, { mode: f.mode })),
      data,
      apply: async () => {
        for (const f of fixes) await applyAttrs(conn, f.path, { mode: f.mode });
        return { msg: `the certificate matches; ${what}`, data };
      },
    };
  }

  const msg = `generated: ${reasons.join('; ')}`;
  // read only with --diff (the engine calls it then)
  const diff = async (): Promise<DiffEntry[]> => [{ label: a.path, before: current ? summary(await describe(lib, a, current)) : '', after: summary(predicted(a, wantIssuer.name)) }];
  return {
    changed: true,
    msg: ctx.check ? `would be ${msg}` : msg,
    diff,
    data: predicted(a, wantIssuer.name),
    apply: async () => {
      const { certPem, keyPem } = await generate(lib, a, ca);
      protect(ctx, keyPem);
      // the key first: a certificate without its key would be found mismatched and made again.
      // put writes a temporary file created 0600 and renames it, so the key is never readable by others
      await conn.put(a.privatekey_path, keyPem, { mode: KEY_MODE });
      await conn.put(a.path, certPem, { mode: certMode });
      const parsed = parseCert(lib, Buffer.from(certPem));
      if (typeof parsed === 'string') throw new ModuleError(`x509_certificate: the generated certificate does not parse: ${parsed}`);
      return { msg, data: await describe(lib, a, parsed) };
    },
  };
}

function parseCert(lib: typeof X509, pem: Buffer): Parsed | string {
  try {
    const text = pem.toString('utf8');
    return { node: new NodeCertificate(pem), cert: new lib.X509Certificate(text) };
  } catch (e) {
    return `not a PEM certificate (${(e as Error).message})`;
  }
}

/** Why an existing certificate and key do not match the arguments; empty when they do. */
function differences(lib: typeof X509, a: X509CertificateArgs, cur: Parsed, keyPem: Buffer | null, ca: Parsed | undefined): string[] {
  const out: string[] = [];
  // the key: readable, P-256, and the one the certificate certifies
  let key: KeyObject | undefined;
  try {
    if (keyPem === null) throw new Error('could not be read');
    key = createPrivateKey(keyPem);
  } catch (e) {
    out.push(`${a.privatekey_path} is not a readable unencrypted private key (${(e as Error).message})`);
  }
  if (key) {
    const kind = key.asymmetricKeyType === 'ec' ? `ec ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    if (kind !== 'ec prime256v1') out.push(`the key is ${kind}, not ec-p256`);
    else if (!cur.node.checkPrivateKey(key)) out.push(`${a.privatekey_path} is not the key of ${a.path}`);
  }
  // each extension once
  const counts = new Map<string, number>();
  for (const e of cur.cert.extensions) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  for (const [oid, n] of counts) if (n > 1) out.push(`extension ${OID_NAME[oid] ?? oid} appears ${n} times`);
  // subject: exactly CN=common_name
  const subject = cur.cert.subjectName.toJSON();
  const cns = subject.flatMap((rdn) => Object.entries(rdn));
  if (!(cns.length === 1 && cns[0]![0] === 'CN' && cns[0]![1].length === 1 && cns[0]![1][0] === a.common_name)) {
    out.push(`subject is ${cur.cert.subject}, not CN=${a.common_name}`);
  }
  // CA-ness and path length
  const bc = cur.cert.getExtension(lib.BasicConstraintsExtension);
  const isCa = bc?.ca === true;
  if (isCa !== a.is_ca) out.push(a.is_ca ? 'it is not a CA certificate' : 'it is a CA certificate');
  else if (isCa && bc!.pathLength !== a.path_length) out.push(`path length is ${bc!.pathLength ?? 'unlimited'}, not ${a.path_length ?? 'unlimited'}`);
  if (bc && !bc.critical) out.push('basicConstraints is not critical');
  // key usage, as a set
  const ku = cur.cert.getExtension(lib.KeyUsagesExtension);
  const have = ku ? usageNames(lib, ku.usages) : [];
  const want = [...a.key_usage].sort();
  if (have.join(',') !== want.join(',')) out.push(`key usage is [${have.join(', ')}], not [${want.join(', ')}]`);
  if (ku && !ku.critical) out.push('keyUsage is not critical');
  // issued by the CA asked for
  if (ca) {
    if (!cur.node.checkIssued(ca.node) || !cur.node.verify(ca.node.publicKey)) out.push(`it is not issued by the CA in ${a.ownca_path} (${ca.cert.subject})`);
  } else if (!cur.node.checkIssued(cur.node) || !cur.node.verify(cur.node.publicKey)) {
    out.push(`it is not self-signed (issuer ${cur.cert.issuer})`);
  }
  // expiry
  const renewMs = Math.min(RENEW_DAYS * DAY_MS, (a.valid_days * DAY_MS) / 2);
  if (cur.cert.notAfter.getTime() - Date.now() < renewMs) out.push(`it expires ${cur.cert.notAfter.toISOString()}, within ${Math.round(renewMs / DAY_MS)} days`);
  return out;
}

function usageNames(lib: typeof X509, bits: number): string[] {
  return KEY_USAGES.filter((n) => (bits & lib.KeyUsageFlags[n]) !== 0).sort();
}

async function describe(lib: typeof X509, a: X509CertificateArgs, p: Parsed): Promise<CertInfo> {
  const bc = p.cert.getExtension(lib.BasicConstraintsExtension);
  const ku = p.cert.getExtension(lib.KeyUsagesExtension);
  return {
    path: a.path,
    privatekey_path: a.privatekey_path,
    subject: p.cert.subject,
    issuer: p.cert.issuer,
    not_before: p.cert.notBefore.toISOString(),
    not_after: p.cert.notAfter.toISOString(),
    serial_number: p.node.serialNumber.toUpperCase(),
    fingerprint_sha256: createHash('sha256').update(p.node.raw).digest('hex').match(/../g)!.join(':'),
    is_ca: bc?.ca === true,
    path_length: bc?.ca === true && bc.pathLength !== undefined ? bc.pathLength : null,
    key_usage: ku ? usageNames(lib, ku.usages) : [],
  };
}

/** What the result will hold once the certificate is generated; what only generation decides is unknown. */
function predicted(a: X509CertificateArgs, issuer: string | undefined): CertInfo {
  const later = new Unknown('generated when the task runs');
  return {
    path: a.path,
    privatekey_path: a.privatekey_path,
    subject: `CN=${a.common_name}`,
    issuer: a.provider === 'selfsigned' ? `CN=${a.common_name}` : (issuer ?? new Unknown('the CA does not exist yet')),
    not_before: later,
    not_after: later,
    serial_number: later,
    fingerprint_sha256: later,
    is_ca: a.is_ca,
    path_length: a.is_ca && a.path_length !== undefined ? a.path_length : null,
    key_usage: [...a.key_usage].sort(),
  };
}

function summary(c: CertInfo): string {
  const lines = [
    `subject: ${c.subject}`,
    `issuer: ${c.issuer}`,
    `is_ca: ${c.is_ca}`,
    `path_length: ${c.path_length ?? 'none'}`,
    `key_usage: [${c.key_usage.join(', ')}]`,
  ];
  if (typeof c.not_after === 'string') lines.push(`not_after: ${c.not_after}`);
  if (typeof c.serial_number === 'string') lines.push(`serial_number: ${c.serial_number}`);
  return lines.join('\n') + '\n';
}

/** Registers a private key's PEM, and each of its base64 lines, as secrets: masked wherever a later task prints them. */
function protect(ctx: ModuleContext, pem: string): void {
  ctx.secret(pem);
  ctx.secret(pem.trim());
  for (const line of pem.split('\n')) if (line !== '' && !line.startsWith('-----')) ctx.secret(line.trim());
}

function toPem(label: string, der: ArrayBuffer | Buffer): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/** A random positive serial: 16 bytes, the first in 0x01..0x7f so the DER INTEGER is positive and minimal. */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f || 0x01;
  return b.toString('hex');
}

async function generate(lib: typeof X509, a: X509CertificateArgs, ca: { parsed: Parsed; key: KeyObject } | undefined): Promise<{ certPem: string; keyPem: string }> {
  const subtle = webcrypto.subtle;
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: X509.Extension[] = [
    new lib.BasicConstraintsExtension(a.is_ca, a.is_ca ? a.path_length : undefined, true),
  ];
  if (a.key_usage.length > 0) {
    const bits = a.key_usage.reduce((n, u) => n | lib.KeyUsageFlags[u], 0);
    extensions.push(new lib.KeyUsagesExtension(bits, true));
  }
  extensions.push(await lib.SubjectKeyIdentifierExtension.create(keys.publicKey as never));
  const now = Date.now();
  const base = {
    serialNumber: randomSerial(),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + a.valid_days * DAY_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  };
  const subject = [{ CN: [a.common_name] }];
  let cert: X509.X509Certificate;
  if (!ca) {
    cert = await lib.X509CertificateGenerator.create({ ...base, subject, issuer: subject, extensions, publicKey: keys.publicKey as never, signingKey: keys.privateKey as never });
  } else {
    // the authority key id is the CA's own subject key id when it has one, so chains build by key id
    const caSki = ca.parsed.cert.getExtension(lib.SubjectKeyIdentifierExtension);
    extensions.push(caSki ? new lib.AuthorityKeyIdentifierExtension(caSki.keyId) : await lib.AuthorityKeyIdentifierExtension.create(ca.parsed.cert.publicKey));
    const caDer = ca.key.export({ type: 'pkcs8', format: 'der' });
    const caKey = await subtle.importKey('pkcs8', caDer, caAlgorithm(ca.key), false, ['sign']);
    const signingAlgorithm = ca.key.asymmetricKeyType === 'ec' ? base.signingAlgorithm : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    cert = await lib.X509CertificateGenerator.create({
      ...base,
      signingAlgorithm,
      subject,
      issuer: ca.parsed.cert.subjectName,
      extensions,
      publicKey: keys.publicKey as never,
      signingKey: caKey as never,
    });
  }
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem('PRIVATE KEY', pkcs8) };
}

/** How WebCrypto imports the CA's key: ECDSA on its curve, or RSA PKCS#1 v1.5 (a CA made elsewhere may be RSA). */
function caAlgorithm(key: KeyObject): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const named = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : undefined;
    if (!named) throw new ModuleError(`x509_certificate: the CA key's curve ${curve} is not supported`);
    return { name: 'ECDSA', namedCurve: named };
  }
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  throw new ModuleError(`x509_certificate: a ${key.asymmetricKeyType} CA key is not supported (ECDSA or RSA)`);
}
