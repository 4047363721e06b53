import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Issue 16 (start-up) and issue 14 (one language per place): a run that renders no `.hbs` file never
// loads the Handlebars package. Checked in a fresh process, since this one may have loaded it already.
describe('vars/template: Handlebars is loaded only for .hbs files', () => {
  it('a Jinja value and a .j2 file leave it unloaded; the first .hbs file loads it', () => {
    const template = fileURLToPath(new URL('../../engine/vars/template.ts', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const m = await import(${JSON.stringify(template)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/handlebars/'));
      const out = [];
      out.push(m.renderValue('{% for x in l %}{{ x }}{% endfor %}', { l: [1, 2] }), loaded());
      out.push(m.renderTemplateFile('{{ l | join(",") }}', { l: [1, 2] }, { path: 'a.j2' }), loaded());
      out.push(m.renderTemplateFile('{{#each l}}{{this}}{{/each}}', { l: [1, 2] }, { path: 'a.yaml.hbs' }), loaded());
      console.log(JSON.stringify(out));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal(['12', false, '1,2', false, '12', true]);
  });
});
