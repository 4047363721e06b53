import { expect } from 'chai';
import { TemplateError } from '../../engine/errors.js';
import { renderTemplateFile, templateFileSyntaxErrors, type Where } from '../../engine/vars/template.js';
import { Unknown } from '../../engine/vars/unknown.js';

// Handlebars renders `.hbs` template files only (playbook values are Jinja: jinja-template.test.ts),
// always to text.
const renderString = (text: string, v: Record<string, unknown>, where?: Where): string => renderTemplateFile(text, v, { path: 'manifest.yaml.hbs', where });
const renderValue = renderString;
const templateSyntaxErrors = (text: string): string | undefined => templateFileSyntaxErrors(text, 'manifest.yaml.hbs');

const U = new Unknown('registered in check mode');

const vars: Record<string, unknown> = {
  base: '/etc/app',
  item: 7,
  inventory_hostname: 'web1',
  hostvars: { web1: { port: 8080 }, 'db-1': { port: 5432 } },
  groups: { web: ['web1', 'web2'], all: ['web1', 'web2', 'db-1'] },
  user: { name: 'ada', uid: 1000, shell: null },
  users: [{ name: 'ada' }, { name: 'bob' }],
  csv: 'a,b,c',
  n: 5,
  flag: false,
  nothing: null,
  r: { stdout: U, changed: true },
  u: U,
};

function fail(f: () => unknown): TemplateError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('vars/handlebars (.hbs files): Ansible habits in Handlebars', () => {
  const cases: [string, unknown][] = [
    ['{{ base }}/f{{ item }}.conf', '/etc/app/f7.conf'],
    ['{{ inventory_hostname }}', 'web1'],
    ['{{ hostvars.web1.port }}', 8080],
    ['{{ hostvars.[db-1].port }}', 5432],
    ['{{lookup hostvars inventory_hostname}}', { port: 8080 }],
    ['{{ groups.web }}', ['web1', 'web2']],
    ['{{ groups.web.[0] }}', 'web1'],
    ['{{ user.name }}', 'ada'],
    ['{{#each users}}{{name}} {{/each}}', 'ada bob '],
    ['{{#each users as |u|}}{{@index}}={{u.name}};{{/each}}', '0=ada;1=bob;'],
    ['{{#each groups.web}}{{this}}{{#unless @last}},{{/unless}}{{/each}}', 'web1,web2'],
    ['{{#if flag}}on{{else}}off{{/if}}', 'off'],
    ['{{#if (eq n 5)}}five{{/if}}', 'five'],
    ['{{#with user}}{{name}}:{{uid}}{{/with}}', 'ada:1000'],
    ['{{! a comment }}x', 'x'],
    ['\\{{ literal }}', '{{ literal }}'],
    ['<{{ base }}> & "quotes"', '</etc/app> & "quotes"'],
  ];
  for (const [t, want] of cases) {
    it(`${t}  →  ${JSON.stringify(want)}`, () => expect(renderValue(t, vars)).to.equal(typeof want === 'string' ? want : JSON.stringify(want)));
  }
  it('does not HTML-escape (noEscape)', () => expect(renderString('{{ s }}', { s: '<a href="x">&</a>' })).to.equal('<a href="x">&</a>'));
});

describe('vars/handlebars (.hbs files): text', () => {
  it('always a string; lists and maps inside text render as JSON, null as nothing', () => {
    expect(renderString('{{ n }}', vars)).to.equal('5');
    expect(renderString('{{ users }}', vars)).to.equal('[{"name":"ada"},{"name":"bob"}]');
    expect(renderString('x{{ nothing }}x', vars)).to.equal('xx');
    expect(renderString('plain', vars)).to.equal('plain');
  });
});

