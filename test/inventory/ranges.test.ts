import { expect } from 'chai';
import { expandHostRange } from '../../engine/inventory/ranges.js';

describe('inventory host ranges', () => {
  const table: [string, string[]][] = [
    ['web[01:03]', ['web01', 'web02', 'web03']],
    ['web[1:3]', ['web1', 'web2', 'web3']],
    ['web[8:11]', ['web8', 'web9', 'web10', 'web11']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['n[0:10:5].lan', ['n0.lan', 'n5.lan', 'n10.lan']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
    ['[:2]x', ['0x', '1x', '2x']],
    ['plain', ['plain']],
  ];
  for (const [input, expected] of table) {
    it(`${input} → ${expected.join(' ')}`, () => {
      expect(expandHostRange(input)).to.deep.equal(expected);
    });
  }

  for (const bad of ['web[3:1]', 'web[01:3]', 'web[1:]', 'web[a:5]', 'web[1:2:0]', 'web[1:2:3:4]']) {
    it(`rejects ${bad}`, () => {
      expect(() => expandHostRange(bad)).to.throw(/host range/);
    });
  }
});
