// ssh2 (and what it pulls in: asn1, bcrypt-pbkdf, tweetnacl, cpu-features) loads on first use, i.e.
// the first SSH connection: a play on localhost alone never pays for it (issue 16, start-up).
// It is CommonJS, so a synchronous require does it.
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

const require = createRequire(import.meta.url);
let loaded: typeof Ssh2 | undefined;

export function ssh2(): typeof Ssh2 {
  return (loaded ??= require('ssh2') as typeof Ssh2);
}
