import { expect } from 'chai';
import { UsageError } from '../../engine/errors.js';
import { LAYER_ORDER, lazyHostvars, MAGIC_VARS, mergeScope, parseExtraVars, sortGroupsForVars, type VarLayers } from '../../engine/vars/scope.js';
import { renderValue } from '../../engine/vars/template.js';
import { evaluate } from '../../engine/vars/expr.js';

describe('vars/scope: precedence', () => {
  // every user layer sets `v` to its own name; the highest present must win
  const ALL = [...LAYER_ORDER, 'extraVars'] as const;

  it('the order is the documented one', () => {
    expect(LAYER_ORDER).to.deep.equal(['roleDefaults', 'groupVars', 'hostVars', 'varsDirs', 'playVars', 'playVarsFiles', 'roleVars', 'roleParams', 'blockVars', 'taskVars', 'includeVars', 'facts']);
  });

  for (let i = 1; i < ALL.length; i++) {
    it(`${ALL[i]} beats ${ALL[i - 1]} (and everything below)`, () => {
      const layers: VarLayers = {};
      for (let j = 0; j <= i; j++) (layers as Record<string, unknown>)[ALL[j]!] = { v: ALL[j], [`only_${ALL[j]}`]: j };
      const scope = mergeScope(layers);
      expect(scope['v']).to.equal(ALL[i]);
      for (let j = 0; j <= i; j++) expect(scope[`only_${ALL[j]}`]).to.equal(j);
    });
  }

  it('several maps of one rank apply in order (groups: all, parent, child)', () => {
    const scope = mergeScope({ groupVars: [{ v: 'all', a: 1 }, { v: 'parent' }, { v: 'child' }], blockVars: [{ b: 'outer' }, { b: 'inner' }] });
    expect(scope).to.include({ v: 'child', a: 1, b: 'inner' });
  });

  it('merging is shallow: a later dict replaces the whole dict (no hash_behaviour=merge)', () => {
    const scope = mergeScope({ playVars: { cfg: { a: 1, b: 2 } }, taskVars: { cfg: { a: 9 } } });
    expect(scope['cfg']).to.deep.equal({ a: 9 });
  });

  it('does not mutate the layers', () => {
    const play = { x: 1 };
    mergeScope({ playVars: play, taskVars: { x: 2 } });
    expect(play).to.deep.equal({ x: 1 });
  });

  it('sorts groups for their variables: all, then by depth, then by name', () => {
    const depth: Record<string, number> = { all: 0, web: 1, db: 1, web_eu: 2, app: 2 };
    expect(sortGroupsForVars(['web_eu', 'web', 'all', 'db', 'app'], (g) => depth[g]!)).to.deep.equal(['all', 'db', 'web', 'app', 'web_eu']);
  });
});

describe('vars/scope: magic variables', () => {
  const magic = {
    groups: { all: ['web1', 'db1'], web: ['web1'] },
    play_hosts: ['web1', 'db1'],
    ansible_play_hosts: ['web1', 'db1'],
    ansible_play_batch: ['web1', 'db1'],
    ansible_check_mode: true,
    ansible_diff_mode: false,
    gx_check_mode: true,
    playbook_dir: '/srv/pb',
    role_name: 'app',
    role_path: '/srv/pb/roles/app',
    omit: '__omit_place_holder__',
  };
  const everyLayer = (value: unknown): VarLayers => Object.fromEntries([...LAYER_ORDER].map((l) => [l, Object.fromEntries(MAGIC_VARS.map((m) => [m, value]))]));

  it('no user layer overrides them', () => {
    const scope = mergeScope({ ...everyLayer('user'), host: { inventory_hostname: 'web1.example.com', group_names: ['web'] }, magic });
    expect(scope).to.include({ inventory_hostname: 'web1.example.com', inventory_hostname_short: 'web1', ansible_check_mode: true, playbook_dir: '/srv/pb', role_name: 'app' });
    expect(scope['group_names']).to.deep.equal(['web']);
    expect(scope['groups']).to.deep.equal(magic.groups);
  });

  it('extra vars may shadow the host names (as Ansible allows) but not play magic like ansible_check_mode', () => {
    const scope = mergeScope({ host: { inventory_hostname: 'web1' }, magic, extraVars: { inventory_hostname: 'forced', ansible_check_mode: false, playbook_dir: '/elsewhere' } });
    expect(scope['inventory_hostname']).to.equal('forced');
    expect(scope['ansible_check_mode']).to.equal(true);
    expect(scope['playbook_dir']).to.equal('/srv/pb');
  });

  it('loop variables win over everything and describe the position', () => {
    const scope = mergeScope({ extraVars: { item: 'extra' }, magic, loop: { item: { name: 'b' }, index0: 1, length: 3 } });
    expect(scope['item']).to.deep.equal({ name: 'b' });
    expect(scope['ansible_loop_var']).to.equal('item');
    expect(scope['ansible_loop']).to.deep.equal({ index: 2, index0: 1, revindex: 2, revindex0: 1, first: false, last: false, length: 3 });
  });

  it('loop_var and index_var rename them', () => {
    const scope = mergeScope({ loop: { var: 'pkg', indexVar: 'i', item: 'nginx', index0: 2, length: 3 } });
    expect(scope).to.include({ pkg: 'nginx', ansible_loop_var: 'pkg', i: 2 });
    expect(scope['item']).to.equal(undefined);
    expect((scope['ansible_loop'] as Record<string, unknown>)['last']).to.equal(true);
  });
});