describe('vars/handlebars (.hbs files): the fast path (no blocks) agrees with the Handlebars runtime', () => {
  // appending an empty block forces a template through the Handlebars runtime
  const viaHandlebars = (t: string): string => renderString(`${t}{{#if true}}{{/if}}`, vars);
  const templates = [
    '{{ base }}/f{{ item }}.conf',
    'a  {{~ base ~}}  b',
    '{{! comment }}{{ n }}',
    '{{join (split csv ",") "-"}} {{upper (default nope "x")}}',
    '{{to_json user}} {{ groups.web }} {{ nothing }}',
    '{{indent "a\nb" width=3}}',
    '{{@root.base}} {{this.base}}',
    '{{ r.stdout }}',
    '{{lookup hostvars "db-1"}}',
  ];
  for (const t of templates) it(t, () => expect(renderString(t, vars)).to.equal(viaHandlebars(t)));

  it('errors agree too', () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message.replace(/ in template .*/s, '');
      }
      return 'no error';
    };
    for (const t of ['{{ user.nmae }}', '{{upper nums}}', '{{join nope ","}}']) expect(msg(() => renderString(t, vars))).to.equal(msg(() => viaHandlebars(t)));
  });
});

describe('vars/handlebars (.hbs files): Unknown (check mode)', () => {
  it('the file\'s text shows the marker', () => {
    expect(renderString('out: {{ r.stdout }}', vars)).to.equal(`out: ${U.toString()}`);
  });
  it('helpers pass Unknown through', () => {
    expect(renderValue('{{upper r.stdout}}', vars)).to.equal(U.toString());
    expect(renderValue('{{split u ","}}', vars)).to.equal(U.toString());
    expect(renderValue('{{and false u}}', vars)).to.equal('false');
    expect(renderValue('{{or true u}}', vars)).to.equal('true');
    expect(renderValue('{{and true u}}', vars)).to.equal(U.toString());
  });
  it('a block on an Unknown renders the marker instead of guessing a branch', () => {
    expect(renderString('{{#if u}}yes{{else}}no{{/if}}', vars)).to.equal(U.toString());
  });
});

describe('vars/handlebars (.hbs files): strict undefined', () => {
  const where = { task: 'write config', host: 'web1', what: 'args', loc: { file: 'roles/app/tasks/main.yml', line: 9, col: 5 } };

  it('names the variable, the task, the host and file:line', () => {
    const e = fail(() => renderValue('{{ nope }}/x', vars, where));
    expect(e.message).to.contain("undefined variable 'nope'");
    expect(e.message).to.contain('task "write config"');
    expect(e.message).to.contain('web1');
    expect(e.message).to.contain('roles/app/tasks/main.yml:9:5');
    expect(e.loc).to.deep.equal(where.loc);
  });

  it('names the full path and the missing attribute', () => {
    const e = fail(() => renderValue('{{ user.nmae }}', vars, where));
    expect(e.message).to.contain("'user.nmae'");
    expect(e.message).to.contain("has no attribute 'nmae'");
  });

  it('suggests a close name', () => {
    expect(fail(() => renderValue('{{ inventory_hostnme }}', vars)).hint).to.match(/did you mean 'inventory_hostname'/);
  });

  it('helper arguments are strict too (Handlebars strict mode alone would not be)', () => {
    expect(fail(() => renderValue('{{join nope ","}}', vars)).message).to.contain("'nope'");
    expect(fail(() => renderValue('{{#if nope}}x{{/if}}', vars)).message).to.contain("'nope'");
    expect(fail(() => renderValue('{{#each nope}}x{{/each}}', vars)).message).to.contain("'nope'");
  });

  it('inside #each, names are looked up on the item', () => {
    expect(fail(() => renderValue('{{#each users}}{{nmae}}{{/each}}', vars)).message).to.contain("'nmae'");
  });

  it('../, @root and block-parameter paths are strict as well', () => {
    expect(renderValue('{{#each users}}{{../base}}|{{@root.n}}|{{name}};{{/each}}', vars)).to.equal('/etc/app|5|ada;/etc/app|5|bob;');
    expect(fail(() => renderValue('{{#each users}}{{../nope}}{{/each}}', vars)).message).to.contain("'../nope'");
    expect(fail(() => renderValue('{{#each users}}{{@root.nope}}{{/each}}', vars)).message).to.contain("'@root.nope'");
    expect(fail(() => renderValue('{{#each users as |u|}}{{u.nmae}}{{/each}}', vars)).message).to.contain("'u.nmae'");
    expect(renderValue('{{#each users}}{{default ../nope "d"}}{{/each}}', vars)).to.equal('dd');
  });

  it('blocks used the wrong way are explained', () => {
    expect(fail(() => renderValue('{{#eq a b}}x{{/eq}}', vars)).message).to.contain("'eq' is not a block helper");
    expect(fail(() => renderValue('{{#users}}x{{/users}}', vars)).message).to.contain('write {{#each users}}');
    expect(fail(() => renderValue('{{if n}}', vars)).message).to.contain("'if' is a block helper");
  });

  it('a null in the middle of a path is reported as such', () => {
    expect(fail(() => renderValue('{{ user.shell.path }}', vars)).message).to.contain("'user.shell' is none");
  });

  it('default handles the undefined variable, even as a path', () => {
    expect(renderValue('{{default nope "d"}}', vars)).to.equal('d');
    expect(renderValue('{{default user.nope.deeper "d"}}', vars)).to.equal('d');
    expect(renderValue('{{default user.name "d"}}', vars)).to.equal('ada');
    expect(renderValue('{{upper (default nope "d")}}', vars)).to.equal('D');
  });
});

