import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import type { ModuleDefinition } from '../../engine/module-contract.js';
import { renderModuleDoc, renderModuleList, typeOf, wrap } from '../../engine/doc/render.js';
import { allModules, getModule } from '../../modules/index.js';

describe('gx doc rendering', () => {
  it('documents every option with type, required, default and choices, plus examples and returns', () => {
    const def: ModuleDefinition = {
      name: 'demo',
      summary: 'Demonstrate.',
      description: 'A longer text.',
      freeForm: 'cmd',
      schema: {
        type: 'object',
        properties: {
          cmd: { type: 'string', description: 'The command.' },
          state: { type: 'string', enum: ['on', 'off'], default: 'on', description: 'Whether it runs.' },
          names: { type: 'array', items: { type: 'string' }, description: 'Some names.' },
          dest: { type: ['string', 'integer'], description: 'Where.' },
        },
        required: ['dest'],
        additionalProperties: false,
      },
      examples: ['- demo:\n    dest: /x'],
      returns: { rc: { type: 'int', description: 'The exit status.', returned: 'always' } },
      checkMode: false,
      async plan() {
        return { changed: false };
      },
    };
    const text = renderModuleDoc(def);
    const lines = text.split('\n');
    expect(lines[0]).to.equal('demo — Demonstrate.');
    expect(lines[1]).to.equal('also: ansible.builtin.demo');
    expect(text).to.include('(takes free-form text as `cmd` (`demo: TEXT`); skipped in check mode)');
    const opts = lines.slice(lines.indexOf('OPTIONS (* = required)') + 1);
    expect(opts[0]).to.equal('  * dest (string | integer; required)', 'required options come first');
    expect(text).to.include('  - state (string; default: on; choices: on, off)\n      Whether it runs.');
    expect(text).to.include('  - names (list of string)');
    expect(text).to.include('EXAMPLES\n\n  - demo:\n      dest: /x');
    expect(text).to.include('RETURNS\n  rc (int; always)\n      The exit status.');
    expect(text.endsWith('\n')).to.equal(false);
  });

  it('renders every registered module, with examples that still parse once indented', () => {
    for (const def of allModules) {
      const text = renderModuleDoc(def);
      for (const name of Object.keys(def.schema.properties)) expect(text, def.name).to.match(new RegExp(`[*-] ${name} \\(`));
      const examples = text.slice(text.indexOf('EXAMPLES') + 'EXAMPLES'.length, text.indexOf('\nRETURNS'));
      expect(() => parseYaml(examples), def.name).to.not.throw();
    }
  });

  it('lists modules one per line, aligned and sorted', () => {
    const list = renderModuleList([getModule('stat')!, getModule('copy')!]).split('\n');
    expect(list).to.deep.equal([`copy  ${getModule('copy')!.summary}`, `stat  ${getModule('stat')!.summary}`]);
    expect(renderModuleList(allModules).split('\n')).to.have.length(allModules.length);
  });

  it('names types and wraps prose', () => {
    expect(typeOf({})).to.equal('any');
    expect(typeOf({ type: 'array' })).to.equal('list');
    expect(wrap('aaa bbb ccc\n\nddd', 7)).to.deep.equal(['aaa bbb', 'ccc', '', 'ddd']);
  });
});
