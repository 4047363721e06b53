// Compile tests: a playbook tree in a temp dir, compiled with the real module registry.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Compiler, type CompileOptions } from '../../engine/compile/compiler.js';
import type { CompiledPlaybook, TaskNode } from '../../engine/compile/types.js';
import { ErrorList } from '../../engine/errors.js';
import { knownModules } from '../../engine/load/known-modules.js';
import { modules } from '../../modules/index.js';

export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gx-compile-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function compiler(o: Partial<CompileOptions> = {}): Compiler {
  return new Compiler({ known: knownModules(modules), ...o });
}

export function compile(files: Record<string, string>, o: Partial<CompileOptions> = {}, playbook = 'site.yaml'): CompiledPlaybook & { root: string } {
  const root = tree(files);
  return { ...compiler(o).compilePlaybook(join(root, playbook)), root };
}

/** The problems a tree has, as messages. */
export function problems(files: Record<string, string>, o: Partial<CompileOptions> = {}, playbook = 'site.yaml'): string[] {
  try {
    compile(files, o, playbook);
  } catch (err) {
    if (err instanceof ErrorList) return err.errors.map((e) => e.message);
    throw err;
  }
  return [];
}

/** Every node in order, blocks and precompiled includes walked, as "name [tags]". */
export function flat(nodes: TaskNode[]): string[] {
  return nodes.flatMap((n): string[] => {
    const me = `${n.name} [${n.eff.tags.join(',')}]`;
    if (n.kind === 'block') return [me, ...flat([...n.block, ...n.rescue, ...n.always])];
    if (n.kind === 'include') return [me, ...flat(n.precompiled?.nodes ?? [])];
    return [me];
  });
}

export const play = (tasks: string, extra = ''): string => `- hosts: all\n${extra}  tasks:\n${tasks}`;
