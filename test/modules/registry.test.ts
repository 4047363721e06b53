// The registry-wide meta-test: every module, present and future, proves its schema, defaults,
// documentation, examples and file name here.
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ModuleArgsError } from '../../engine/errors.js';
import { isDefinedModule, moduleNames, RETURN_TYPES, type ModuleDefinition } from '../../engine/module-contract.js';
import { compileArgs } from '../../engine/load/module-args.js';
import { allModules, getModule, modules } from '../../modules/index.js';

const modulesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'modules');
const testsDir = dirname(fileURLToPath(import.meta.url));
// modules whose arguments are open by design: variables (set_fact, add_host), or, as Ansible's package action,
// arguments handed to the package manager's own module
const OPEN_SCHEMA = new Set(['set_fact', 'add_host', 'package']);

/** A value of the right type for an argument whose example value is a template (not rendered here). */
function placeholder(prop: Record<string, unknown>): unknown {
  if (prop.default !== undefined) return prop.default;
  if (Array.isArray(prop.enum)) return prop.enum[0];
  const t = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  switch (t) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'x';
  }
}

function untemplated(def: ModuleDefinition<any, any>, args: unknown): unknown {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    const prop = def.schema.properties[k];
    if (typeof v !== 'string' || !v.includes('{{')) out[k] = v;
    else if (prop && prop.type !== 'string') out[k] = placeholder(prop);
    // a string as a template might render it: each {{ … }} a plain word (so check() sees a plausible value)
    else out[k] = v.replace(/\{\{[\s\S]*?\}\}/g, 'x');
  }
  return out;
}

/** A plausible typo of an argument name: two neighbouring letters swapped. */
function typo(name: string): string {
  if (name.length < 3) return `${name}x`;
  let i = Math.floor(name.length / 2) - 1;
  while (i + 2 < name.length && name[i] === name[i + 1]) i++;
  return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
}

