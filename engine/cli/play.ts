// `gx play`: load and validate everything, then run, then recap. Exit codes in the README.
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import PQueue from 'p-queue';
import { ansibleRolesPath } from '../compile/roles.js';
import { formatLocation } from '../load/source.js';
import { Compiler } from '../compile/compiler.js';
import { listHosts, listTags, listTasks } from '../compile/list.js';
import type { TagSelection } from '../compile/tags.js';
import { ConnectionPool } from '../connect/pool.js';
import { LocalConnection } from '../connect/local.js';
import { EXIT, UsageError } from '../errors.js';
import { loadInventory } from '../inventory/inventory.js';
import { parseYamlFile } from '../load/yaml.js';
import { EventBus } from '../report/bus.js';
import { makeReporters } from '../report/make.js';
import { SECRET_NAME } from '../report/redact.js';
import type { RunContext } from '../run/context.js';
import { playHosts, runPlaybook } from '../run/playbook-run.js';
import { parseExtraVars } from '../vars/scope.js';
import { knownModules } from '../load/known-modules.js';
import { modules } from '../../modules/index.js';

export interface PlayOptions {
  inventory: string[];
  extraVars: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  forks: number;
  verbose: number;
  output: 'auto' | 'plain' | 'tty' | 'json';
  profile: boolean;
  listTasks: boolean;
  listTags: boolean;
  listHosts: boolean;
  syntaxCheck: boolean;
  startAtTask?: string;
  forceHandlers: boolean;
  hostKeyPolicy?: string;
  rolesPath: string[];
  /** searched last for templates; when empty, defaultTemplateDirs() */
  templatesDir?: string[];
  color?: boolean;
}

const splitList = (xs: string[]): string[] => xs.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

/**
 * Without -i: inventory.yaml (or .yml) beside the playbook, else in the directories above it up to
 * the current directory (so `gx play playbooks/teardown.yaml` from the repository root finds the
 * root's inventory.yaml), else none: only the implicit localhost. A playbook outside the current
 * directory never picks up the current directory's inventory.
 */
export function defaultInventory(playbook: string, cwd = process.cwd()): string[] {
  const dirs = [dirname(resolve(playbook))];
  for (let d = dirs[0]!; d !== cwd && d.startsWith(cwd + sep); ) {
    d = dirname(d);
    dirs.push(d);
  }
  for (const dir of dirs) {
    for (const name of ['inventory.yaml', 'inventory.yml']) {
      const p = join(dir, name);
      if (existsSync(p)) return [p];
    }
  }
  return [];
}

/**
 * Without --templates-dir: templates/ beside each playbook given and in its parent directory, those
 * that exist. So `gx play site.yaml` and `gx play playbooks/k3s.yaml` both find the repository's
 * top-level templates/ (the gauntlet's layout) for the plays under playbooks/. The engine itself
 * knows no layout: it searches the role, the task file's directory, the play's directory, then these.
 */
