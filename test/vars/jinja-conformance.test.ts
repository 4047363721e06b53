import { expect } from 'chai';
import { join } from 'node:path';
import { renderTemplateFile, renderValue, templateLoader } from '../../engine/vars/template.js';
import { CASES } from './jinja-conformance/table.js';

// Jinja statements and whitespace against what ansible-core answered for the same text
// (test/vars/jinja-conformance/check-with-ansible.ts asks it again).
describe('vars/template: Jinja statements and whitespace as ansible-core renders them', () => {
  const path = join(import.meta.dirname, 'jinja-conformance', 'templates', 'main.j2');
  for (const c of CASES) {
    it(`${c.file ? 'file' : 'value'}${c.trim_blocks === false ? ' (trim_blocks off)' : ''}${c.lstrip_blocks ? ' (lstrip_blocks)' : ''}: ${JSON.stringify(c.text)}`, () => {
      const got = c.file
        ? renderTemplateFile(c.text, c.vars ?? {}, { path, load: templateLoader(path), options: { trimBlocks: c.trim_blocks, lstripBlocks: c.lstrip_blocks } })
        : renderValue(c.text, c.vars ?? {});
      expect(got).to.equal(c.want);
    });
  }
});
