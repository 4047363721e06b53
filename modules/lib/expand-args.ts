// What Ansible's command module does to each argument before it runs the program (lib/ansible/
// modules/command.py at v2.14: os.path.expanduser(os.path.expandvars(arg))): $NAME and ${NAME}
// from the environment the program gets, ~ and ~user at the start; unknown names stay as written.
// No globbing, no word splitting: still no shell.
import type { ModuleContext } from '../../engine/module-contract.js';

const VAR = /\$(\w+|\{[^}]*\})/g;

function needsExpansion(arg: string): boolean {
  return arg.includes('$') || arg.startsWith('~');
}

/** Python's posixpath.expandvars over `env`. */
export function expandVars(arg: string, env: Record<string, string>): string {
  if (!arg.includes('$')) return arg;
  return arg.replace(VAR, (whole, name: string) => {
    const key = name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
    return Object.prototype.hasOwnProperty.call(env, key) ? env[key]! : whole;
  });
}

/** Python's posixpath.expanduser: `home(user)` gives a user's home ('' for the current one), undefined when unknown. */
export function expandUser(arg: string, home: (user: string) => string | undefined): string {
  if (!arg.startsWith('~')) return arg;
  let i = arg.indexOf('/', 1);
  if (i < 0) i = arg.length;
  const dir = home(arg.slice(1, i));
  if (dir === undefined) return arg;
  return (dir.replace(/\/+$/, '') || '/') + arg.slice(i);
}

/** The arguments as the program gets them from Ansible's command: one read of the host's environment when one needs it. */
export async function expandArgs(ctx: ModuleContext, argv: string[]): Promise<string[]> {
  if (!argv.some(needsExpansion)) return argv;
  const r = await ctx.conn.run({ argv: ['env', '-0'] });
  if (r.rc !== 0) return argv;
  const env: Record<string, string> = {};
  for (const entry of r.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const homes = new Map<string, string | undefined>();
  for (const arg of argv) {
    const m = /^~([^/]+)/.exec(expandVars(arg, env));
    if (m && !homes.has(m[1]!)) {
      const pw = await ctx.conn.run({ argv: ['getent', 'passwd', m[1]!] });
      homes.set(m[1]!, pw.rc === 0 ? pw.stdout.split(':')[5]?.trim() : undefined);
    }
  }
  const home = (user: string): string | undefined => (user === '' ? env.HOME : homes.get(user));
  return argv.map((a) => expandUser(expandVars(a, env), home));
}