export function defaultTemplateDirs(playbooks: string[]): string[] {
  const dirs = playbooks.flatMap((p) => {
    const dir = dirname(resolve(p));
    return [join(dir, 'templates'), join(dir, '..', 'templates')];
  });
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

export async function playCommand(playbooks: string[], o: PlayOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (playbooks.length === 0) throw new UsageError('gx play needs a playbook', { hint: 'gx play site.yaml' });
  for (const p of playbooks) if (!existsSync(p)) throw new UsageError(`playbook not found: ${p}`);
  const tags: TagSelection = { only: splitList(o.tags), skip: splitList(o.skipTags) };
  const extraVars = parseExtraVars(o.extraVars, (p) => parseYamlFile(resolve(p)));

  // everything is loaded and validated before any host is contacted
  const templateDirs = o.templatesDir?.length ? o.templatesDir.map((d) => resolve(d)) : defaultTemplateDirs(playbooks);
  const compiler = new Compiler({ known: knownModules(modules), rolesPath: [...o.rolesPath, ...(process.env.GX_ROLES_PATH?.split(':').filter(Boolean) ?? []), ...ansibleRolesPath()], templateDirs, extraVarNames: Object.keys(extraVars), extraVars });
  const compiled = playbooks.map((p) => compiler.compilePlaybook(p));
  const sources = o.inventory.length ? o.inventory : defaultInventory(playbooks[0]!);
  const inventory = await loadInventory(sources, { playbookDir: dirname(resolve(playbooks[0]!)) });
  // Ansible too refuses a limit that leaves no host ("… leaves us with no hosts to target"); here the
  // likely cause is a host a play adds at run time, whose adding play the limit skips
  if (o.limit !== undefined && !o.syntaxCheck && inventory.select(o.limit).length === 0) {
    throw new UsageError(`--limit ${o.limit} matches no host of the inventory, so no play would run`, {
      hint: 'a host that a play adds at run time (add_host, e.g. the gauntlet\'s VMs) needs the host of that play in the limit too: --limit localhost,gauntlet-a2',
    });
  }

  // problems in includes that may never run: said now, fatal only where reached
  const seen = new Set<string>();
  const uniqueWarnings = compiler.warnings.filter((w) => {
    const k = `${w.message}@${w.loc ? formatLocation(w.loc) : ''}`;
    return !seen.has(k) && Boolean(seen.add(k));
  });
  const compileWarnings = uniqueWarnings.map((w) => `${w.message}${w.hint ? `; ${w.hint}` : ''}`);
  if (o.syntaxCheck) {
    for (const [i, w] of uniqueWarnings.entries()) out.write(`[WARNING]: ${compileWarnings[i]}${w.loc ? ` (${formatLocation(w.loc)})` : ''}\n`);
    for (const pb of compiled) out.write(`\nplaybook: ${pb.file}\n`);
    return EXIT.OK;
  }
  if (o.listTasks || o.listTags || o.listHosts) {
    for (const pb of compiled) {
      if (o.listHosts) {
        const ctxLike = { inventory, settings: { limit: o.limit, extraVars } } as unknown as RunContext;
        out.write(listHosts(pb, (i) => playHosts(ctxLike, pb.plays[i]!)) + '\n');
      }
      if (o.listTasks) out.write(listTasks(pb, tags) + '\n');
      if (o.listTags) out.write(listTags(pb, tags) + '\n');
    }
    return EXIT.OK;
  }

  const bus = new EventBus();
  for (const r of makeReporters({ output: o.output, verbosity: o.verbose, color: o.color, profile: o.profile, stream: out })) bus.add(r);
  for (const [k, v] of Object.entries(extraVars)) if (SECRET_NAME.test(k) && v != null) bus.secret(String(v));
  for (const [i, w] of uniqueWarnings.entries()) bus.emit({ type: 'warning', msg: compileWarnings[i]!, loc: w.loc, time: Date.now() });

  const abort = new AbortController();
  const connections = new ConnectionPool({ hostKeyPolicy: o.hostKeyPolicy as 'strict' | 'accept-new' | undefined });
  const local = new LocalConnection('localhost');
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.INTERRUPTED);
    abort.abort();
    // closing the connections unblocks every command in flight; the recap still prints
    void connections.closeAll();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const ctx: RunContext = {
    settings: { check: o.check, diff: o.diff, forks: o.forks, limit: o.limit, tags, startAtTask: o.startAtTask, forceHandlers: o.forceHandlers, extraVars, verbosity: o.verbose, templateDirs },
    inventory,
    compiler,
    modules,
    bus,
    connections,
    local,
    hosts: new Map(),
    queue: new PQueue({ concurrency: Math.max(1, o.forks) }),
    signal: abort.signal,
    started: !o.startAtTask,
    omit: `__omit_place_holder__${Math.random().toString(36).slice(2)}`,
  };
  try {
    for (const pb of compiled) {
      await runPlaybook(pb, ctx);
      if (abort.signal.aborted) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await connections.closeAll();
    await local.close();
    await bus.close();
  }
  if (abort.signal.aborted) return EXIT.INTERRUPTED;
  return bus.counter.exitCode();
}
