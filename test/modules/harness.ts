// The module test harness: runs a module through the engine's own executeModule against a real
// connection (this machine by default, any Connection when given), and the check → apply → again →
// check-again rhythm every module must pass.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../engine/connect/connection.js';
import { LocalConnection } from '../../engine/connect/local.js';
import type { ModuleDefinition } from '../../engine/module-contract.js';
import { executeModule, type ExecuteContext, type ModuleOutcome } from '../../engine/run/execute-module.js';
import { findFile } from '../../engine/load/find-file.js';
import { renderString, renderTemplateFile, templateLoader } from '../../engine/vars/template.js';
import { getModule } from '../../modules/index.js';

export interface HarnessOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  conn?: Connection;
  /** the controller connection; defaults to this machine */
  local?: Connection;
  playbookDir?: string;
  roleDir?: string;
  host?: string;
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under the system temp dir, removed when the test run ends. */
export async function tempDir(prefix = 'gx-test-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

const sharedLocal = new LocalConnection('localhost');

export function makeContext(o: HarnessOptions = {}): ExecuteContext {
  const conn = o.conn ?? sharedLocal;
  const vars = o.vars ?? {};
  const playbookDir = o.playbookDir ?? process.cwd();
  return {
    conn,
    local: o.local ?? sharedLocal,
    host: o.host ?? conn.host,
    check: o.check ?? false,
    diff: o.diff ?? false,
    vars,
    playbookDir,
    roleDir: o.roleDir,
    // the engine's own lookup and renderer, so module tests see what a play sees
    findFile: (name, kind) => findFile(name, kind, { roleDir: o.roleDir, playbookDir }),
    renderTemplate: (text, extraVars, options) => {
      const all = { ...vars, ...(extraVars ?? {}) };
      const where = { host: o.host ?? conn.host, what: 'template' };
      const path = extraVars?.template_path;
      return typeof path === 'string' ? renderTemplateFile(text, all, { path, where, load: templateLoader(path, { roleDir: o.roleDir, playbookDir }), options }) : renderString(text, all, where);
    },
    log() {
      // -vvv output is the reporter's business; module tests assert on outcomes
    },
    secret() {
      // the harness prints nothing, so there is nothing to mask
    },
    signal: new AbortController().signal,
  };
}

function resolve(name: string | ModuleDefinition<any, any>): ModuleDefinition<any, any> {
  if (typeof name !== 'string') return name;
  const def = getModule(name);
  if (!def) throw new Error(`no module named '${name}' in modules/index.ts`);
  return def;
}

/** Runs one module (by registry name, or a definition not registered yet) exactly as the executor does. */
export async function runModule(name: string | ModuleDefinition<any, any>, args: unknown, o: HarnessOptions = {}): Promise<ModuleOutcome> {
  return executeModule(resolve(name), args, makeContext(o));
}

export interface RhythmOptions extends Omit<HarnessOptions, 'check'> {
  /** the state the module acts on, read before and after the check run to prove nothing moved */
  snapshot: () => Promise<unknown>;
}

/**
 * The rhythm every module passes: check reports a change and changes nothing → apply changes →
 * apply again changes nothing → check again reports nothing to change.
 */
export async function rhythm(
  name: string | ModuleDefinition<any, any>,
  args: unknown,
  o: RhythmOptions,
): Promise<{ check: ModuleOutcome; apply: ModuleOutcome; again: ModuleOutcome; checkAgain: ModuleOutcome }> {
  const label = typeof name === 'string' ? name : name.name;
  const before = await o.snapshot();
  const check = await runModule(name, args, { ...o, check: true });
  expect(check.failed, `${label} check run failed: ${check.msg}`).to.equal(false);
  expect(check.changed, `${label}: check mode should report a change`).to.equal(true);
  expect(await o.snapshot(), `${label}: check mode changed the state`).to.deep.equal(before);
  const apply = await runModule(name, args, { ...o, check: false });
  expect(apply.failed, `${label} apply failed: ${apply.msg}`).to.equal(false);
  expect(apply.changed, `${label}: apply should report a change`).to.equal(true);
  const again = await runModule(name, args, { ...o, check: false });
  expect(again.failed, `${label} second apply failed: ${again.msg}`).to.equal(false);
  expect(again.changed, `${label}: a second apply should change nothing`).to.equal(false);
  const checkAgain = await runModule(name, args, { ...o, check: true });
  expect(checkAgain.failed, `${label} second check failed: ${checkAgain.msg}`).to.equal(false);
  expect(checkAgain.changed, `${label}: check after apply should report no change`).to.equal(false);
  return { check, apply, again, checkAgain };
}
