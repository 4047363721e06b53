#!/usr/bin/env node
// The gx command line. Only this file turns errors into text and exit codes.
import { Command, Option } from 'commander';
import { ErrorList, exitCodeForError, GxError, UsageError } from '../errors.js';
import { formatError } from '../report/format-error.js';
import { renderModuleDoc, renderModuleList } from '../doc/render.js';
import { inventoryCommand } from '../inventory/cli.js';
import { didYouMean } from '../load/suggest.js';
import { allModules, getModule } from '../../modules/index.js';
import { runHolder } from '../connect/ssh/holder.js';
import { playCommand, type PlayOptions } from './play.js';
import { readVersion } from './version.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
const count = (_v: string, prev: number): number => prev + 1;

function wantsColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR) return true;
  return stream.isTTY === true;
}

function errorJson(err: unknown): string[] {
  const list = err instanceof ErrorList ? err.errors : [err];
  return list.map((e) =>
    JSON.stringify({
      type: 'error',
      class: e instanceof Error ? e.constructor.name : 'Error',
      kind: e instanceof GxError ? e.kind : 'internal',
      file: e instanceof GxError ? e.loc?.file : undefined,
      line: e instanceof GxError ? e.loc?.line : undefined,
      col: e instanceof GxError ? e.loc?.col : undefined,
      message: e instanceof Error ? e.message : String(e),
      hint: e instanceof GxError ? e.hint : undefined,
    }),
  );
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  let jsonErrors = false;
  const program = new Command();
  program
    .name('gx')
    .description('A declarative playbook engine: Ansible playbooks, an order of magnitude faster.')
    .version(readVersion(), '--version')
    .showSuggestionAfterError(true)
    .exitOverride();

  program
    .command('play')
    .description('run playbooks against the hosts of an inventory')
    .argument('<playbook...>', 'playbook files')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'k=v pairs, JSON, or @file.yaml (repeatable; wins over everything)', collect, [])
    .option('-l, --limit <pattern>', 'further limit the hosts with a pattern')
    .option('-t, --tags <tags>', 'only run tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('-C, --check', 'plan every task and change nothing', false)
    .option('-D, --diff', 'show unified diffs of what changes (or would)', false)
    .option('-f, --forks <n>', 'how many hosts work at once', (v) => Number.parseInt(v, 10), 50)
    .option('-v, --verbose', 'more output (-v, -vv, -vvv)', count, 0)
    .addOption(new Option('--output <kind>', 'output style').choices(['auto', 'plain', 'tty', 'json']).default('auto'))
    .option('--profile', 'print per-task timings at the end', false)
    .option('--list-tasks', 'list the tasks that would run', false)
    .option('--list-tags', 'list the tags of the tasks', false)
    .option('--list-hosts', 'list the hosts each play would run on', false)
    .option('--syntax-check', 'validate the playbook and stop', false)
    .option('--start-at-task <name>', 'start at the task with this name (glob allowed)')
    .option('--force-handlers', 'run notified handlers even on hosts that failed', false)
    .addOption(new Option('--host-key-policy <policy>', 'unknown SSH host keys: refuse (strict) or trust on first use').choices(['strict', 'accept-new']))
    .option('--roles-path <dir>', 'another directory to find roles in (repeatable)', collect, [])
    .option('--templates-dir <dir>', 'another directory to find templates in, searched last (repeatable; default: templates/ beside the playbook and in its parent directory)', collect, [])
    .option('--no-color', 'no colors (NO_COLOR is respected too)')
    .action(async (playbooks: string[], opts: Record<string, unknown>) => {
      jsonErrors = opts.output === 'json';
      const o: PlayOptions = {
        inventory: opts.inventory as string[],
        extraVars: opts.extraVars as string[],
        limit: opts.limit as string | undefined,
        tags: opts.tags as string[],
        skipTags: opts.skipTags as string[],
        check: Boolean(opts.check),
        diff: Boolean(opts.diff),
        forks: Number(opts.forks),
        verbose: Number(opts.verbose),
        output: opts.output as PlayOptions['output'],
        profile: Boolean(opts.profile),
        listTasks: Boolean(opts.listTasks),
        listTags: Boolean(opts.listTags),
        listHosts: Boolean(opts.listHosts),
        syntaxCheck: Boolean(opts.syntaxCheck),
        startAtTask: opts.startAtTask as string | undefined,
        forceHandlers: Boolean(opts.forceHandlers),
        hostKeyPolicy: opts.hostKeyPolicy as string | undefined,
        rolesPath: opts.rolesPath as string[],
        templatesDir: opts.templatesDir as string[],
        color: opts.color === false ? false : wantsColor(process.stdout),
      };
      if (!Number.isFinite(o.forks) || o.forks < 1) throw new UsageError('--forks takes a positive number');
      code = await playCommand(playbooks, o);
    });

  program
    .command('inventory')
    .description('show the inventory: --list (JSON), --graph [GROUP], --host NAME')
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect, [])
    .option('--list', 'all hosts and groups with their variables, as JSON')
    .option('--graph [group]', 'the group tree')
    .option('--host <name>', "one host's variables")
    .option('-l, --limit <pattern>', 'only these hosts')
    .action(async (opts: Record<string, unknown>) => {
      const sources = (opts.inventory as string[]).length ? (opts.inventory as string[]) : ['inventory.yaml'];
      const text = await inventoryCommand({
        sources,
        list: Boolean(opts.list),
        graph: opts.graph === undefined ? undefined : opts.graph === true ? 'all' : String(opts.graph),
        host: opts.host as string | undefined,
        limit: opts.limit as string | undefined,
      } as Parameters<typeof inventoryCommand>[0]);
      process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    });

  program
    .command('doc')
    .description("a module's documentation, from its schema")
    .argument('[module]', 'module name')
    .option('--list', 'every module with its summary')
    .action(async (name: string | undefined, opts: Record<string, unknown>) => {
      if (opts.list || !name) {
        process.stdout.write(renderModuleList(allModules) + '\n');
        return;
      }
      const def = getModule(name);
      if (!def) {
        throw new UsageError(`no module named '${name}'`, { hint: didYouMean(name, allModules.map((m) => m.name)) });
      }
      process.stdout.write(renderModuleDoc(def) + '\n');
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // help and version are not errors; everything else commander rejects is usage
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 5;
    }
    if (jsonErrors) for (const line of errorJson(err)) process.stdout.write(line + '\n');
    process.stderr.write(formatError(err, { color: wantsColor(process.stderr), debug: Boolean(process.env.GX_DEBUG) }) + '\n');
    return exitCodeForError(err);
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/gx') || process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('main.js');
/**
 * Ends the process once what was written to stdout and stderr is handed over. By then the run has
 * closed its connections, reporters and children; waiting for the event loop to empty itself only
 * waited for V8's garbage collector to finish a marking it had started and for sockets already
 * let go (~8 ms at the end of a trivial play, measured; issue 16). The 'exit' handlers still run
 * (the code cache is written there).
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

if (isMain && process.argv[2] === '__ssh-holder') {
  // the connection holder a run started (engine/connect/ssh/holder.ts): it stops by itself
  const [dir, idle] = process.argv.slice(3);
  runHolder(dir!, Number(idle) || 60_000).then(
    () => process.exit(0),
    () => process.exit(1),
  );
} else if (isMain) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (err) => {
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    exitWhenFlushed(1);
  });
}
