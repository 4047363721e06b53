// The engine's dependencies point one way: no import cycles among engine/ and modules/, and only the
// composition roots (the CLI, the doc generator) import the module registry; the executor gets it
// in its run context.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Relative imports (type-only ones too: they couple the files all the same), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"](\.[^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('imports: engine/ and modules/ depend one way', () => {
  const files = [...sources('engine'), ...sources('modules')];
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('finds the imports it checks', () => {
    expect(graph.get(join('engine', 'run', 'play-run.ts'))).to.include(join('engine', 'run', 'task-runner.ts'));
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).to.deep.equal([]);
  });

  it('imports the module registry only from the CLI and the doc generator', () => {
    const registry = join('modules', 'index.ts');
    const users = files.filter((f) => graph.get(f)!.includes(registry));
    expect(users.filter((f) => !f.startsWith(join('engine', 'cli') + '/') && !f.startsWith(join('engine', 'doc') + '/'))).to.deep.equal([]);
  });

  it('keeps the engine below the CLI: nothing outside engine/cli imports it', () => {
    const cli = join('engine', 'cli') + '/';
    expect(files.filter((f) => !f.startsWith(cli) && graph.get(f)!.some((d) => d.startsWith(cli)))).to.deep.equal([]);
  });
});