describe('vars/scope: lazy hostvars', () => {
  it('asks the provider only for hosts that are read', () => {
    const asked: string[] = [];
    const provider = (h: string) => {
      asked.push(h);
      return { port: h === 'web1' ? 80 : 5432, inventory_hostname: h };
    };
    const hosts = Array.from({ length: 500 }, (_, i) => `h${i}`).concat(['web1', 'db1']);
    const scopes = hosts.map((h) => mergeScope({ host: { inventory_hostname: h }, hostvars: provider, hostNames: hosts }));
    expect(asked).to.deep.equal([]);
    expect(scopes[0]!['hostvars']).to.equal(scopes[1]!['hostvars']);
    expect(renderValue('{{ hostvars.web1.port }}', scopes[0]!)).to.equal(80);
    expect(evaluate("hostvars['db1'].port == 5432", scopes[3]!)).to.equal(true);
    expect(asked).to.deep.equal(['web1', 'db1']);
  });

  it('lists the hosts, knows which exist, and is read-only', () => {
    const hv = lazyHostvars(['a', 'b'], (h) => ({ me: h }));
    expect(Object.keys(hv)).to.deep.equal(['a', 'b']);
    expect('a' in hv).to.equal(true);
    expect(hv['zz']).to.equal(undefined);
    expect(evaluate("'b' in hostvars", { hostvars: hv })).to.equal(true);
    expect(evaluate('hostvars.zz is defined', { hostvars: hv })).to.equal(false);
    expect(() => {
      (hv as Record<string, unknown>)['a'] = 1;
    }).to.throw(TypeError);
  });

  it('takes the host list from groups.all when not given', () => {
    const scope = mergeScope({ magic: { groups: { all: ['x', 'y'] } }, hostvars: (h) => ({ n: h }) });
    expect(Object.keys(scope['hostvars'] as object)).to.deep.equal(['x', 'y']);
  });
});

describe('vars/scope: parseExtraVars', () => {
  const files: Record<string, unknown> = {
    'vars.yaml': 'a: 1\nlist: [x, y]\n',
    'vars.json': '{"a": 2, "nested": {"k": true}}',
    'parsed.yaml': { a: 3 },
    'list.yaml': '- 1\n- 2\n',
  };
  const read = (p: string): unknown => {
    if (!(p in files)) throw new Error(`ENOENT: no such file, open '${p}'`);
    return files[p];
  };

  it('k=v pairs stay strings, several per -e, quotes group words', () => {
    expect(parseExtraVars(['n=5', `a=1 b='two words' c="x=y" d=`], read)).to.deep.equal({ n: '5', a: '1', b: 'two words', c: 'x=y', d: '' });
  });

  it('JSON and YAML flow mappings keep their types', () => {
    expect(parseExtraVars(['{"json": 1, "list": [1, 2], "t": true}'], read)).to.deep.equal({ json: 1, list: [1, 2], t: true });
    expect(parseExtraVars(['{yaml: yes, n: 3}'], read)).to.deep.equal({ yaml: 'yes', n: 3 });
  });

  it('@file reads YAML or JSON text, or takes already-parsed content', () => {
    expect(parseExtraVars(['@vars.yaml'], read)).to.deep.equal({ a: 1, list: ['x', 'y'] });
    expect(parseExtraVars(['@vars.json'], read)).to.deep.equal({ a: 2, nested: { k: true } });
    expect(parseExtraVars(['@parsed.yaml'], read)).to.deep.equal({ a: 3 });
  });

  it('later -e wins, shallowly', () => {
    expect(parseExtraVars(['@vars.yaml', 'a=last', '{"list": []}'], read)).to.deep.equal({ a: 'last', list: [] });
  });

  it('bad input is a usage error that names the argument', () => {
    expect(() => parseExtraVars(['novalue'], read)).to.throw(UsageError, /expected key=value/);
    expect(() => parseExtraVars(['1bad=x'], read)).to.throw(UsageError, /not a valid variable name/);
    expect(() => parseExtraVars(['@missing.yaml'], read)).to.throw(UsageError, /-e @missing\.yaml: ENOENT/);
    expect(() => parseExtraVars(['@list.yaml'], read)).to.throw(UsageError, /must be a mapping/);
    expect(() => parseExtraVars(['[1, 2]'], read)).to.throw(UsageError, /must be a mapping/);
    expect(() => parseExtraVars(['{"a": '], read)).to.throw(UsageError, /not valid JSON\/YAML/);
    expect(() => parseExtraVars(["a='open"], read)).to.throw(UsageError, /unterminated/);
  });
});
