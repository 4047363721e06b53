// compileArgs (engine/run/module-args.ts): how task arguments become a module's validated arguments.
import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { registerNode } from '../../engine/load/source.js';
import type { ModuleDefinition } from '../../engine/module-contract.js';
import { compileArgs, shlexSplit } from '../../engine/run/module-args.js';

const def: ModuleDefinition = {
  name: 'demo',
  summary: 'a module for the tests',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: { type: 'string', description: 'd' },
      flag: { type: 'boolean', default: false, description: 'd' },
      port: { type: 'integer', description: 'd' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'd' },
      names: { type: 'array', items: { type: 'string' }, description: 'd' },
      dest: { type: 'string', description: 'd' },
    },
    required: ['dest'],
    additionalProperties: false,
  },
  examples: [],
  returns: {},
  async plan() {
    return { changed: false };
  },
};
const kv: ModuleDefinition = { ...def, name: 'kv', freeForm: undefined };

function error(fn: () => unknown): ModuleArgsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModuleArgsError) return e;
    throw e;
  }
  throw new Error('expected a ModuleArgsError');
}

describe('module arguments', () => {
  const check = compileArgs(def);

  it('fills defaults and is cached per module', () => {
    expect(check({ dest: '/x' })).to.deep.equal({ dest: '/x', flag: false, state: 'present' });
    expect(compileArgs(def)).to.equal(check);
  });

  it("accepts Ansible's loose booleans", () => {
    for (const [v, want] of [['yes', true], ['No', false], ['TRUE', true], ['off', false], [1, true], [0, false], ['y', true]] as const) {
      expect(check({ dest: '/x', flag: v }).flag, String(v)).to.equal(want);
    }
    expect(error(() => check({ dest: '/x', flag: 'maybe' })).message).to.equal('demo: argument \'flag\' must be boolean (got "maybe")');
  });

  it('turns rendered numbers into numbers and single values into lists', () => {
    expect(check({ dest: '/x', port: '8080', names: 'one' })).to.include({ port: 8080 }).and.deep.include({ names: ['one'] });
    expect(error(() => check({ dest: '/x', port: 'http' })).message).to.match(/argument 'port' must be integer \(got "http"\)/);
  });

  it('treats null as not given', () => {
    expect(check({ dest: '/x', state: null, port: null })).to.deep.equal({ dest: '/x', flag: false, state: 'present' });
  });

  it('does not change the task\'s own argument object', () => {
    const raw = { dest: '/x', names: 'a' };
    check(raw);
    expect(raw).to.deep.equal({ dest: '/x', names: 'a' });
  });

  it('names the unknown argument, suggests the near one, and points at its key', () => {
    const raw = { dest: '/x', prot: 80 };
    registerNode(raw, { loc: { file: 'site.yaml', line: 3, col: 5 }, keys: new Map([['prot', { key: { file: 'site.yaml', line: 5, col: 7 }, value: { file: 'site.yaml', line: 5, col: 13 } }]]) });
    const e = error(() => check(raw));
    expect(e.message).to.equal("demo: unknown argument 'prot'");
    expect(e.hint).to.equal("did you mean 'port'?");
    expect(e.loc).to.deep.equal({ file: 'site.yaml', line: 5, col: 7 });
    expect(error(() => check({ dest: '/x', zzzzzz: 1 })).hint).to.match(/^known arguments: cmd, dest, flag/);
  });

  it('reports a missing argument, a bad choice, and several problems at once', () => {
    expect(error(() => check({})).message).to.equal("demo: missing required argument 'dest'");
    expect(error(() => check({ dest: '/x', state: 'gone' })).message).to.equal('demo: argument \'state\' must be one of: "present", "absent" (got "gone")');
    const many = error(() => check({ state: 'gone', port: 'x' }));
    expect(many.message.split('\n')).to.have.length(3);
  });

  it('free-form text: takes out key=value words the module knows, keeps the rest as written', () => {
    expect(check(`ls -l "my dir" flag=yes dest=/tmp other=1`)).to.deep.equal({ cmd: 'ls -l "my dir" other=1', flag: true, dest: '/tmp', state: 'present' });
    expect(check(`echo 'dest=/quoted' dest=/real`)).to.include({ cmd: "echo 'dest=/quoted'", dest: '/real' });
  });

  it('free-form text that does not split like shell words stays whole', () => {
    const script = "echo hi # don't dest=/x";
    const loose = compileArgs({ ...def, name: 'loose', schema: { ...def.schema, required: [] } });
    expect(loose(script)).to.include({ cmd: script });
  });

  it('key=value text for a module without free form', () => {
    expect(compileArgs(kv)('dest="/a b" state=absent')).to.deep.equal({ dest: '/a b', state: 'absent', flag: false });
    expect(error(() => compileArgs(kv)('dest=/a stray')).message).to.match(/'stray' is not a key=value argument/);
  });

  it('refuses a list', () => {
    expect(error(() => check(['a'])).message).to.match(/must be a mapping or a string, not a list/);
  });

  it('splits command lines like a POSIX shell, without expanding', () => {
    expect(shlexSplit(`a "b c" 'd "e"' f\\ g "h\\"i" $HOME 'j''k' "\\$x"`)).to.deep.equal(['a', 'b c', 'd "e"', 'f g', 'h"i', '$HOME', 'jk', '$x']);
    expect(shlexSplit('  ')).to.deep.equal([]);
    expect(() => shlexSplit(`echo 'open`)).to.throw(ModuleArgsError, /unterminated/);
  });
});
