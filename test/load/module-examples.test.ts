// The static validator must never be stricter than the modules themselves: every example each
// registered module documents (the YAML shown by `gx doc`) has to pass it without a problem.
import { expect } from 'chai';
import { knownModules } from '../../engine/load/known-modules.js';
import { validateTasks } from '../../engine/load/validate.js';
import { parseYamlText } from '../../engine/load/yaml.js';
import { allModules, modules } from '../../modules/index.js';

describe('load/validate: the documented examples of every registered module', () => {
  const known = knownModules(modules);

  it('covers the whole registry', () => {
    expect(allModules.length).to.be.greaterThan(10);
  });

  for (const def of allModules) {
    it(`${def.name}: every example validates`, () => {
      const problems: string[] = [];
      def.examples.forEach((example, i) => {
        const file = `modules/${def.name}.ts#example-${i + 1}`;
        const doc = parseYamlText(example, file);
        const tasks = Array.isArray(doc) ? doc : [doc];
        for (const e of validateTasks(tasks, file, known)) problems.push(`example ${i + 1}, ${e.loc?.line}:${e.loc?.col}: ${e.message}`);
      });
      expect(problems).to.deep.equal([]);
    });
  }
});
