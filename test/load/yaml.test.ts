import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorList, PlaybookError } from '../../engine/errors.js';
import { locate, nodeInfo, sourceLine } from '../../engine/load/source.js';
import { parseYamlFile, parseYamlText } from '../../engine/load/yaml.js';

type Obj = Record<string, any>;

/** "line:col" of a location, for compact assertions */
const at = (loc: { line: number; col: number } | undefined): string => (loc ? `${loc.line}:${loc.col}` : 'none');

function problems(text: string, file = 'bad.yaml'): { where: string; message: string; hint?: string }[] {
  try {
    parseYamlText(text, file);
  } catch (err) {
    expect(err).to.be.instanceOf(ErrorList);
    return (err as ErrorList).errors.map((e) => {
      expect(e).to.be.instanceOf(PlaybookError);
      expect(e.loc?.file).to.equal(file);
      return { where: at(e.loc), message: e.message, hint: e.hint };
    });
  }
  throw new Error('expected the YAML to be rejected');
}

describe('load/yaml: positions', () => {
  const text = [
    '- name: first', // 1
    '  hosts: all', // 2
    '  tasks:', // 3
    '    - name: echo', // 4
    '      command: echo hi', // 5
    '    - debug: {msg: "x", var: y}', // 6
    '  vars:', // 7
    '    list: [a, b,', // 8
    '      c]', // 9
    '    nested:', // 10
    '      deeper:', // 11
    '        - 1', // 12
    '        -   two', // 13
  ].join('\n');
  const doc = parseYamlText(text, 'positions.yaml') as Obj[];
  const play = doc[0]!;

  it('registers the top sequence and its items', () => {
    expect(at(locate(doc))).to.equal('1:1');
    expect(at(locate(doc, 0))).to.equal('1:3');
  });

  it('gives each key and each value of a mapping its own location', () => {
    expect(at(locate(play))).to.equal('1:3');
    expect(at(locate(play, 'hosts'))).to.equal('2:3');
    expect(at(locate(play, 'hosts', 'value'))).to.equal('2:10');
    expect(at(locate(play, 'tasks', 'value'))).to.equal('4:5');
  });

  it('locates nested tasks, keys and values', () => {
    const tasks = play.tasks as Obj[];
    expect(at(locate(tasks, 1))).to.equal('6:7');
    expect(at(locate(tasks[0], 'command'))).to.equal('5:7');
    expect(at(locate(tasks[0], 'command', 'value'))).to.equal('5:16');
  });

  it('locates inside flow mappings and flow sequences, across lines', () => {
    const flow = (play.tasks as Obj[])[1]!.debug as Obj;
    expect(flow).to.deep.equal({ msg: 'x', var: 'y' });
    expect(at(locate(flow))).to.equal('6:14');
    expect(at(locate(flow, 'var'))).to.equal('6:25');
    expect(at(locate(flow, 'msg', 'value'))).to.equal('6:20');
    const list = play.vars.list as string[];
    expect(list).to.deep.equal(['a', 'b', 'c']);
    expect(at(locate(list, 0))).to.equal('8:12');
    expect(at(locate(list, 2))).to.equal('9:7');
  });

  it('locates deep items, wherever they start on the line', () => {
    const deeper = play.vars.nested.deeper as unknown[];
    expect(deeper).to.deep.equal([1, 'two']);
    expect(at(locate(deeper, 1))).to.equal('13:13');
    expect(at(locate(play.vars.nested, 'deeper'))).to.equal('11:7');
  });

  it('falls back to the object itself for a key it does not have, and knows nothing of scalars', () => {
    expect(at(locate(play, 'nope'))).to.equal('1:3');
    expect(locate('a string')).to.equal(undefined);
    expect(nodeInfo(play)?.keys?.size).to.equal(4);
  });

  it('remembers the text, so errors can quote the line', () => {
    expect(sourceLine('positions.yaml', 5)).to.equal('      command: echo hi');
  });

  it('counts positions the same with CRLF line ends and a byte-order mark', () => {
    const v = parseYamlText('\uFEFF- hosts: all\r\n  tasks:\r\n    - command: ls\r\n', 'windows.yaml') as Obj[];
    expect(v).to.deep.equal([{ hosts: 'all', tasks: [{ command: 'ls' }] }]);
    expect(at(locate(v[0], 'hosts', 'value'))).to.equal('1:10');
    expect(at(locate(v[0]!.tasks[0], 'command', 'value'))).to.equal('3:16');
    expect(sourceLine('windows.yaml', 1)).to.equal('- hosts: all');
  });

  it('gives an empty value the position right after its key', () => {
    const v = parseYamlText('when:\nname: x\n', 'e.yaml') as Obj;
    expect(v.when).to.equal(null);
    expect(at(locate(v, 'when', 'value'))).to.equal('1:6');
  });
});

