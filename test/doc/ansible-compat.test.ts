// docs/ansible-compat.md is the conformance table of issue 14: one row per feature the issue names,
// each with a status, the difference, and the test that proves it. This keeps the table honest:
// a row may only claim support with a test that exists, and no feature of the issue may go missing.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = process.cwd();
const DOC = join(ROOT, 'docs', 'ansible-compat.md');
const STATUSES = ['supported', 'partial', 'differs', 'not supported'] as const;

/** Every feature issue 14 lists, spelled as its row's Feature cell. */
export const ISSUE_14_FEATURES: string[] = [
  // safety bugs
  '`check_mode: "{{ omit }}"` under `--check`',
  'every templated keyword under `--check`',
  '`omit` in module arguments',
  '`omit` in keywords',
  '`ignore_errors` covers an undefined variable',
  '`ignore_errors` covers an argument error',
  '`ansible_python_interpreter: "{{ ansible_playbook_python }}"` in an inventory',
  // the language
  'Jinja2 expressions in `{{ }}` in playbooks',
  'Jinja2 expressions in `{{ }}` in roles',
  'Jinja2 expressions in `{{ }}` in vars files',
  'Jinja2 expressions in `{{ }}` in inventories',
  ...[
    'default', 'int', 'bool', 'join', 'map(attribute=…)', 'selectattr', 'dict2items', 'items2dict', 'combine',
    'to_json', 'to_yaml', 'from_json', 'from_yaml', 'b64encode', 'b64decode', 'regex_replace', 'regex_search',
    'ternary', 'basename', 'dirname', 'length', 'first', 'last', 'unique', 'sort', 'flatten', 'mandatory',
    'quote', 'hash',
  ].map((f) => `filter \`${f}\``),
  ...['defined', 'succeeded', 'failed', 'changed', 'skipped', 'match', 'search', 'number'].map((t) => `test \`is ${t}\``),
  'subscripts (`a[0]`, `a["k"]`, `a.k`)',
  'arithmetic operators',
  'string operators (`~`, `+`, `in`)',
  'inline `if … else`',
  '`lookup()` / `query()`',
  ...['env', 'file', 'template', 'pipe', 'first_found'].map((l) => `lookup \`${l}\``),
  'one safe evaluator for `when` and `{{ }}` (no JavaScript eval)',
  'the same filters and tests in `when` and `{{ }}`',
  'types kept as Ansible keeps them',
  'Handlebars helpers in playbook values',
  '`template` with a `.j2` file (Jinja2)',
  '`template` with a `.hbs` file (Handlebars)',
  '`key=value` arguments holding templates',
  // keywords
  ...[
    '`include` (old form)', '`action`', '`local_action`', '`remote_user`', '`delegate_facts`', '`throttle`', '`order`',
    '`run_once` on plays', '`notify` on blocks', '`notify` on imports', '`register` on `include_tasks`',
    '`loop_control.extended`', '`vars:` as a list of mappings', 'templated `strategy:`', '`async` / `poll`',
    '`async_status`', 'the `!unsafe` YAML tag', 'FQCN `ansible.builtin.include_tasks` / `import_*`',
    '`with_dict`', '`with_together`', '`with_sequence`', '`with_nested`', '`with_list`', '`with_fileglob`',
    '`with_subelements`', 'the other `with_*` loops', 'handlers defined by `include_tasks`',
    'search path for roles', 'search path for files', 'search path for templates', 'search path for includes',
  ],
  // modules
  ...['include_vars', 'ping', 'script', 'tempfile', 'slurp', 'group_by', 'setup', 'service', 'package'].map((m) => `module \`${m}\``),
  'facts gathered only when asked',
  '`blockinfile` `content` alias',
  '`command` `executable`',
  '`file` `attributes`',
  '`file` `modification_time_format`',
  '`copy` `local_follow`',
  '`user` `force`',
  '`user` `password`',
  // magic variables and result keys
  '`ansible_run_tags`',
  '`ansible_skip_tags`',
  '`role_names`',
  '`ansible_role_names`',
  '`ansible_failed_task` in rescue',
  '`ansible_failed_result` in rescue',
  '`ansible_play_hosts` without failed hosts',
  '`meta: clear_host_errors`',
  '`stat` `atime`',
  '`stat` `mimetype`',
  '`failed_when_result`',
  '`checksum` is SHA-1',
  '`when: no` / `when: yes` are booleans',
  'a missing command gives rc 127',
  'Python regex syntax (inline flags such as `(?m)`)',
  // the rest
  'differences listed in the README and named by the error',
];