describe('module registry', () => {
  it('has no module test spelt unlike its module (registry-push for registry_push)', () => {
    const stems = readdirSync(testsDir).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length));
    for (const def of allModules) {
      if (!def.name.includes('_')) continue;
      const spelt = def.name.replace(/_/g, '-');
      expect(stems.filter((s) => s === spelt || s.startsWith(`${spelt}-`)), def.name).to.deep.equal([]);
    }
  });

  it('has modules, each registered under its names and ansible.builtin.*', () => {
    expect(allModules.length).to.be.greaterThan(10);
    for (const def of allModules) {
      for (const n of moduleNames(def)) expect(getModule(n), n).to.equal(def);
      expect(getModule(`ansible.builtin.${def.name}`)).to.equal(def);
    }
    expect([...modules.values()].every((d) => allModules.includes(d))).to.equal(true);
    expect(allModules.map((d) => d.name)).to.deep.equal(allModules.map((d) => d.name).sort((a, b) => a.localeCompare(b)));
    expect(getModule('no_such_module')).to.equal(undefined);
  });

  // a module named with a word JavaScript reserves (package) is exported as <name>_
  const RESERVED = new Set(['package', 'interface', 'private', 'protected', 'public', 'implements', 'static', 'let', 'yield']);
  const ident = (name: string) => (RESERVED.has(name) ? `${name}_` : name);

  for (const def of allModules) {
    describe(`module ${def.name}`, () => {
      it('lives in modules/<name>.ts, exported as default and by name', async () => {
        const file = join(modulesDir, `${def.name}.ts`);
        expect(existsSync(file), file).to.equal(true);
        // the file may load as a second module instance here, so compare what it defines, not identity
        const mod = (await import(pathToFileURL(file).href)) as Record<string, ModuleDefinition | undefined>;
        expect(mod.default?.name).to.equal(def.name);
        expect(mod[ident(def.name)]?.name, `named export ${ident(def.name)}`).to.equal(def.name);
        expect(mod.default?.schema).to.deep.equal(def.schema);
      });

      it('is made by defineModule, in the one export style: export const <name> = defineModule(…); export default <name>;', async () => {
        expect(isDefinedModule(def), 'the registered definition').to.equal(true);
        const file = join(modulesDir, `${def.name}.ts`);
        const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        expect(mod.default, 'default and named export are one object').to.equal(mod[ident(def.name)]);
        expect(isDefinedModule(mod.default), 'made by defineModule').to.equal(true);
        const src = readFileSync(file, 'utf8');
        expect(src.match(new RegExp(`^export const ${ident(def.name)} = defineModule(<[^\\n]*>)?\\(\\{$`, 'gm')), 'export const <name> = defineModule({').to.have.length(1);
        expect(src.match(/^export default .*$/gm)).to.deep.equal([`export default ${ident(def.name)};`]);
        // no second way to export it (export { x }, export { x as y })
        expect(src.match(/^export \{[^}]*\};?$/gm), 'export { … }').to.equal(null);
      });

      it('has a test file, test/modules/<name>.test.ts', () => {
        const file = join(testsDir, `${def.name}.test.ts`);
        expect(existsSync(file), file).to.equal(true);
      });

      it('has a summary, returns, and a description on every argument', () => {
        expect(def.summary.trim()).to.not.equal('');
        expect(def.returns).to.be.an('object');
        for (const [k, prop] of Object.entries(def.schema.properties)) {
          expect(prop.description, `${def.name}.${k}`).to.be.a('string');
          expect(prop.description.trim(), `${def.name}.${k}`).to.not.equal('');
        }
        for (const [k, r] of Object.entries(def.returns)) {
          expect(r.description.trim(), `returns.${k}`).to.not.equal('');
          // Ansible's words for return types (str, int, bool, list, dict, …), never string/integer/boolean
          expect(RETURN_TYPES, `returns.${k}.type`).to.include(r.type);
        }
      });

      it('has a schema that compiles and defaults that satisfy it', () => {
        expect(() => compileArgs(def)).to.not.throw();
        const ajv = new Ajv({ strict: false });
        for (const [k, prop] of Object.entries(def.schema.properties)) {
          if (prop.default === undefined) continue;
          const ok = ajv.validate(prop, prop.default);
          expect(ok, `${def.name}.${k} default ${JSON.stringify(prop.default)}: ${ajv.errorsText()}`).to.equal(true);
        }
      });

      if (!OPEN_SCHEMA.has(def.name)) {
        it('rejects an unknown argument with a did-you-mean', () => {
          expect(def.schema.additionalProperties).to.equal(false);
          const longest = Object.keys(def.schema.properties).sort((a, b) => b.length - a.length)[0]!;
          const wrong = typo(longest);
          let err: unknown;
          try {
            compileArgs(def)({ [wrong]: 'x' });
          } catch (e) {
            err = e;
          }
          expect(err).to.be.instanceOf(ModuleArgsError);
          expect((err as ModuleArgsError).message).to.include(`unknown argument '${wrong}'`);
          expect((err as ModuleArgsError).hint).to.equal(`did you mean '${longest}'?`);
        });
      }

      it('has examples that parse as YAML tasks whose arguments validate', () => {
        expect(def.examples.length).to.be.greaterThan(0);
        const names = new Set(moduleNames(def));
        let used = 0;
        for (const ex of def.examples) {
          const doc = parseYaml(ex) as unknown;
          expect(doc, ex).to.be.an('array');
          for (const task of doc as Record<string, unknown>[]) {
            const key = Object.keys(task).find((k) => names.has(k));
            if (!key) continue;
            used++;
            let args = task[key];
            if (task.args && typeof task.args === 'object') {
              const own = typeof args === 'string' && def.freeForm ? { [def.freeForm]: args } : typeof args === 'object' && args ? args : {};
              args = { ...own, ...(task.args as object) };
            }
            expect(() => compileArgs(def)(untemplated(def, args)), ex).to.not.throw();
          }
        }
        expect(used, 'no example uses the module').to.be.greaterThan(0);
      });
    });
  }
});
