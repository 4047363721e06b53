// Parsed YAML kept between runs (engine/load/yaml-cache.ts): a text read back from the cache gives
// the same value and the same source positions as parsing it, and anything the cache could not
// give back exactly (a shared alias, a non-finite number, an error) is parsed every time.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorList } from '../../engine/errors.js';
import { locate, nodeInfo } from '../../engine/load/source.js';
import { PARSE_CACHE_MIN_BYTES, setParseCacheConfig } from '../../engine/load/yaml-cache.js';
import { parseYamlText } from '../../engine/load/yaml.js';

/** pads a YAML text with a comment to the size the cache starts at */
const padded = (text: string): string => `${text}\n# ${'padding '.repeat(PARSE_CACHE_MIN_BYTES / 8)}\n`;

/** every position source.ts knows for `v` and everything in it, as text */
function positions(v: unknown, path = '$', out: string[] = []): string[] {
  const info = nodeInfo(v);
  if (v === null || typeof v !== 'object') return out;
  out.push(`${path} @${info?.loc.line}:${info?.loc.col}`);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      const at = locate(v, i);
      out.push(`${path}[${i}] @${at?.line}:${at?.col}`);
      positions(x, `${path}[${i}]`, out);
    });
  } else {
    for (const [k, x] of Object.entries(v)) {
      const key = locate(v, k, 'key');
      const val = locate(v, k, 'value');
      out.push(`${path}.${k} key@${key?.line}:${key?.col} value@${val?.line}:${val?.col} file ${key?.file}`);
      positions(x, `${path}.${k}`, out);
    }
  }
  return out;
}

describe('load: the parsed-YAML cache', () => {
  let dir: string;
  const entries = (): string[] => readdirSync(dir).filter((f) => f.startsWith('yaml-'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-parse-cache-'));
    setParseCacheConfig({ dir, build: 'build-1' });
  });
  afterEach(() => setParseCacheConfig(undefined));

  const rich = padded(`
all:
  vars:
    mode: 0755
    enabled: no
    ratio: 1.5
    count: 12
    empty:
    quoted: "{{ x }}"
    raw: !unsafe "{{ not a template }}"
    list: [a, 1, true, null]
    common: &common { port: 22, user: ops }
  children:
    web:
      hosts:
        w1: { ansible_host: 10.0.0.1 }
        "__proto__": { odd: yes }
      vars:
        <<: *common
        mode: "0644"
    "10":
      hosts: {}
`);

  it('gives back the same value and the same positions from the cache as from the parser', () => {
    const first = parseYamlText(rich, '/repo/inventory.yaml');
    expect(entries()).to.have.length(1);
    const second = parseYamlText(rich, '/repo/inventory.yaml');
    expect(second).to.not.equal(first); // read back, not the same objects
    expect(second).to.deep.equal(first);
    expect(positions(second)).to.deep.equal(positions(first));
    // the same text under another name: positions name that file
    const elsewhere = parseYamlText(rich, '/other/inv.yaml');
    expect(positions(elsewhere).join('\n')).to.include('file /other/inv.yaml').and.not.include('/repo/');
    // a key named __proto__ is data, not a prototype
    const web = (second as { all: { children: { web: { hosts: Record<string, unknown> } } } }).all.children.web;
    expect(Object.getPrototypeOf(web.hosts)).to.equal(Object.prototype);
    expect(Object.keys(web.hosts)).to.deep.equal(['w1', '__proto__']);
  });

  it('reads an entry only for its build, and drops the entries of other builds when it writes', () => {
    parseYamlText(rich, 'a.yaml');
    const [old] = entries();
    setParseCacheConfig({ dir, build: 'build-2' });
    // build 2 does not read build 1's entry: a changed file there would be parsed
    writeFileSync(join(dir, old!), readFileSync(join(dir, old!), 'utf8').replace('"ratio":1.5', '"ratio":99'));
    const v = parseYamlText(rich, 'a.yaml') as { all: { vars: { ratio: number } } };
    expect(v.all.vars.ratio).to.equal(1.5);
    expect(entries()).to.have.length(1);
    expect(entries()[0]).to.not.equal(old);
  });

  it('parses again when an entry is unreadable or does not fit the value', () => {
    parseYamlText(rich, 'a.yaml');
    const [file] = entries();
    for (const broken of ['{not json', JSON.stringify({ value: { all: {} }, nodes: [] }), 'null']) {
      writeFileSync(join(dir, file!), broken);
      const v = parseYamlText(rich, 'a.yaml');
      expect(v).to.have.nested.property('all.vars.ratio', 1.5);
      expect(positions(v).length).to.be.greaterThan(10);
    }
  });

  it('keeps nothing it could not give back exactly: a shared alias, a non-finite number, -0, an error, a small file', () => {
    const shared = padded('a: &x { k: 1 }\nb: *x\n');
    const v = parseYamlText(shared, 's.yaml') as { a: object; b: object };
    expect(v.a).to.equal(v.b); // one object, as Ansible's loader gives
    // a merge key shares the merged mapping's nested values
    const merged = padded('a: &x { k: [1] }\nb:\n  <<: *x\n');
    const m = parseYamlText(merged, 'm.yaml') as { a: { k: unknown }; b: { k: unknown } };
    expect(m.a.k).to.equal(m.b.k);
    for (const text of [shared, merged, padded('n: .inf\n'), padded('n: .nan\n'), padded('n: -0.0\n')]) parseYamlText(text, 'x.yaml');
    expect(entries()).to.deep.equal([]);
    const bad = padded('a: [1, 2\nb: 3\n');
    for (let i = 0; i < 2; i++) expect(() => parseYamlText(bad, 'bad.yaml')).to.throw(ErrorList);
    expect(entries()).to.deep.equal([]);
    parseYamlText('small: true\n', 'small.yaml');
    expect(entries()).to.deep.equal([]);
  });

  it('is off with GX_NO_PARSE_CACHE=1', () => {
    process.env.GX_NO_PARSE_CACHE = '1';
    try {
      parseYamlText(rich, 'a.yaml');
    } finally {
      delete process.env.GX_NO_PARSE_CACHE;
    }
    expect(entries()).to.deep.equal([]);
  });
});
