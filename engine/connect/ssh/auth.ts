// The authentication attempts for one endpoint, in OpenSSH's order: agent, each identity file,
// then the password (as password and as keyboard-interactive). Keys are read once, at connect.
import { readFileSync } from 'node:fs';
import type { AuthenticationType, AuthHandlerMiddleware, NextAuthHandler } from 'ssh2';
import { ssh2 } from './ssh2.js';

export interface AuthInput {
  user: string;
  identityFiles: string[];
  keyPassphrase?: string;
  password?: string;
  agent?: string;
}

export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** what was tried, for the "authentication failed" message */
  tried: string[];
}

type Attempt = Exclude<Parameters<NextAuthHandler>[0], AuthenticationType>;

export function planAuth(input: AuthInput): AuthPlan {
  const attempts: Attempt[] = [];
  const tried: string[] = [];
  if (input.agent) {
    attempts.push({ type: 'agent', username: input.user, agent: input.agent });
    tried.push('ssh-agent');
  }
  for (const file of input.identityFiles) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      tried.push(`key ${file} (unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      continue;
    }
    const parsed = ssh2().utils.parseKey(data, input.keyPassphrase);
    if (parsed instanceof Error) {
      const why = /encrypted|passphrase/i.test(parsed.message)
        ? input.keyPassphrase === undefined
          ? 'encrypted, no passphrase given (gx_ssh_key_passphrase)'
          : 'wrong passphrase'
        : parsed.message;
      tried.push(`key ${file} (${why})`);
      continue;
    }
    // the parsed key, so ssh2 does not run the (slow, bcrypt) passphrase KDF a second time
    attempts.push({ type: 'publickey', username: input.user, key: (Array.isArray(parsed) ? parsed[0] : parsed) as unknown as Buffer });
    tried.push(`key ${file}`);
  }
  if (input.password !== undefined) {
    const password = input.password;
    attempts.push({ type: 'password', username: input.user, password });
    attempts.push({
      type: 'keyboard-interactive',
      username: input.user,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
    tried.push('password');
  }
  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, callback) => {
    while (next < attempts.length) {
      const a = attempts[next++]!;
      if (methodsLeft === null || methodsLeft === undefined || methodsLeft.includes(a.type)) {
        callback(a);
        return;
      }
    }
    // ssh2 accepts false ("nothing left"), which its typings omit
    (callback as unknown as (v: false) => void)(false);
  };
  return { handler, tried };
}
