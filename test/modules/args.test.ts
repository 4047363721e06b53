// compileArgs (engine/load/module-args.ts, run-time mode): how task arguments become a module's validated arguments.
import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { registerNode } from '../../engine/load/source.js';
import type { ModuleDefinition } from '../../engine/module-contract.js';
import { checkModuleArgs, compileArgs } from '../../engine/load/module-args.js';
import { knownModules } from '../../engine/load/known-modules.js';

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
    expect(error(() => check({ dest: '/x', flag: 'maybe' })).message).to.equal("argument 'flag' of module 'demo' must be true or false, got 'maybe'");
  });

  it('turns rendered numbers into numbers and single values into lists', () => {
    expect(check({ dest: '/x', port: '8080', names: 'one' })).to.include({ port: 8080 }).and.deep.include({ names: ['one'] });
    expect(error(() => check({ dest: '/x', port: 'http' })).message).to.match(/argument 'port' of module 'demo' must be a whole number, got 'http'/);
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
    expect(e.message).to.equal("unknown argument 'prot' for module 'demo'");
    expect(e.hint).to.equal("did you mean 'port'?");
    expect(e.loc).to.deep.equal({ file: 'site.yaml', line: 5, col: 7 });
    expect(error(() => check({ dest: '/x', zzzzzz: 1 })).hint).to.match(/^its arguments are: cmd, dest, flag/);
  });

  it('reports a missing argument, a bad choice, and several problems at once', () => {
    expect(error(() => check({})).message).to.equal("module 'demo' needs the argument 'dest'");
    expect(error(() => check({ dest: '/x', state: 'gone' })).message).to.equal("argument 'state' of module 'demo' must be 'present' or 'absent', got 'gone'");
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
    expect(error(() => compileArgs(kv)('dest=/a stray')).message).to.match(/module 'kv': 'stray' is not a key=value argument/);
    expect(error(() => compileArgs(kv)('just text')).message).to.match(/module 'kv' needs its arguments as a mapping or as key=value words, not free text/);
  });

  it('refuses a list', () => {
    expect(error(() => check(['a'])).message).to.match(/module 'demo' needs its arguments as a mapping, not a list/);
  });

  it("takes every one of Ansible's boolean words, t and f too", () => {
    for (const [v, want] of [['t', true], ['F', false], ['On', true], ['n', false], ['1', true], ['0', false]] as const) {
      expect(check({ dest: '/x', flag: v }).flag, String(v)).to.equal(want);
    }
  });

  it('says the same as the static checker, word for word', () => {
    const known = knownModules(new Map([['demo', def]]));
    const at = () => ({ file: 'site.yaml', line: 1, col: 1 });
    for (const raw of [{}, { dest: '/x', state: 'gone' }, { dest: '/x', prot: 1 }, { dest: '/x', flag: 'maybe' }, { dest: '/x', port: 'http' }]) {
      const staticMessages = checkModuleArgs({ demo: raw }, 'demo', known, at).map((e) => e.message);
      expect(staticMessages, JSON.stringify(raw)).to.have.length(1);
      expect(error(() => check(raw)).message).to.equal(staticMessages[0]);
    }
  });
});
