// Lookups on the controller: Ansible's search path (role, task file's directory, playbook
// directory, each with its files/ or templates/), first_found's order and options, fileglob, pipe's
// working directory, the with_* shapes kw-compile calls runLookup for, and check-mode Unknown.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../engine/errors.js';
import { evaluate } from '../../engine/vars/expr.js';
import { Fail } from '../../engine/vars/fail.js';
import { runLookup, UnknownTerm } from '../../engine/vars/lookups/index.js';
import { renderValue } from '../../engine/vars/template.js';
import { isUnknown, Unknown } from '../../engine/vars/unknown.js';

describe('vars/lookups', () => {
  let dir: string;
  let play: string;
  let role: string;
  let vars: Record<string, unknown>;
  const where = (): { loc: { file: string; line: number; col: number } } => ({ loc: { file: join(play, 'tasks', 'extra.yml'), line: 1, col: 1 } });
  const ev = (expr: string, extra: Record<string, unknown> = {}): unknown => evaluate(expr, { ...vars, ...extra }, where());

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-lookups-'));
    play = join(dir, 'play');
    role = join(play, 'roles', 'web');
    for (const d of ['files', 'templates', 'tasks/files', 'other', 'roles/web/files', 'roles/web/templates', 'roles/web/tasks']) mkdirSync(join(play, d), { recursive: true });
    writeFileSync(join(play, 'files', 'motd.txt'), '\n  play motd  \n\n');
    writeFileSync(join(play, 'files', 'only-play.txt'), 'play');
    writeFileSync(join(play, 'files', 'a.conf'), 'a');
    writeFileSync(join(play, 'files', 'b.conf'), 'b');
    writeFileSync(join(play, 'files', '.hidden.conf'), 'h');
    writeFileSync(join(play, 'other', 'c.conf'), 'c');
    writeFileSync(join(play, 'tasks', 'files', 'beside-task.txt'), 'task dir');
    writeFileSync(join(play, 'top.txt'), 'top');
    writeFileSync(join(play, 'files', 'app.ini'), '[global]\nname = gx\n\n[db]\nUser = ada\nport: 5432\nhost_a = 1\nhost_b = 2\n');
    writeFileSync(join(play, 'files', 'app.properties'), 'jdbc.url=jdbc:x\n');
    writeFileSync(join(play, 'files', 'users.csv'), 'ada,1000,"Ada, Countess"\nbob,1001,Bob\n');
    writeFileSync(join(play, 'files', 'users.tsv'), 'ada\t1000\n');
    writeFileSync(join(play, 'files', 'people.csv'), 'German von Lastname,Demo\nSmith,Jane\n');
    writeFileSync(join(role, 'files', 'motd.txt'), 'role motd\n');
    writeFileSync(join(role, 'templates', 'page.hbs'), 'hello {{name}}');
    writeFileSync(join(play, 'templates', 'hello_string.txt'), 'Hello [% my_var %]! {{ kept }}\n');
    writeFileSync(join(play, 'templates', 'hello_comment.txt'), '[# Comment #]\nHello world!\n');
    writeFileSync(join(play, 'templates', 'dict.j2'), '{"foo": "{{ \'bar\' }}"}\n');
    symlinkSync(join(play, 'files', 'a.conf'), join(play, 'files', 'link.conf'));
    vars = { playbook_dir: play, name: 'ada', n: 3 };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('file', () => {
    it("reads from the play's files/, right-stripped by default", () => expect(ev("lookup('file', 'motd.txt')")).to.equal('\n  play motd'));
    it('lstrip and rstrip options', () => {
      expect(ev("lookup('file', 'motd.txt', lstrip=true)")).to.equal('play motd');
      expect(ev("lookup('file', 'motd.txt', rstrip=false)")).to.equal('\n  play motd  \n\n');
    });
    it("the role's files/ comes first in a role", () => expect(ev("lookup('file', 'motd.txt')", { role_path: role })).to.equal('role motd'));
    it("then the task file's directory, then the play's", () => {
      expect(ev("lookup('file', 'beside-task.txt')", { role_path: role })).to.equal('task dir');
      expect(ev("lookup('file', 'only-play.txt')", { role_path: role })).to.equal('play');
      expect(ev("lookup('file', 'top.txt')")).to.equal('top');
    });
    it('absolute paths as they are; several terms joined with commas', () => {
      expect(ev(`lookup('file', '${join(play, 'files', 'a.conf')}', 'b.conf')`)).to.equal('a,b');
      expect(ev("query('file', 'a.conf', 'b.conf')")).to.deep.equal(['a', 'b']);
    });
    it('a missing file names the places it looked', () => {
      expect(() => ev("lookup('file', 'nope.txt')")).to.throw(TemplateError, /could not locate file in lookup: nope.txt \(searched .*files\/nope.txt/);
    });
  });

  describe('first_found', () => {
    it('the first existing file of the list, as a full path', () => {
      expect(ev("lookup('first_found', ['nope.yml', 'b.conf', 'a.conf'])")).to.equal(join(play, 'files', 'b.conf'));
    });
    it('files and paths: every path with every file, the files list first', () => {
      expect(ev("lookup('first_found', {'files': ['x.conf', 'c.conf'], 'paths': ['" + join(play, 'files') + "', '" + join(play, 'other') + "']})")).to.equal(join(play, 'other', 'c.conf'));
      expect(ev("lookup('first_found', files=['c.conf'], paths=['other'])")).to.equal(join(play, 'other', 'c.conf'));
    });
    it('comma- and semicolon-separated names in one string', () => expect(ev("lookup('first_found', 'nope.conf,a.conf')")).to.equal(join(play, 'files', 'a.conf')));
    it("errors when nothing is found, unless skip (an empty list, '' from lookup)", () => {
      expect(() => ev("lookup('first_found', ['x', 'y'])")).to.throw(TemplateError, /No file was found when using first_found/);
      expect(ev("query('first_found', ['x', 'y'], skip=true)")).to.deep.equal([]);
      expect(ev("lookup('first_found', {'files': ['x'], 'skip': true})")).to.deep.equal([]);
      expect(ev("lookup('first_found', 'x', errors='ignore')")).to.equal(null);
    });
    it("lookup(..., errors='ignore') finding nothing renders as '' in a template, as Ansible 2.14 (None is finalized to '')", () => {
      expect(renderValue("{{ lookup('first_found', {'files': 'nope.yaml'}, errors='ignore') }}", vars, where())).to.equal('');
      expect(renderValue("{{ none }}", vars, where())).to.equal('');
      // one bare variable keeps its None (Templar's SINGLE_VAR shortcut)
      expect(renderValue('{{ x }}', { ...vars, x: null }, where())).to.equal(null);
    });
    it("the caller's full search path when given (engine/load/find-file.ts's order)", () => {
      const search = { playbookDir: join(play, 'other'), roleDir: role };
      expect(runLookup('first_found', ['motd.txt', 'c.conf'], {}, { vars, search })).to.deep.equal([join(role, 'files', 'motd.txt')]);
      expect(runLookup('file', ['c.conf'], {}, { vars, search })).to.deep.equal(['c']);
      expect(runLookup('fileglob', ['*.conf'], {}, { vars, search })).to.deep.equal([join(play, 'other', 'c.conf')]);
    });
    it('templates/ for template tasks (ctx.subdir)', () => {
      expect(runLookup('first_found', ['page.hbs'], {}, { vars: { ...vars, role_path: role }, subdir: 'templates' })).to.deep.equal([join(role, 'templates', 'page.hbs')]);
    });
  });

  describe('fileglob', () => {
    it("a bare pattern is looked for in the play's files/ (hidden files and links: as Python's glob)", () => {
      expect(ev("query('fileglob', '*.conf')")).to.deep.equal(['a.conf', 'b.conf', 'link.conf'].map((f) => join(play, 'files', f)));
    });
    it('a pattern with a directory is taken from the search path', () => expect(ev("lookup('fileglob', 'other/*.conf')")).to.equal(join(play, 'other', 'c.conf')));
    it('the fileglob filter globs as it is given', () => expect(ev(`'${join(play, 'other')}/*.conf' | fileglob`)).to.deep.equal([join(play, 'other', 'c.conf')]));
    it('no match is an empty list', () => expect(ev("query('fileglob', '*.nothing')")).to.deep.equal([]));
  });

  describe('pipe and lines', () => {
    it("run in the playbook's directory, output right-stripped", () => expect(ev("lookup('pipe', 'pwd')")).to.equal(play));
    it('a failing command is an error with its exit code', () => expect(() => ev("lookup('pipe', 'echo oops >&2; exit 4')")).to.throw(TemplateError, /returned 4: oops/));
    it('lines gives one item per line', () => expect(ev("query('lines', 'cat files/a.conf files/b.conf; echo; echo c')")).to.deep.equal(['ab', 'c']));
  });

  describe('template', () => {
    // the renderer engine/vars/template.ts registers (imported above): .hbs with Handlebars, the rest Jinja
    it("gives the file's template_path (as written) and template_fullpath, as Ansible's template lookup", () => {
      writeFileSync(join(play, 'templates', 'magic.j2'), '{{ template_path }}|{{ template_fullpath }}|{{ template_host | length > 0 }}');
      expect(ev("lookup('template', 'magic.j2')")).to.equal(`magic.j2|${join(play, 'templates', 'magic.j2')}|True`);
    });
    it('renders with the task variables and template_vars', () => {
      expect(ev("lookup('template', 'page.hbs')", { role_path: role })).to.equal('hello ada');
      expect(ev("lookup('template', 'page.hbs', template_vars={'name': 'bob'})", { role_path: role })).to.equal('hello bob');
    });
    // the cases of ansible's test/integration/targets/lookup_template (v2.14.17)
    it('other delimiters: variable_start_string/…, comment_start_string/…', () => {
      expect(ev("lookup('template', 'hello_string.txt', variable_start_string='[%', variable_end_string='%]') | trim", { my_var: 'world' })).to.equal('Hello world! {{ kept }}');
      expect(ev("lookup('template', 'hello_comment.txt', comment_start_string='[#', comment_end_string='#]') | trim")).to.equal('Hello world!');
    });
    it('convert_data (default true) turns a dict literal into a dict', () => {
      expect(ev("lookup('template', 'dict.j2')")).to.deep.equal({ foo: 'bar' });
      expect(ev("lookup('template', 'dict.j2', convert_data=False)")).to.equal('{"foo": "bar"}\n');
    });
  });

  describe('password', () => {
    it('generates once, stores the password (0600) and reads it back', () => {
      const first = ev("lookup('password', 'credentials/db length=12 chars=ascii_letters,digits')") as string;
      expect(first).to.match(/^[A-Za-z0-9]{12}$/);
      expect(ev("lookup('password', 'credentials/db length=12')")).to.equal(first);
      const file = join(play, 'credentials', 'db');
      expect((statSync(file).mode & 0o777).toString(8)).to.equal('600');
      expect(readFileSync(file, 'utf8')).to.equal(`${first}\n`);
    });
    it('/dev/null only generates; chars take Python string set names and literal characters', () => {
      expect(ev("lookup('password', '/dev/null length=30 chars=digits')")).to.match(/^\d{30}$/);
      expect(ev("lookup('password', '/dev/null length=5 chars=ab')")).to.match(/^[ab]{5}$/);
    });
    it('a seed gives the same password each time', () => {
      expect(ev("lookup('password', '/dev/null seed=x')")).to.equal(ev("lookup('password', '/dev/null seed=x')"));
    });
    it('encrypt=sha512_crypt keeps the salt beside the password and returns the hash made with it', () => {
      // one hash only: passlib's 656000 rounds take seconds (the filter table checks the hash itself)
      const hash = ev("lookup('password', 'credentials/hashed encrypt=sha512_crypt')") as string;
      const [pw, salt] = readFileSync(join(play, 'credentials', 'hashed'), 'utf8').trim().split(' salt=');
      expect(pw).to.match(/^[A-Za-z0-9.,:_-]{20}$/);
      expect(hash.startsWith(`$6$rounds=656000$${salt}$`)).to.equal(true);
    });
    it('unknown parameters are refused as Ansible does', () => {
      expect(() => ev("lookup('password', '/dev/null size=3')")).to.throw(TemplateError, /Unrecognized parameter\(s\) given to password lookup: size/);
    });
  });

  describe('ini, csvfile, inventory_hostnames', () => {
    // expected values: what ansible-core 2.14's lookups return for the same files
    it('ini: a key in a section, the global section by default, inline options, re=', () => {
      expect(ev("lookup('ini', 'name file=app.ini')")).to.equal('gx');
      expect(ev("lookup('ini', 'user section=db file=app.ini')")).to.equal('ada');
      expect(ev("lookup('ini', 'port', section='db', file='app.ini')")).to.equal('5432');
      expect(ev("lookup('ini', 'nope section=db file=app.ini default=d')")).to.equal('d');
      expect(ev("query('ini', 'host_.* section=db file=app.ini re=true')")).to.deep.equal(['1', '2']);
      expect(ev("lookup('ini', 'jdbc.url type=properties file=app.properties')")).to.equal('jdbc:x');
      expect(() => ev("lookup('ini', 'x section=nope file=app.ini')")).to.throw(TemplateError, /No section 'nope' in app.ini/);
      expect(() => ev("lookup('ini', 'x bogus=1 file=app.ini')")).to.throw(TemplateError, /bogus is not a valid option/);
    });
    it('csvfile: the column of the row whose key column matches', () => {
      expect(ev("lookup('csvfile', 'bob file=users.csv delimiter=,')")).to.equal('1001');
      expect(ev("lookup('csvfile', 'ada file=users.csv delimiter=, col=2')")).to.equal('Ada, Countess');
      expect(ev("lookup('csvfile', 'ada file=users.tsv')")).to.equal('1000');
      expect(ev("lookup('csvfile', 'cy file=users.csv delimiter=, default=none')")).to.equal('none');
      // ansible's lookup_csvfile target
      expect(ev("lookup('csvfile', 'German von Lastname file=people.csv delimiter=, col=1')")).to.equal('Demo');
      expect(ev("lookup('csvfile', 'Smith', file='people.csv', delimiter=',', col=1)")).to.equal('Jane');
      expect(() => ev("lookup('csvfile', 'x file=nope.csv')")).to.throw(TemplateError, /No such file or directory/);
      expect(() => ev("lookup('csvfile', 'file=people.csv')")).to.throw(TemplateError, /Search key is required but was not found/);
    });
    it('inventory_hostnames: a host pattern over the groups variable', () => {
      const groups = { all: ['w1', 'w2', 'db1'], web: ['w1', 'w2'], prod: ['w2', 'db1'], ungrouped: [] };
      expect(ev("query('inventory_hostnames', 'web:&prod')", { groups })).to.deep.equal(['w2']);
      expect(ev("query('inventory_hostnames', 'all:!web')", { groups })).to.deep.equal(['db1']);
      expect(ev("lookup('inventory_hostnames', 'web')", { groups })).to.equal('w1,w2');
      expect(ev("query('inventory_hostnames', 'w*')", { groups })).to.deep.equal(['w1', 'w2']);
    });
  });

  describe('env and vars', () => {
    it('env reads the controller environment', () => {
      process.env['GX_LOOKUP_TEST'] = 'from env';
      expect(ev("lookup('env', 'GX_LOOKUP_TEST')")).to.equal('from env');
      delete process.env['GX_LOOKUP_TEST'];
    });
    it("ansible's lookup_vars / lookup_varnames / lookup_subelements messages", () => {
      expect(() => ev("lookup('vars', 42)")).to.throw(TemplateError, /Invalid setting identifier, "42" is not a string/);
      expect(() => ev("lookup('varnames', '*')")).to.throw(TemplateError, /Unable to use "\*" as a search parameter: nothing to repeat/);
      expect(() => ev("lookup('subelements', 9001, 'groups', wantlist=true)")).to.throw(TemplateError, /expects a dictionary/);
    });
    it('vars and varnames read the scope', () => {
      expect(ev("lookup('vars', 'name', 'n')")).to.deep.equal(['ada', 3]);
      expect(ev("query('varnames', '^na')")).to.deep.equal(['name']);
    });
  });

  describe('runLookup for the with_* loops', () => {
    const ctx = { vars: { playbook_dir: '/tmp' } };
    it('with_items flattens one level', () => expect(runLookup('items', [[1, 2], 3, [[4]]], {}, ctx)).to.deep.equal([1, 2, 3, [4]]));
    it('with_list keeps the items', () => expect(runLookup('list', [[1, 2], 3], {}, ctx)).to.deep.equal([[1, 2], 3]));
    it('with_dict gives key/value items', () => expect(runLookup('dict', [{ a: 1, b: 2 }], {}, ctx)).to.deep.equal([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]));
    it('with_sequence takes the key=value string form', () => expect(runLookup('sequence', ['start=1 end=5 format=x%02d'], {}, ctx)).to.deep.equal(['x01', 'x02', 'x03', 'x04', 'x05']));
    it('with_sequence in hexadecimal and octal', () => expect(runLookup('sequence', ['start=0x0f00 count=2 format=%04x', 'start=010 end=011'], {}, ctx)).to.deep.equal(['0f00', '0f01', '8', '9']));
    it('with_together pads with none', () => expect(runLookup('together', [[1, 2, 3], ['a']], {}, ctx)).to.deep.equal([[1, 'a'], [2, null], [3, null]]));
    it('with_nested is the product', () => expect(runLookup('nested', [['a'], [1, 2], ['x']], {}, ctx)).to.deep.equal([['a', 1, 'x'], ['a', 2, 'x']]));
    it('with_indexed_items', () => expect(runLookup('indexed_items', ['a', 'b'], {}, ctx)).to.deep.equal([[0, 'a'], [1, 'b']]));
    it('with_subelements pairs each item with each sub-item (the sub-list key removed from the item)', () => {
      const users = [{ name: 'a', keys: ['k1', 'k2'] }, { name: 'b', keys: [] }];
      expect(runLookup('subelements', [users, 'keys'], {}, ctx)).to.deep.equal([[{ name: 'a' }, 'k1'], [{ name: 'a' }, 'k2']]);
      expect(users[0]!.keys).to.deep.equal(['k1', 'k2']);
    });
    it('with_subelements: a nested key, skip_missing, and the errors Ansible gives', () => {
      const users = [{ name: 'a', mysql: { hosts: ['h1'] } }, { name: 'b' }];
      expect(runLookup('subelements', [users, 'mysql.hosts', { skip_missing: true }], {}, ctx)).to.deep.equal([[users[0], 'h1']]);
      expect(() => runLookup('subelements', [users, 'mysql.hosts'], {}, ctx)).to.throw(Fail, /could not find 'mysql' key in iterated item/);
      expect(() => runLookup('subelements', [[{ k: 1 }], 'k'], {}, ctx)).to.throw(Fail, /the key k should point to a list, got '1'/);
      expect(() => runLookup('subelements', [users], {}, ctx)).to.throw(Fail, /expects a list of two or three items/);
    });
    it('an unknown lookup lists the known ones; an unsupported one says what to do', () => {
      expect(() => runLookup('nope', [], {}, ctx)).to.throw(Fail, /lookup plugin \(nope\) not found; gx knows: .*sequence/);
      expect(() => runLookup('url', ['http://x'], {}, ctx)).to.throw(Fail, /not supported by gx: .*uri or get_url/);
      expect(() => runLookup('unvault', ['x'], {}, ctx)).to.throw(Fail, /not supported by gx: gx does not read Ansible Vault files/);
    });
    it('the ansible.builtin. prefix is accepted', () => expect(runLookup('ansible.builtin.items', [1], {}, ctx)).to.deep.equal([1]));
  });

  describe('check mode: Unknown passes through', () => {
    const U = new Unknown('stdout of a command that did not run');
    const cases = [
      "lookup('file', u)",
      "query('items', u)",
      'range(u)',
      'u | upper',
      "u | regex_replace('a', 'b')",
      'u | to_json',
      "u.split(',')",
      "'a,b'.split(u)",
      'u[1:]',
      "u is match('x')",
      "r is changed",
      "[1, 2] | map('extract', u) | list",
    ];
    for (const c of cases) it(c, () => expect(isUnknown(evaluate(c, { u: U, r: { changed: U } }))).to.equal(true));
    it('a filter that fails on a list holding an Unknown gives the Unknown, not an error', () => {
      expect(isUnknown(evaluate('[1, u] | sum', { u: U }))).to.equal(true);
      expect(isUnknown(evaluate("{'a': u} | dict2items | items2dict | combine({'b': 1}) | dict2items | map(attribute='value') | sum", { u: U }))).to.equal(true);
      expect(() => evaluate('[1, "x"] | sum', { u: U })).to.throw(TemplateError, /unsupported operand types/);
    });
    it('a command built from an Unknown turned into text never runs (check mode stays read-only)', () => {
      const victim = join(dir, 'victim.txt');
      writeFileSync(victim, 'keep');
      // 'cat <unknown: …> /path' would be a shell redirect truncating the file
      for (const expr of ["lookup('pipe', 'cat ' ~ ([u] | join(' ')) ~ ' " + victim + "')", "lookup('pipe', 'cat %s " + victim + "' % (u,))", "query('lines', ['cat', u] | join(' '))", "lookup('password', ([u] | join) ~ '/x')"]) {
        expect(isUnknown(evaluate(expr, { u: U, playbook_dir: dir })), expr).to.equal(true);
      }
      expect(readFileSync(victim, 'utf8')).to.equal('keep');
      expect(() => runLookup('pipe', [`cat ${String(U)} ${victim}`], {}, { vars: {} })).to.throw(UnknownTerm);
      // a loop over items that hold unknown values still iterates
      expect(runLookup('items', [[{ stdout: U }, 2]], {}, { vars: {} })).to.deep.equal([{ stdout: U }, 2]);
      expect(() => runLookup('items', [U], {}, { vars: {} })).to.throw(UnknownTerm);
      expect(readFileSync(victim, 'utf8')).to.equal('keep');
    });
    it('default and defined see through to the Unknown itself, not a guess', () => {
      expect(evaluate("u | default('x')", { u: U })).to.equal(U);
      expect(evaluate('u is defined', { u: U })).to.equal(true);
    });
  });
});
