// What the driver shell runs for one RunOptions. The cheapest form is chosen: a forked subshell of
// the driver (no exec but the command's own) when neither become nor a timeout is involved; sudo
// when becoming; a tracked session (framing.ts) when the command may have to be killed.
import { shellQuote, type RunOptions } from '../connection.js';
import type { BecomeWrap } from './become.js';
import { trackedPrologue } from './framing.js';

/**
 * cd, env, then the command. `shellText: 'eval'` keeps a user's shell line quoted so that its
 * syntax errors stay in the subshell instead of reaching the driver; 'raw' is for an `sh -c` of its own.
 */
export function innerCommand(opts: Pick<RunOptions, 'argv' | 'shell' | 'env' | 'cwd'>, shellText: 'eval' | 'raw'): string {
  const parts: string[] = [];
  if (opts.cwd !== undefined) parts.push(`cd ${shellQuote(opts.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name '${k}'`);
    parts.push(`export ${k}=${shellQuote(v)}`);
  }
  if (opts.argv !== undefined) {
    if (opts.argv.length === 0) throw new Error('run: empty argv');
    parts.push(`exec ${opts.argv.map(shellQuote).join(' ')}`);
  } else if (opts.shell !== undefined) parts.push(shellText === 'eval' ? `eval ${shellQuote(opts.shell)}` : opts.shell);
  else throw new Error('run needs argv or shell');
  // eval mode sits unquoted in the driver's own line, where a newline would end the line early
  // (a stdin heredoc starts at the first newline); raw mode is quoted whole
  return parts.join(shellText === 'eval' ? '; ' : '\n');
}

export interface DriverCommandInput {
  opts: Pick<RunOptions, 'argv' | 'shell' | 'env' | 'cwd' | 'become'>;
  wrap: BecomeWrap;
  tracked: boolean;
  marker: string;
  /** the host has setsid(1) */
  setsid: boolean;
}

export function driverCommand(c: DriverCommandInput): string {
  const env = c.wrap.envPrefix ? `${c.wrap.envPrefix} ` : '';
  const sudo = c.wrap.argv.map(shellQuote).join(' ');
  if (!c.tracked) {
    if (c.opts.become) return `${env}${sudo} /bin/sh -c ${shellQuote(innerCommand(c.opts, 'raw'))}`;
    return `( ${innerCommand(c.opts, 'eval')} )`;
  }
  const body = c.opts.become ? `exec ${sudo} /bin/sh -c ${shellQuote(innerCommand(c.opts, 'raw'))}` : innerCommand(c.opts, 'raw');
  return `${env}${c.setsid ? 'setsid ' : ''}/bin/sh -c ${shellQuote(`${trackedPrologue(c.marker)}\n${body}`)}`;
}
