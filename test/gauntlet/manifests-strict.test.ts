// Every Kubernetes manifest template of the gauntlet — templates/** with the default inventory's
// variables, templates/api with the API role's — validated strictly: a field that a built-in kind
// does not have fails here before it could reach a cluster. Custom resources (CloudNativePG
// Cluster, Argo CD Application) are counted but not checked strictly: their schema is in the cluster.
// Also measures what strictness costs over the schema check alone.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTemplateFile } from '../../engine/vars/template.js';
import { flattenLists, groupOf, parseManifestText } from '../../modules/lib/k8s/manifests.js';
import { isBuiltinGroup, validateManifest } from '../../modules/lib/k8s/validate.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { apiRoleVars, defaultScope, filesUnder, NOT_MANIFESTS, TEMPLATES } from './helpers.js';

const MANIFESTS = filesUnder(TEMPLATES).filter((f) => f.endsWith('.yaml.hbs') && !NOT_MANIFESTS.has(f));

async function render(file: string): Promise<string> {
  const vars = file.startsWith('api/') ? apiRoleVars() : await defaultScope();
  return renderTemplateFile(readFileSync(join(TEMPLATES, file), 'utf8'), vars, { path: file });
}

describe('gauntlet manifests validated strictly (no unknown fields)', () => {
  const rendered = new Map<string, string>();
  before(async () => {
    for (const f of MANIFESTS) rendered.set(f, await render(f));
  });
  const objectsOf = (file: string) => flattenLists(parseManifestText(rendered.get(file)!, `templates/${file}`));
  const builtin = (o: Record<string, any>) => isBuiltinGroup(groupOf(String(o.apiVersion)));

  it('covers every manifest template, the API role\'s included', () => {
    expect(MANIFESTS.filter((f) => f.startsWith('api/'))).to.have.length(6);
    expect(MANIFESTS.length).to.be.greaterThanOrEqual(12);
    for (const f of filesUnder(TEMPLATES).filter((x) => !NOT_MANIFESTS.has(x))) expect(MANIFESTS, f).to.include(f);
  });

  for (const file of MANIFESTS) {
    it(`templates/${file}`, () => {
      expect(validateManifestText(rendered.get(file)!, `templates/${file}`, 'strict')).to.deep.equal([]);
    });
  }

  it('the check is live for every built-in object the gauntlet applies: a misspelt field in it is refused', () => {
    let builtins = 0;
    let custom = 0;
    for (const file of MANIFESTS) {
      for (const m of objectsOf(file)) {
        const o = m.obj as Record<string, any>;
        if (!builtin(o)) {
          custom++;
          continue;
        }
        builtins++;
        // next to the object's own fields, or in its spec where it has one
        const typo = o.spec && typeof o.spec === 'object' ? { ...o, spec: { ...o.spec, specz: 1 } } : { ...o, metadatta: {} };
        const problems = validateManifest(typo, m.source, 'strict');
        expect(problems, m.source).to.have.length(1);
        expect(problems[0]).to.match(/: (spec\.specz|metadatta): unknown field/);
      }
    }
    expect(builtins).to.be.greaterThanOrEqual(18);
    expect(custom).to.be.greaterThanOrEqual(5);
  });

  it('costs a fraction of a millisecond per object (measured against the schema check alone)', () => {
    const objs = MANIFESTS.flatMap((f) => objectsOf(f)).filter((m) => builtin(m.obj as Record<string, any>));
    const time = (mode: 'strict' | 'lenient', rounds: number) => {
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) for (const m of objs) validateManifest(m.obj, m.source, mode);
      return (performance.now() - t0) / (rounds * objs.length);
    };
    time('strict', 5); // warm: validators loaded, code optimised
    const strict = time('strict', 50);
    const lenient = time('lenient', 50);
    // on this machine: ~0.07 ms strict, ~0.03 ms lenient per object (first use of a kind loads its
    // validator: ~100 ms for the first kind, a few ms for each further one, once per process)
    console.log(`      strict ${strict.toFixed(3)} ms, lenient ${lenient.toFixed(3)} ms per object (${objs.length} objects)`);
    expect(strict, `strict ${strict.toFixed(3)} ms, lenient ${lenient.toFixed(3)} ms per object`).to.be.lessThan(2);
  });
});
