// The subset of ssh_config(5) gx honours: Host blocks (patterns, negation, first value wins as in
// OpenSSH), HostName (%h), Port, User, IdentityFile (several; ~ and %d %u %h %r %p), ProxyJump,
// ConnectTimeout, ServerAliveInterval, UserKnownHostsFile, StrictHostKeyChecking. `Match` blocks are
// skipped (their conditions need a running ssh); `Include` is followed, relative to ~/.ssh.
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { patternsMatch } from './known-hosts.js';

export interface SshConfigEntry {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  proxyJump?: string;
  connectTimeoutS?: number;
  serverAliveIntervalS?: number;
  userKnownHostsFile?: string;
  strictHostKeyChecking?: string;
}

interface Block {
  patterns: string[] | null; // null: a Match block, never applies
  options: Array<[string, string]>;
}

export function parseSshConfig(text: string, readInclude: (path: string) => string | null = readIfExists): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], options: [] }];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = unquote(m[2]!.trim());
    if (key === 'host') blocks.push({ patterns: value.split(/\s+/), options: [] });
    else if (key === 'match') blocks.push({ patterns: null, options: [] });
    else if (key === 'include') {
      for (const file of value.split(/\s+/)) {
        const path = isAbsolute(expandHome(file)) ? expandHome(file) : join(homedir(), '.ssh', file);
        const included = readInclude(path);
        if (included !== null) {
          const inner = parseSshConfig(included, readInclude);
          // options before the first Host of an included file belong to the including block
          blocks[blocks.length - 1]!.options.push(...inner[0]!.options);
          blocks.push(...inner.slice(1));
        }
      }
    } else blocks[blocks.length - 1]!.options.push([key, value]);
  }
  return blocks;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function blockApplies(patterns: string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (patternsMatch(p.slice(1), host)) return false;
    } else if (patternsMatch(p, host)) matched = true;
  }
  return matched;
}

export function lookupSshConfig(blocks: Block[], host: string): SshConfigEntry {
  const first = new Map<string, string>();
  const identityFiles: string[] = [];
  for (const b of blocks) {
    if (b.patterns === null || !blockApplies(b.patterns, host)) continue;
    for (const [k, v] of b.options) {
      if (k === 'identityfile') identityFiles.push(v);
      else if (!first.has(k)) first.set(k, v);
    }
  }
  const hostName = first.get('hostname')?.replace(/%h/g, host);
  const port = first.has('port') ? Number(first.get('port')) : undefined;
  const user = first.get('user');
  const tokens = (p: string): string =>
    expandHome(p)
      .replace(/%d/g, homedir())
      .replace(/%u/g, userInfo().username)
      .replace(/%h/g, hostName ?? host)
      .replace(/%r/g, user ?? userInfo().username)
      .replace(/%p/g, String(port ?? 22))
      .replace(/%%/g, '%');
  const num = (k: string): number | undefined => (first.has(k) ? Number(first.get(k)) : undefined);
  return {
    hostName,
    port: Number.isFinite(port) ? port : undefined,
    user,
    identityFiles: identityFiles.map(tokens),
    proxyJump: first.get('proxyjump'),
    connectTimeoutS: num('connecttimeout'),
    serverAliveIntervalS: num('serveraliveinterval'),
    userKnownHostsFile: first.has('userknownhostsfile') ? tokens(first.get('userknownhostsfile')!.split(/\s+/)[0]!) : undefined,
    strictHostKeyChecking: first.get('stricthostkeychecking')?.toLowerCase(),
  };
}

export function loadSshConfig(path: string): Block[] {
  const text = readIfExists(path);
  return text === null ? [] : parseSshConfig(text);
}
