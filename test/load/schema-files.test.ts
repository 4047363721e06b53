// The JSON Schemas on disk are what editors read; the keyword lists in engine/schema/keywords.ts are
// what the validator and compiler read. These tests prove the two never drift apart.
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchemaFiles, renderSchemaFile, SCHEMA_DIR, SCHEMA_FILES, schemaId, validatorSchema } from '../../engine/schema/build.js';
import { renderValidators, SHAPE_AJV_OPTIONS, VALIDATORS_FILE } from '../../engine/schema/build-validators.js';
import * as precompiled from '../../engine/schema/validators.generated.js';
import {
  BLOCK_KEYWORDS,
  BLOCK_SECTIONS,
  HANDLER_KEYWORDS,
  IMPORT_KEYWORDS,
  IMPORT_PLAYBOOK_KEYWORDS,
  INCLUDE_KEYWORDS,
  INCLUDE_ROLE_ARGS,
  INCLUDE_TASKS_ARGS,
  INVENTORY_GROUP_KEYWORDS,
  PLAY_KEYWORDS,
  ROLE_KEYWORDS,
  ROLE_META_KEYWORDS,
  TASK_KEYWORDS,
} from '../../engine/schema/keywords.js';
import { parseYamlText } from '../../engine/load/yaml.js';

type Schema = Record<string, any>;

const onDisk = (file: string): Schema => JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Schema;
const names = (o: object): string[] => Object.keys(o).sort();
const propsOf = (schema: Schema, def: string): string[] => names(schema.definitions[def].properties);

describe('schema files: generated from the keyword lists', () => {
  const built = buildSchemaFiles();

  it('are up to date on disk (regenerate with: node --import tsx engine/schema/build.ts)', () => {
    for (const [file, schema] of Object.entries(built)) {
      expect(readFileSync(join(SCHEMA_DIR, file), 'utf8'), file).to.equal(renderSchemaFile(schema));
    }
  });

  it('include no stale file', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).to.deep.equal(Object.keys(built).sort());
    expect(Object.keys(built).sort()).to.deep.equal(Object.keys(SCHEMA_FILES).map((n) => `${n}.schema.json`).sort());
  });

  it('list exactly the TS keywords, everywhere', () => {
    const pb = onDisk('playbook.schema.json');
    expect(propsOf(pb, 'play')).to.deep.equal(names(PLAY_KEYWORDS));
    expect(propsOf(pb, 'import_playbook')).to.deep.equal(names(IMPORT_PLAYBOOK_KEYWORDS));
    expect(propsOf(pb, 'module_task')).to.deep.equal(names(TASK_KEYWORDS));
    expect(propsOf(pb, 'module_handler')).to.deep.equal(names({ ...TASK_KEYWORDS, ...HANDLER_KEYWORDS }));
    expect(propsOf(pb, 'block')).to.deep.equal(names({ ...BLOCK_KEYWORDS, ...BLOCK_SECTIONS }));
    expect(propsOf(pb, 'include_tasks')).to.deep.equal(names({ ...INCLUDE_KEYWORDS, include_tasks: 1 }));
    expect(propsOf(pb, 'include_role')).to.deep.equal(names({ ...INCLUDE_KEYWORDS, include_role: 1 }));
    expect(propsOf(pb, 'import_tasks')).to.deep.equal(names({ ...IMPORT_KEYWORDS, import_tasks: 1 }));
    expect(propsOf(pb, 'import_role')).to.deep.equal(names({ ...IMPORT_KEYWORDS, import_role: 1 }));
    expect(names(pb.definitions.include_role.properties.include_role.properties)).to.deep.equal(names(INCLUDE_ROLE_ARGS));
    expect(names(pb.definitions.include_tasks.properties.include_tasks.properties)).to.deep.equal(names(INCLUDE_TASKS_ARGS));
    expect(propsOf(pb, 'role_entry')).to.deep.equal(names(ROLE_KEYWORDS));
    expect(propsOf(onDisk('role-meta.schema.json'), 'role_meta')).to.deep.equal(names(ROLE_META_KEYWORDS));
    expect(propsOf(onDisk('inventory.schema.json'), 'inventory_group')).to.deep.equal(names(INVENTORY_GROUP_KEYWORDS));
    // the other files carry the same definitions as the playbook schema
    for (const file of ['play.schema.json', 'task.schema.json', 'task-file.schema.json', 'handler-file.schema.json']) {
      const s = onDisk(file);
      for (const [def, body] of Object.entries(s.definitions)) {
        if (def in pb.definitions) expect(body, `${file} ${def}`).to.deep.equal(pb.definitions[def]);
        else expect(def, file).to.be.oneOf(['task_file', 'handler_file']);
      }
    }
  });

  it('describe every property, for editors', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node as Schema)) {
          if (k === 'properties') {
            for (const [p, s] of Object.entries(v as Schema)) if (typeof (s as Schema).description !== 'string') missing.push(`${path}.${p}`);
          }
          walk(v, `${path}.${k}`);
        }
      }
    };
    for (const file of Object.keys(built)) walk(onDisk(file), file);
    expect(missing).to.deep.equal([]);
  });

  it('are valid draft-07 schemas with an $id', () => {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, strictRequired: false });
    for (const [name] of Object.entries(SCHEMA_FILES)) {
      const s = onDisk(`${name}.schema.json`);
      expect(s.$id).to.equal(schemaId(name));
      expect(s.$schema).to.equal('http://json-schema.org/draft-07/schema#');
      expect(ajv.validateSchema(s), `${name}: ${ajv.errorsText()}`).to.equal(true);
      ajv.addSchema(s);
      expect(ajv.getSchema(schemaId(name)), name).to.be.a('function');
    }
  });
});

