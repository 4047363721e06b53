// The modules' argument validators compiled at build time (engine/load/module-validators.generated.ts,
// engine/cli/build-arg-validators.ts): each answers exactly like Ajv compiling the module's schema
// at run time (verdict, errors, defaults filled and values coerced in the arguments), and one is
// used only while the module's schema still hashes as when it was built.
import { expect } from 'chai';
import { Ajv, type ValidateFunction } from 'ajv';
import { renderArgValidators } from '../../engine/cli/build-arg-validators.js';
import { ARGS_AJV_OPTIONS, compileArgs, schemaHash } from '../../engine/load/module-args.js';
import * as precompiled from '../../engine/load/module-validators.generated.js';
import { parseYamlText } from '../../engine/load/yaml.js';
import { allModules } from '../../modules/index.js';

const built = precompiled as unknown as { validators: Record<string, ValidateFunction>; schemaHashes: Record<string, string> };
const fresh = allModules.filter((m) => built.schemaHashes[m.name] === schemaHash(m.schema));

/** argument objects to try: the documented examples, nothing, an unknown key, and every property with a value of the wrong kind */
function samples(def: (typeof allModules)[number]): unknown[] {
  const out: unknown[] = [{}, { not_an_argument: 1 }];
  for (const example of def.examples) {
    const doc = parseYamlText(example, 'example');
    for (const task of Array.isArray(doc) ? doc : [doc]) {
      const args = (task as Record<string, unknown>)[def.name] ?? (task as Record<string, unknown>)[`ansible.builtin.${def.name}`];
      if (args && typeof args === 'object') out.push(JSON.parse(JSON.stringify(args)));
    }
  }
  const props = Object.keys((def.schema as { properties?: object }).properties ?? {});
  out.push(Object.fromEntries(props.map((p) => [p, { wrong: [] }])));
  out.push(Object.fromEntries(props.map((p) => [p, '7'])));
  out.push(Object.fromEntries(props.map((p) => [p, ['yes']])));
  return out;
}

describe('precompiled module argument validators', () => {
  it('cover every registered module when freshly generated, and most of them as committed', () => {
    const text = renderArgValidators();
    for (const m of allModules) expect(text, m.name).to.contain(`  ${JSON.stringify(m.name)}: args_`);
    // stale entries only cost time (they are compiled at run time), but a file never regenerated would be pointless
    expect(fresh.length).to.be.greaterThan(allModules.length / 2);
  });

  it('answer like Ajv compiling the schema: verdicts, errors, and the arguments as left (defaults, coercion)', () => {
    const ajv = new Ajv({ ...ARGS_AJV_OPTIONS, code: { optimize: false } });
    for (const def of fresh) {
      const runtime = ajv.compile(def.schema);
      for (const sample of samples(def)) {
        const a = JSON.parse(JSON.stringify(sample)) as unknown;
        const b = JSON.parse(JSON.stringify(sample)) as unknown;
        const label = `${def.name} ${JSON.stringify(sample)}`;
        expect(built.validators[def.name]!(a), label).to.equal(runtime(b));
        expect(built.validators[def.name]!.errors ?? null, label).to.deep.equal(runtime.errors ?? null);
        expect(a, label).to.deep.equal(b);
      }
    }
  });

  it('are not used for a schema that changed since the build', () => {
    const debug = allModules.find((m) => m.name === 'debug')!;
    expect(fresh).to.include(debug);
    const changed = { ...debug, schema: { ...debug.schema, required: ['must_be_given'], properties: { ...debug.schema.properties, must_be_given: { type: 'string', description: 'added after the build' } } } };
    expect(() => compileArgs(changed)({ msg: 'hi' })).to.throw(/must_be_given/);
    expect(compileArgs(debug)({ msg: 'hi' })).to.include({ msg: 'hi' });
  });
});
