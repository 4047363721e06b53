// Host key policy: a known key passes; an unknown key is refused (strict) or written to known_hosts
// (accept-new, trust on first use); a changed or revoked key is always refused.
import { ConnectionError } from '../../errors.js';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  type KnownHostEntry,
} from './known-hosts.js';
import type { HostKeyPolicy } from './params.js';

const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Like OpenSSH: ask first for the key types we already know for this host. */
export function hostKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number): string[] {
  const known = knownKeyTypes(entries, knownHostsName(host, port)).flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : DEFAULT_HOST_KEY_ALGOS.includes(t) ? [t] : [],
  );
  return [...new Set([...known, ...DEFAULT_HOST_KEY_ALGOS])];
}

export interface HostKeyCheck {
  inventoryName: string;
  host: string;
  port: number;
  knownHostsFile: string;
  policy: HostKeyPolicy;
}

/** null when the key is accepted, else the refusal */
export async function verifyHostKey(c: HostKeyCheck, entries: KnownHostEntry[], blob: Buffer): Promise<ConnectionError | null> {
  const name = knownHostsName(c.host, c.port);
  const verdict = checkHostKey(entries, name, blob);
  const fp = fingerprint(blob);
  const type = keyTypeOf(blob);
  switch (verdict.status) {
    case 'known':
      return null;
    case 'revoked':
      return new ConnectionError(c.inventoryName, `host key for ${name} is revoked (${c.knownHostsFile}:${verdict.line}); ${type} key ${fp}`);
    case 'changed':
      return new ConnectionError(
        c.inventoryName,
        `host key for ${name} has CHANGED: the server offered ${type} ${fp}, which does not match ${c.knownHostsFile}:${verdict.line}. Someone could be intercepting the connection, or the host was reinstalled`,
        { hint: `if the change is expected, remove the old key: ssh-keygen -f ${c.knownHostsFile} -R '${name}'` },
      );
    case 'unknown':
      if (c.policy === 'accept-new') {
        await appendKnownHost(c.knownHostsFile, name, blob);
        entries.push({ patterns: name, keyType: type, key: blob, line: 0 });
        return null;
      }
      return new ConnectionError(
        c.inventoryName,
        `host key for ${name} is unknown: ${type} ${fp} is not in ${c.knownHostsFile}`,
        {
          hint:
            `after checking the fingerprint, trust it with: ssh-keyscan -p ${c.port} -t ${type} ${c.host} >> ${c.knownHostsFile}` +
            ` (this line: ${knownHostsLine(name, blob)}), or run with -e gx_host_key_policy=accept-new`,
        },
      );
  }
}
