import { expect } from 'chai';
import { PlaybookError } from '../../engine/errors.js';
import { loadInventory, type Inventory } from '../../engine/inventory/inventory.js';
import { globToRegExp, orderPatterns, splitPattern } from '../../engine/inventory/patterns.js';
import { fixture } from './fixtures.js';

// basic/hosts.yaml, in inventory order:
// bastion web01 web02 web03 lb.example.com east.example.com db-a db-b db-c mon1
const ALL = ['bastion', 'web01', 'web02', 'web03', 'lb.example.com', 'east.example.com', 'db-a', 'db-b', 'db-c', 'mon1'];
const WEB = ['web01', 'web02', 'web03', 'lb.example.com', 'east.example.com'];

const TABLE: [string | string[], string[]][] = [
  ['all', ALL],
  ['*', ALL],
  ['web', WEB],
  ['web01', ['web01']],
  ['db', ['web03', 'db-a', 'db-b', 'db-c']],
  ['ungrouped', ['bastion']],
  ['web_east', ['web01', 'east.example.com']],
  ['web*', WEB],
  ['*.example.com', ['lb.example.com', 'east.example.com']],
  ['db-?', ['db-a', 'db-b', 'db-c']],
  ['db-[ab]', ['db-a', 'db-b']],
  ['db-[!ab]', ['db-c']],
  ['web:db', [...WEB.slice(0, 5), 'db-a', 'db-b', 'db-c']],
  ['web,db', [...WEB.slice(0, 5), 'db-a', 'db-b', 'db-c']],
  // inventory order, whatever order the pattern names them in
  ['db:web', [...WEB.slice(0, 5), 'db-a', 'db-b', 'db-c']],
  ['web:&db', ['web03']],
  ['web:!web_east', ['web02', 'web03', 'lb.example.com']],
  ['all:!web', ['bastion', 'db-a', 'db-b', 'db-c', 'mon1']],
  // only modifiers: they apply to all
  ['!web', ['bastion', 'db-a', 'db-b', 'db-c', 'mon1']],
  ['&web', WEB],
  // unions, then intersections, then exclusions, wherever they are written
  ['!db:web:&monitoring', ['web02']],
  ['web:!db:&monitoring', ['web02']],
  ['web:&monitoring:!web02', []],
  ['~web0[12]', ['web01', 'web02']],
  ['~^db-[bc]$', ['db-b', 'db-c']],
  ['~.*example', ['lb.example.com', 'east.example.com']],
  // a regex is anchored at the start, like Python's re.match
  ['~example', []],
  ['web[0]', ['web01']],
  ['web[-1]', ['east.example.com']],
  ['web[1:2]', ['web02', 'web03']],
  ['db[2:]', ['db-b', 'db-c']],
  ['web[0]:db[0]', ['web01', 'web03']],
  ['web[9]', []],
  ['nothing', []],
  ['nothing:web_east', ['web01', 'east.example.com']],
  ['Web', []],
  ['web01:web01', ['web01']],
  ['mon1', ['mon1']],
  ['localhost', ['localhost']],
  ['127.0.0.1', ['127.0.0.1']],
  // implicit localhost is not in all, so it comes after the inventory's hosts
  ['all:localhost', [...ALL, 'localhost']],
  [['web', '!web_east'], ['web02', 'web03', 'lb.example.com']],
  // a list is one pattern: (web ∪ bastion) ∩ db, as in Ansible
  [['web:&db', 'bastion'], ['web03']],
  [' web01 , mon1 ', ['web01', 'mon1']],
  // empty selects nothing, rather than everything
  ['', []],
  [[], []],
];

describe('inventory host patterns (Ansible semantics)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await loadInventory([fixture('basic/hosts.yaml')]);
  });

  it(`the table has at least 25 patterns (${TABLE.length})`, () => {
    expect(TABLE.length).to.be.at.least(25);
  });

  for (const [pattern, expected] of TABLE) {
    it(`${JSON.stringify(pattern)} → [${expected.join(', ')}]`, () => {
      expect(inv.select(pattern)).to.deep.equal(expected);
    });
  }

  it('reports a broken regex as a PlaybookError', () => {
    expect(() => inv.select('~web(')).to.throw(PlaybookError, /invalid regular expression/);
  });

  it('splits on commas first, else on colons outside brackets', () => {
    expect(splitPattern('web:&db:!web[0:1]')).to.deep.equal(['web', '&db', '!web[0:1]']);
    expect(splitPattern('a,b:c')).to.deep.equal(['a', 'b:c']);
    expect(splitPattern(['a:b', 'c'])).to.deep.equal(['a', 'b', 'c']);
    expect(splitPattern('')).to.deep.equal([]);
  });

  it('orders unions, then intersections, then exclusions', () => {
    expect(orderPatterns(['!x', '&y', 'z', '!w', 'v'])).to.deep.equal(['z', 'v', '&y', '!x', '!w']);
    expect(orderPatterns(['!x'])).to.deep.equal(['all', '!x']);
  });

  it('translates globs like fnmatch (whole name, case-sensitive, dots literal)', () => {
    expect(globToRegExp('web*').test('web01')).to.equal(true);
    expect(globToRegExp('web*').test('xweb01')).to.equal(false);
    expect(globToRegExp('a.b').test('axb')).to.equal(false);
    expect(globToRegExp('h[0-2]').test('h1')).to.equal(true);
    expect(globToRegExp('h[!0-2]').test('h1')).to.equal(false);
    expect(globToRegExp('W*').test('web')).to.equal(false);
  });
});