describe('vars/handlebars (.hbs files): no prototype access', () => {
  for (const t of ['{{ base.constructor }}', '{{ user.__proto__ }}', '{{ user.constructor.prototype }}', '{{ user.hasOwnProperty }}', '{{ users.length }}', '{{ constructor }}', '{{lookup user "constructor"}}']) {
    it(`${t} never reaches Object.prototype`, () => {
      let out: unknown;
      try {
        out = renderValue(t, vars);
      } catch (e) {
        expect(e).to.be.instanceOf(TemplateError);
        return;
      }
      expect(out === null || out === undefined || out === '').to.equal(true, `got ${String(out)}`);
    });
  }
  it('default over a prototype name gives the default', () => {
    expect(renderValue('{{default user.constructor "safe"}}', vars)).to.equal('safe');
  });
});

describe('vars/handlebars (.hbs files): syntax and Jinja habits', () => {
  it('a Jinja filter is an error whose hint shows the Handlebars form', () => {
    const e = fail(() => renderValue("{{ var | default('x') }}", { var: 1 }));
    expect(e.message).to.contain('Jinja filter syntax');
    expect(e.hint).to.contain('{{default var "x"}}');
    const chain = fail(() => renderValue("{{ name | default('a') | upper }}", {}));
    expect(chain.hint).to.contain('{{upper (default name "a")}}');
  });

  it('templateSyntaxErrors gives line and column inside the text', () => {
    expect(templateSyntaxErrors('line one\n  {{ x }')).to.match(/^line 2, col 8: /);
    expect(templateSyntaxErrors('{{#if x}}a{{/each}}')).to.match(/if doesn't match each/);
    expect(templateSyntaxErrors('{{ fine }} and {{join a ","}}')).to.equal(undefined);
    expect(templateSyntaxErrors('no template at all')).to.equal(undefined);
  });

  it('flags unknown helpers statically with a suggestion', () => {
    expect(templateSyntaxErrors('x\n{{jion list ","}}')).to.match(/^line 2, col 3: unknown helper 'jion'.*did you mean 'join'/);
  });

  it('flags Jinja blocks and filters statically', () => {
    expect(templateSyntaxErrors('{% if x %}y{% endif %}')).to.match(/Jinja block/);
    expect(templateSyntaxErrors('a: {{ x | to_json }}')).to.match(/^line 1, col 9: Jinja filter/);
  });

  it('block params with |x| are not mistaken for filters', () => {
    expect(templateSyntaxErrors('{{#each users as |u|}}{{u.name}}{{/each}}')).to.equal(undefined);
  });
});
