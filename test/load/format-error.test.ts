import { expect } from 'chai';
import { join } from 'node:path';
import { ConnectionError, ErrorList, InternalError, ModuleArgsError, PlaybookError, TemplateError } from '../../engine/errors.js';
import { rememberSource } from '../../engine/load/source.js';
import { validatePlaybook } from '../../engine/load/validate.js';
import { parseYamlText } from '../../engine/load/yaml.js';
import { formatError } from '../../engine/report/format-error.js';
import { fakeModules } from './fake-modules.js';

const plain = { color: false, debug: false };

describe('report/format-error', () => {
  const file = 'site.yaml';
  const text = [
    '- hosts: all', // 1
    '  tasks:', // 2
    '    - name: greet', // 3
    '      debug: {msg: hi}', // 4
    '      whne: x', // 5
    '    - copy: {dest: /x, state: "gone"}', // 6
    '\t- command: ls', // 7 (a tab, to check caret alignment)
  ].join('\n');
  before(() => rememberSource(file, text));

  it('prints the message, the place, the line with carets under the key, and the hint', () => {
    const err = new PlaybookError("unknown keyword or module 'whne'", { loc: { file, line: 5, col: 7 }, hint: "did you mean 'when'?" });
    expect(formatError(err, plain)).to.equal(
      [
        "ERROR! unknown keyword or module 'whne'",
        '  --> site.yaml:5:7',
        '    5 |       whne: x',
        '      |       ^^^^',
        "  hint: did you mean 'when'?",
      ].join('\n'),
    );
  });

  it('underlines a quoted value whole', () => {
    const err = new ModuleArgsError("argument 'state' of module 'copy' must be 'present' or 'absent', got 'gone'", { loc: { file, line: 6, col: 31 } });
    expect(formatError(err, plain)).to.equal(
      [
        "ERROR! argument 'state' of module 'copy' must be 'present' or 'absent', got 'gone'",
        '  --> site.yaml:6:31',
        '    6 |     - copy: {dest: /x, state: "gone"}',
        '      |                               ^^^^^^',
      ].join('\n'),
    );
  });

  it('keeps tabs in the padding so the caret lands under the column', () => {
    const out = formatError(new PlaybookError('x', { loc: { file, line: 7, col: 4 } }), plain).split('\n');
    expect(out[2]).to.equal('    7 | \t- command: ls');
    expect(out[3]).to.equal('      | \t  ^^^^^^^');
  });

  it('prints every problem of a list, then how many', () => {
    const doc = parseYamlText(text.replace('\t', '    '), 'list.yaml');
    const errors = validatePlaybook(doc, 'list.yaml', fakeModules());
    expect(formatError(new ErrorList(errors), plain)).to.equal(
      [
        "ERROR! unknown keyword or module 'whne'",
        '  --> list.yaml:5:7',
        '    5 |       whne: x',
        '      |       ^^^^',
        "  hint: did you mean 'when'?",
        '',
        "ERROR! argument 'state' of module 'copy' must be 'present' or 'absent', got 'gone'",
        '  --> list.yaml:6:31',
        '    6 |     - copy: {dest: /x, state: "gone"}',
        '      |                               ^^^^^^',
        '',
        '2 problems found',
      ].join('\n'),
    );
  });

  it('prints a one-problem list like the problem alone', () => {
    const e = new TemplateError("'port' is undefined", { loc: { file, line: 4, col: 14 } });
    expect(formatError(new ErrorList([e]), plain)).to.equal(formatError(e, plain));
  });

  it('works without a location, and when the file cannot be read', () => {
    expect(formatError(new PlaybookError('the playbook is empty', { hint: 'add a play' }), plain)).to.equal(
      'ERROR! the playbook is empty\n  hint: add a play',
    );
    expect(formatError(new PlaybookError('bad', { loc: { file: '/nonexistent/x.yaml', line: 3, col: 1 } }), plain)).to.equal(
      'ERROR! bad\n  --> /nonexistent/x.yaml:3:1',
    );
  });

  it('shows a path under the working directory relative to it, and underlines a whole {{ template }}', () => {
    const abs = join(process.cwd(), 'playbooks', 'web.yaml');
    rememberSource(abs, '- hosts: all\n  tasks:\n    - debug:\n        msg: {{ greeting }}\n');
    expect(formatError(new PlaybookError("a value starting with '{{' must be quoted", { loc: { file: abs, line: 4, col: 14 } }), plain)).to.equal(
      [
        "ERROR! a value starting with '{{' must be quoted",
        `  --> ${join('playbooks', 'web.yaml')}:4:14`,
        '    4 |         msg: {{ greeting }}',
        '      |              ^^^^^^^^^^^^^^',
      ].join('\n'),
    );
    expect(formatError(new PlaybookError('x', { loc: { file: '/elsewhere/site.yaml', line: 1, col: 1 } }), plain)).to.include('--> /elsewhere/site.yaml:1:1');
  });

  it('names the host of a connection error', () => {
    expect(formatError(new ConnectionError('web1', 'connection refused'), plain)).to.equal('ERROR! web1: connection refused');
  });

  it('shows no stack for a user error, unless debugging', () => {
    const err = new PlaybookError('bad', { cause: new Error('root cause') });
    expect(formatError(err, plain)).to.equal('ERROR! bad');
    const debug = formatError(err, { color: false, debug: true });
    expect(debug).to.match(/^ERROR! bad\nPlaybookError: bad\n\s+at /);
    expect(debug).to.match(/caused by: Error: root cause/);
  });

  it('shows the stack of an internal error, and of anything that is not ours', () => {
    expect(formatError(new InternalError('state machine confused'), plain)).to.match(
      /^ERROR! internal error \(a bug in gx\): state machine confused\nInternalError: state machine confused\n\s+at /,
    );
    expect(formatError(new TypeError('x is not a function'), plain)).to.match(/^ERROR! unexpected error \(a bug in gx\): x is not a function\nTypeError/);
    expect(formatError('a thrown string', plain)).to.match(/^ERROR! unexpected error \(a bug in gx\): a thrown string\n/);
  });

  it('colours only when asked', () => {
    const err = new PlaybookError('bad', { loc: { file, line: 5, col: 7 }, hint: 'h' });
    expect(formatError(err, plain)).not.to.match(/\x1b\[/);
    const coloured = formatError(err, { color: true, debug: false });
    expect(coloured).to.match(/\x1b\[/);
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).to.equal(formatError(err, plain));
  });
});