describe('load/yaml: scalars', () => {
  const v = parseYamlText(
    ['a: 0755', 'b: "0755"', 'c: 0o17', 'd: yes', 'e: ~', 'f: 1.5', 'g: 010', 'h: !!int 0755', 'i: True', 'j: -007', 'k: 0', 'l: 12'].join('\n'),
    's.yaml',
  ) as Obj;

  it('keeps octal-looking plain scalars (file modes) as the strings they were written as', () => {
    expect(v.a).to.equal('0755');
    expect(v.g).to.equal('010');
    expect(v.j).to.equal('-007');
  });

  it('reads a plain yes/no/on/off as a boolean, as Ansible\'s YAML 1.1 does (quoted, y/n and keys stay text)', () => {
    expect(v.d).to.equal(true);
    const w = parseYamlText('a: no\nb: "no"\nc: Off\nd: y\nyes: 1\ne: [on, NO, nO]\n', 'b.yaml') as Obj;
    expect(w).to.deep.equal({ a: false, b: 'no', c: false, d: 'y', yes: 1, e: [true, false, 'nO'] });
  });

  it('otherwise follows the YAML 1.2 core schema', () => {
    expect(v.b).to.equal('0755');
    expect(v.c).to.equal(15);
    expect(v.e).to.equal(null);
    expect(v.f).to.equal(1.5);
    expect(v.h).to.equal(755);
    expect(v.i).to.equal(true);
    expect(v.k).to.equal(0);
    expect(v.l).to.equal(12);
  });

  it('reads an empty or comment-only file as null', () => {
    expect(parseYamlText('', 'empty.yaml')).to.equal(null);
    expect(parseYamlText('# nothing here\n\n', 'comment.yaml')).to.equal(null);
    expect(parseYamlText('---\n', 'marker.yaml')).to.equal(null);
  });

  it('stores a key named __proto__ as data, never as a prototype', () => {
    const o = parseYamlText('__proto__: {polluted: true}\n', 'p.yaml') as Obj;
    expect(Object.getPrototypeOf(o)).to.equal(Object.prototype);
    expect(Object.keys(o)).to.deep.equal(['__proto__']);
    expect(({} as Obj).polluted).to.equal(undefined);
  });

  it('resolves aliases to the same object and applies merge keys (explicit keys win)', () => {
    const o = parseYamlText('base: &b {x: 1, y: 2}\nsame: *b\nmerged:\n  <<: *b\n  y: 3\n', 'm.yaml') as Obj;
    expect(o.same).to.equal(o.base);
    expect(o.merged).to.deep.equal({ y: 3, x: 1 });
  });
});