interface Row {
  line: number;
  feature: string;
  status: string;
  difference: string;
  tests: string;
}

/** The rows of the tables whose header starts `| Feature |` (other tables, such as the measurement, are skipped). */
function rows(): Row[] {
  const out: Row[] = [];
  let inTable = false;
  readFileSync(DOC, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.startsWith('|')) {
        inTable = false;
        return;
      }
      if (/^\|\s*Feature\s*\|/.test(text)) {
        inTable = true;
        return;
      }
      if (!inTable || /^\|\s*-+/.test(text)) return;
      // cells split on | (a | inside a cell is written \|, as GitHub's tables want)
      const cells = text
        .replace(/^\||\|\s*$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|'));
      out.push({ line: i + 1, feature: cells[0] ?? '', status: cells[1] ?? '', difference: cells[2] ?? '', tests: cells[3] ?? '' });
    });
  return out;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : testFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface Citation {
  file: string;
  /** an it() title in a .test.ts file */
  title?: string;
  /** or a case of a table a test iterates over: text that appears in that file */
  caseText?: string;
}

/**
 * `test/a/b.test.ts` › title, or `test/x/table.ts` case `expr` (a row of a table that a test file
 * holds or imports and turns into one test per row), several separated by <br>.
 */
function citedTests(cell: string): Citation[] {
  return cell
    .split(/<br>/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const t = /^`([^`]+\.test\.ts)`\s*›\s*(.+)$/.exec(s);
      if (t) return { file: t[1]!, title: t[2]!.trim().replace(/^"(.*)"$/, '$1') };
      const c = /^`([^`]+\.ts)`\s*case\s*`(.+)`$/.exec(s);
      if (c) return { file: c[1]!, caseText: c[2]! };
      return { file: '', title: s };
    });
}

function hasTitle(source: string, title: string): boolean {
  const esc = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // 'the role\'s files' in the source is the title "the role's files"
  const unescaped = source.replace(/\\(['"\`])/g, '$1');
  return new RegExp(`\\bit(?:\\.only)?\\(\\s*(['"\`])${esc}\\1`).test(unescaped);
}

/** Where the table file is imported by a test file (as `./dir/name.js`). */
function importedByATest(files: Map<string, string>, table: string): boolean {
  const name = table.replace(/^.*\//, '').replace(/\.ts$/, '.js');
  return [...files.entries()].some(([f, src]) => f.endsWith('.test.ts') && src.includes(`/${name}'`));
}

describe('docs/ansible-compat.md (the conformance table of issue 14)', () => {
  const table = rows();

  it('has a row for every feature issue 14 lists', () => {
    const features = new Set(table.map((r) => r.feature));
    const missing = ISSUE_14_FEATURES.filter((f) => !features.has(f));
    expect(missing, 'features of issue 14 without a row').to.deep.equal([]);
  });

  it('gives every row one of the four statuses', () => {
    const bad = table.filter((r) => !(STATUSES as readonly string[]).includes(r.status)).map((r) => `line ${r.line}: ${r.status}`);
    expect(bad).to.deep.equal([]);
  });

  it('names, for every supported or partial row, a test title that exists in test/**/*.test.ts', () => {
    const files = new Map(testFiles(join(ROOT, 'test')).map((f) => [relative(ROOT, f), readFileSync(f, 'utf8')]));
    const problems: string[] = [];
    for (const r of table) {
      const cited = citedTests(r.tests);
      if ((r.status === 'supported' || r.status === 'partial') && cited.length === 0) problems.push(`line ${r.line} (${r.feature}): no test named`);
      for (const t of cited) {
        const where = `line ${r.line} (${r.feature})`;
        if (t.caseText !== undefined) {
          const path = join(ROOT, t.file);
          const source = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
          if (!source) problems.push(`${where}: no file ${t.file}`);
          else if (!source.includes(t.caseText)) problems.push(`${where}: ${t.file} has no case ${t.caseText}`);
          else if (!t.file.endsWith('.test.ts') && !importedByATest(files, t.file)) problems.push(`${where}: no test file imports ${t.file}`);
          continue;
        }
        const source = files.get(t.file);
        if (!source) problems.push(`${where}: no test file ${t.file || `in "${t.title}"`}`);
        else if (!hasTitle(source, t.title!)) problems.push(`${where}: ${t.file} has no it('${t.title}')`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('says what differs for every row that is not plainly supported', () => {
    const bare = table.filter((r) => r.status !== 'supported' && !r.difference).map((r) => `line ${r.line}: ${r.feature}`);
    expect(bare).to.deep.equal([]);
  });
});