describe('precompiled shape validators (engine/schema/validators.generated.ts)', () => {
  it('are what the schema compiles to today (regenerate with: node --import tsx engine/schema/build-validators.ts)', () => {
    expect(readFileSync(VALIDATORS_FILE, 'utf8') === renderValidators(), 'validators.generated.ts is stale').to.equal(true);
  });

  it('answer like Ajv compiling the schema at run time: the same verdicts and the same errors', () => {
    const ajv = new Ajv(SHAPE_AJV_OPTIONS);
    ajv.addSchema(validatorSchema());
    const fns = precompiled as unknown as Record<string, (d: unknown) => boolean>;
    const samples: [string, unknown][] = [
      ['play', { hosts: 'all', tasks: [] }],
      ['play', { hosts: 'all', gather_facts: 'maybe', serial: [1, '50%'], become: 'yes', tags: 3, handlers: {} }],
      ['play', { name: 1, hostz: 'all' }],
      ['play', 'not a play'],
      ['module_task', { name: 'x', when: 'a', loop: [1, 2], register: 'r', notify: ['h'] }],
      ['module_task', { name: 'x', retries: 'x', until: {}, loop_control: { label: 1, bogus: 2 } }],
      ['block', { block: [], rescue: 'x', always: [] }],
      ['include_tasks', { include_tasks: { file: 'a.yml', apply: { tags: ['t'] } } }],
      ['include_tasks', { include_tasks: { nofile: 1 } }],
      ['import_playbook', { import_playbook: 3 }],
      ['role_entry', { role: 'r', vars: { a: 1 }, when: true }],
      ['role_entry', { rolee: 'r' }],
      ['inventory', { all: { hosts: { a: {} }, children: { web: { hosts: { b: null } } } } }],
      ['inventory', { all: { hosts: ['a'] } }],
      ['role_meta', { dependencies: [{ role: 'x' }], galaxy_info: {} }],
      ['vars_file', { 'bad name': 1, good: 2 }],
    ];
    for (const [def, doc] of samples) {
      const runtime = ajv.getSchema(`${schemaId('validate')}#/definitions/${def}`)!;
      const pre = fns[def]! as ((d: unknown) => boolean) & { errors?: unknown };
      const label = `${def} ${JSON.stringify(doc)}`;
      expect(pre(doc), label).to.equal(runtime(doc));
      expect(pre.errors ?? null, label).to.deep.equal(runtime.errors ?? null);
    }
  });
});

describe('schema files: what an editor gets from them', () => {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictRequired: false });
  const playbook = ajv.compile(onDisk('playbook.schema.json'));
  const taskFile = ajv.compile(onDisk('task-file.schema.json'));
  const inventory = ajv.compile(onDisk('inventory.schema.json'));
  const yaml = (t: string): unknown => parseYamlText(t, 'editor.yaml');

  it('accepts a real playbook', () => {
    const ok = playbook(
      yaml(
        [
          '- hosts: web',
          '  become: true',
          '  roles: [common, {role: nginx, vars: {port: 80}}]',
          '  tasks:',
          '    - name: install',
          '      apt: {name: nginx}',
          '      notify: restart',
          '    - block:',
          '        - command: nginx -t',
          '      rescue:',
          '        - debug: {msg: broken}',
          '    - include_tasks: more.yaml',
          '      loop: [a, b]',
          '  handlers:',
          '    - name: restart',
          '      listen: web',
          '      systemd: {name: nginx, state: restarted}',
          '- import_playbook: db.yaml',
        ].join('\n'),
      ),
    );
    expect(ok, JSON.stringify(playbook.errors)).to.equal(true);
  });

  it('rejects keyword typos on plays and blocks, and a loop on an import', () => {
    expect(playbook(yaml('- hosts: all\n  taks: []\n'))).to.equal(false);
    expect(taskFile(yaml('- block: []\n  loop: [1]\n'))).to.equal(false);
    expect(taskFile(yaml('- import_tasks: x.yaml\n  loop: [1]\n'))).to.equal(false);
    expect(taskFile(yaml('- command: ls\n  become: maybe\n'))).to.equal(false);
    expect(taskFile(yaml('- command: ls\n  become: "{{ b }}"\n'))).to.equal(true);
  });

  it('checks inventories', () => {
    expect(inventory(yaml('all:\n  hosts:\n    web1:\n  children:\n    db:\n      hosts: {db1: {port: 5432}}\n'))).to.equal(true);
    expect(inventory(yaml('all:\n  host:\n    web1:\n'))).to.equal(false);
  });
});