describe('load/yaml: errors', () => {
  it('reports a syntax error at its exact position', () => {
    const p = problems('- name: x\n  command: echo\n bad: indent\n');
    expect(p).to.deep.equal([{ where: '3:2', message: 'YAML: sequence item without - indicator', hint: undefined }]);
    const q = problems('- name: x\n  debug:\n    msg: hello\n   var: greeting\n');
    expect(q).to.deep.equal([
      {
        where: '4:4',
        message: 'YAML: all mapping items must start at the same column',
        hint: 'check the indentation of this line against the lines above it',
      },
    ]);
  });

  it('reports one problem per place, even when the parser explains it twice', () => {
    const p = problems('- name: x\n  command: echo\n   bad: indent\n');
    expect(p.map((x) => x.where)).to.deep.equal(['2:12']);
  });

  it('points an unclosed quote at where the string opens', () => {
    const p = problems("- name: 'it is\n  command: ls\n");
    expect(p).to.deep.equal([{ where: '1:9', message: "YAML: missing closing ' quote for the string that starts here", hint: undefined }]);
  });

  it('points an unclosed flow sequence or mapping at its opening bracket', () => {
    expect(problems('tasks: [a, [b], c\nother: 1\n')).to.deep.equal([
      { where: '1:8', message: "YAML: this '[' is never closed: expected ']' (before the indentation ends)", hint: undefined },
    ]);
    expect(problems('a:\n  b: {c: 1, d: {e: 2}\n  f: 3\n')[0]!.where).to.equal('2:6');
  });

  it('reports one problem per line: the rest are echoes of the first', () => {
    const p = problems('- name: greet\n  debug:\n\t  msg: hi\n');
    expect(p).to.deep.equal([{ where: '3:1', message: 'YAML: tabs are not allowed as indentation', hint: 'indent with spaces' }]);
  });

  it('reports every duplicate key at once, each at the repeated key', () => {
    const p = problems('- name: a\n  when: x\n  when: y\n- name: b\n  command: ls\n  command: pwd\n');
    expect(p.map((x) => x.where)).to.deep.equal(['3:3', '6:3']);
    expect(p[0]!.message).to.match(/unique/);
    expect(p[0]!.hint).to.match(/only once/);
  });

  it('refuses tabs as indentation, pointing at the tab', () => {
    const p = problems('a:\n\tb: 1\n');
    expect(p[0]!.where).to.equal('2:1');
    expect(p[0]!.hint).to.equal('indent with spaces');
  });

  it('explains an unquoted template value instead of talking about mapping keys', () => {
    const p = problems('- name: x\n  command: {{ cmd }}\n');
    expect(p).to.deep.equal([
      {
        where: '2:12',
        message: "a value starting with '{{' must be quoted",
        hint: `write it as "{{ ... }}" (in quotes): YAML reads an unquoted '{' as the start of a mapping`,
      },
    ]);
  });

  it('allows one document per file, pointing at the second one', () => {
    const p = problems('- hosts: all\n---\n- hosts: web\n');
    expect(p).to.have.length(1);
    expect(p[0]!.where).to.equal('2:1');
    expect(p[0]!.message).to.match(/only one YAML document/);
    expect(problems('---\n- hosts: all\n---\n- hosts: web\n')[0]!.where).to.equal('3:1');
    expect(problems('---\na: 1\n...\nb: 2\n')[0]!.where).to.equal('4:1');
  });

  it('rejects tags it cannot honour (e.g. Ansible vault)', () => {
    const p = problems('password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n');
    expect(p[0]!.where).to.equal('1:11');
    expect(p[0]!.message).to.equal('YAML: unsupported tag !vault');
  });

  it('rejects an alias inside the value it names (nothing later could walk it)', () => {
    expect(problems('all: &top\n  children:\n    again: *top\n')).to.deep.equal([
      { where: '3:12', message: "YAML: alias '*top' refers to a value that contains it", hint: undefined },
    ]);
  });

  it('rejects a mapping used as a key', () => {
    const p = problems('? {a: 1}\n: b\n');
    expect(p[0]!.message).to.match(/mapping keys must be plain values/);
  });

  it('reads files from disk, and says plainly when one is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-yaml-'));
    try {
      const f = join(dir, 'x.yaml');
      writeFileSync(f, 'a: [1, 2]\n');
      const v = parseYamlFile(f) as Obj;
      expect(v.a).to.deep.equal([1, 2]);
      expect(locate(v.a, 1)?.file).to.equal(f);
      expect(() => parseYamlFile(join(dir, 'nope.yaml'))).to.throw(PlaybookError, /cannot read .*nope\.yaml': no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('load/yaml: Ansible\'s !unsafe tag (issue 14)', () => {
  it('keeps a tagged value literal for the template engine ({% raw %}), in scalars, lists and mappings, once through aliases', () => {
    const doc = parseYamlText("a: !unsafe '{{ x }}'\nb: !unsafe plain\nc: !unsafe &l\n  - '{% if y %}'\n  - 1\nd: *l\ne: '{{ kept }}'\n", 'unsafe.yaml') as Record<string, unknown>;
    expect(doc).to.deep.equal({
      a: '{% raw %}{{ x }}{% endraw %}',
      b: 'plain',
      c: ['{% raw %}{% if y %}{% endraw %}', 1],
      d: ['{% raw %}{% if y %}{% endraw %}', 1],
      e: '{{ kept }}',
    });
    expect(locate(doc, 'a', 'value')).to.deep.equal({ file: 'unsafe.yaml', line: 1, col: 12 });
  });

  it('other unknown tags are still refused', () => {
    let err: unknown;
    try {
      parseYamlText('a: !vault xyz\n', 'v.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ErrorList);
    expect((err as ErrorList).errors.map((e) => e.message)).to.deep.equal(['YAML: unsupported tag !vault']);
    expect((err as ErrorList).errors[0]!.hint).to.match(/^gx does not decrypt Ansible Vault: pass the value with -e/);
  });

  it('a tag that only starts like !unsafe is refused too', () => {
    let err: unknown;
    try {
      parseYamlText('a: !unsafe_x "{{ x }}"\n', 'u.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ErrorList);
    expect((err as ErrorList).errors.map((e) => e.message)).to.deep.equal(['YAML: unsupported tag !unsafe_x']);
  });
});
