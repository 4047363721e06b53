import { expect } from 'chai';
import { FILTERS } from '../../engine/vars/expr-builtins.js';

// `{{ hostvars[inventory_hostname] | to_nice_json }}` (ansible's filter_core target): gx's view of a
// host's variables holds `vars`, which is that same view; the dump leaves it out where it comes round
// again instead of recursing until the stack overflows
describe('vars: to_json / to_nice_json on a value that contains itself', () => {
  it('leaves the repeated value out and dumps the rest', () => {
    const host: Record<string, unknown> = { a: 1, list: [2] };
    host.vars = host;
    (host.list as unknown[]).push(host);
    expect(FILTERS['to_json']!(host, [], {})).to.equal('{"a": 1, "list": [2]}');
    expect(JSON.parse(FILTERS['to_nice_json']!(host, [], {}) as string)).to.deep.equal({ a: 1, list: [2] });
  });
});
