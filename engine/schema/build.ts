// Builds the JSON Schemas from the keyword lists (keywords.ts). Two variants come out of the same
// code: the editor files (engine/schema/*.schema.json, deep: task lists are checked item by item)
// and the validator's shallow one, where task lists are only "a list" because validate.ts walks
// into every task itself (to tell a module from a typo, which a schema alone cannot).
//
// Regenerate the files with: node --import tsx engine/schema/build.ts
// (test/load/schema-files.test.ts fails when they drift from the keyword lists).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  TASK_ACTIONS,
  TASK_KEYWORDS,
  VAR_NAME_PATTERN,
  type JsonSchema,
  type KeywordSpec,
} from './keywords.js';

export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));
const DRAFT = 'http://json-schema.org/draft-07/schema#';
export const schemaId = (name: string): string => `urn:gx:schema:${name}`;

const ref = (def: string): JsonSchema => ({ $ref: `#/definitions/${def}` });

function props(...lists: Record<string, KeywordSpec>[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const list of lists) for (const [name, spec] of Object.entries(list)) out[name] = { description: spec.description, ...spec.schema };
  return out;
}

/** Replaces the schema of some properties, keeping their description. */
function withRefs(p: Record<string, JsonSchema>, refs: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out = { ...p };
  for (const [name, schema] of Object.entries(refs)) out[name] = { description: p[name]!.description, ...schema };
  return out;
}

const includeTasksArg: JsonSchema = {
  type: ['string', 'object'],
  properties: INCLUDE_TASKS_ARGS,
  required: ['file'],
  additionalProperties: false,
};
const includeRoleArg: JsonSchema = {
  type: 'object',
  properties: INCLUDE_ROLE_ARGS,
  required: ['name'],
  additionalProperties: false,
};

/**
 * Every definition, by name. `deep`: nested task lists and role entries reference their item
 * definitions (for editors); otherwise they are plain lists, validated by validate.ts one by one.
 */
export function definitions(deep: boolean): Record<string, JsonSchema> {
  const list = (item: string): JsonSchema => (deep ? { type: ['array', 'null'], items: ref(item) } : { type: ['array', 'null'] });
  const sections = (p: Record<string, JsonSchema>): Record<string, JsonSchema> =>
    withRefs(p, { block: list('task'), rescue: list('task'), always: list('task') });
  const task = (extra: Record<string, KeywordSpec>): JsonSchema => ({
    description:
      'A task: one module (its name as the key, its arguments as the value) plus keywords. gx checks module names and arguments against its module registry.',
    type: 'object',
    properties: props(TASK_KEYWORDS, extra),
    additionalProperties: true,
    minProperties: 1,
    // so an editor does not accept a misspelt block as a "module task"
    not: { anyOf: Object.keys(TASK_ACTIONS).map((action) => ({ required: [action] })) },
  });
  const withAction = (action: string, keywords: Record<string, KeywordSpec>, arg: JsonSchema, description: string): JsonSchema => ({
    description,
    type: 'object',
    properties: { ...props(keywords), [action]: { description: TASK_ACTIONS[action]!.description, ...arg } },
    required: [action],
    additionalProperties: false,
  });
  const anyTask = (moduleTask: string): JsonSchema => ({
    description: 'A task, a block, or an include/import of tasks or a role.',
    anyOf: [ref('block'), ref('include_tasks'), ref('import_tasks'), ref('include_role'), ref('import_role'), ref(moduleTask)],
  });
  const roleEntry: JsonSchema = {
    description: "A role: its name, or {role: name, vars, tags, when, ...}; other keys are the role's parameters.",
    type: ['string', 'object'],
    properties: props(ROLE_KEYWORDS),
    additionalProperties: true,
  };
  return {
    playbook: {
      description: 'A playbook: a list of plays, or of `import_playbook` items.',
      type: 'array',
      minItems: 1,
      items: deep ? { anyOf: [ref('play'), ref('import_playbook')] } : { type: 'object' },
    },
    play: {
      description: 'A play: which hosts, and what to do on them.',
      type: 'object',
      properties: withRefs(props(PLAY_KEYWORDS), {
        pre_tasks: list('task'),
        tasks: list('task'),
        post_tasks: list('task'),
        handlers: list('handler'),
        roles: list('role_entry'),
      }),
      required: ['hosts'],
      additionalProperties: false,
    },
    import_playbook: {
      description: 'Runs another playbook at this point.',
      type: 'object',
      properties: props(IMPORT_PLAYBOOK_KEYWORDS),
      required: ['import_playbook'],
      additionalProperties: false,
    },
    task: anyTask('module_task'),
    handler: anyTask('module_handler'),
    task_file: { description: 'A task file: a list of tasks.', ...list('task') },
    handler_file: { description: 'A handler file: a list of handlers.', ...list('handler') },
    module_task: task({}),
    module_handler: task(HANDLER_KEYWORDS),
    block: {
      description: 'A block: tasks that share keywords, with rescue and always sections.',
      type: 'object',
      properties: sections(props(BLOCK_KEYWORDS, BLOCK_SECTIONS)),
      required: ['block'],
      additionalProperties: false,
    },
    include_tasks: withAction('include_tasks', INCLUDE_KEYWORDS, includeTasksArg, 'Includes a task file at run time.'),
    import_tasks: withAction('import_tasks', IMPORT_KEYWORDS, includeTasksArg, 'Imports a task file at load time.'),
    include_role: withAction('include_role', INCLUDE_KEYWORDS, includeRoleArg, "Runs a role's tasks at run time."),
    import_role: withAction('import_role', IMPORT_KEYWORDS, includeRoleArg, "Imports a role's tasks at load time."),
    role_entry: roleEntry,
    role_meta: {
      description: "A role's meta/main.yml.",
      type: ['object', 'null'],
      properties: withRefs(props(ROLE_META_KEYWORDS), { dependencies: list('role_entry') }),
      additionalProperties: false,
    },
    inventory: {
      description: "An inventory: groups by name (usually just `all`), Ansible's YAML inventory shape.",
      type: 'object',
      additionalProperties: ref('inventory_group'),
    },
    inventory_group: {
      description: 'An inventory group: its hosts, its variables, its child groups.',
      type: ['object', 'null'],
      properties: withRefs(props(INVENTORY_GROUP_KEYWORDS), {
        hosts: { type: ['object', 'null'], additionalProperties: ref('host_vars') },
        vars: { type: ['object', 'null'] },
        children: { type: ['object', 'null'], additionalProperties: ref('inventory_group') },
      }),
      additionalProperties: false,
    },
    host_vars: { description: "A host's variables (or nothing).", type: ['object', 'null'] },
    vars_file: {
      description: 'A vars file: a mapping of variable names to values.',
      type: ['object', 'null'],
      propertyNames: { pattern: VAR_NAME_PATTERN },
    },
  };
}

/** The editor files: name → root definition. Each file carries every definition it needs. */
export const SCHEMA_FILES: Record<string, { root: string; title: string }> = {
  playbook: { root: 'playbook', title: 'gx playbook' },
  play: { root: 'play', title: 'gx play' },
  task: { root: 'task', title: 'gx task' },
  'task-file': { root: 'task_file', title: 'gx task file (tasks/*.yml)' },
  'handler-file': { root: 'handler_file', title: 'gx handler file (handlers/*.yml)' },
  'role-meta': { root: 'role_meta', title: "gx role meta (roles/NAME/meta/main.yml)" },
  inventory: { root: 'inventory', title: 'gx inventory' },
  'vars-file': { root: 'vars_file', title: 'gx vars file (vars/, defaults/, vars_files, group_vars/, host_vars/)' },
};

/** Only the definitions reachable from `root`: each file is self-contained (editors work offline). */
function reachable(defs: Record<string, JsonSchema>, root: string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const visit = (name: string): void => {
    if (out[name]) return;
    out[name] = defs[name]!;
    JSON.stringify(defs[name], (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') visit(value.replace('#/definitions/', ''));
      return value;
    });
  };
  visit(root);
  return out;
}

export function buildSchemaFiles(): Record<string, JsonSchema> {
  const defs = definitions(true);
  const files: Record<string, JsonSchema> = {};
  for (const [name, { root, title }] of Object.entries(SCHEMA_FILES)) {
    // allOf rather than a bare $ref: in draft-07 a $ref's siblings ($id, title) would be ignored
    files[`${name}.schema.json`] = {
      $schema: DRAFT,
      $id: schemaId(name),
      title,
      description: defs[root]!.description,
      allOf: [ref(root)],
      definitions: reachable(defs, root),
    };
  }
  return files;
}

/** The shallow variant validate.ts compiles (one schema, every definition). */
export function validatorSchema(): JsonSchema {
  return { $schema: DRAFT, $id: schemaId('validate'), definitions: definitions(false) };
}

export function renderSchemaFile(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

// run as a script (not when bundled into the gx command, where import.meta.url is the bundle's)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && /[\\/]build\.[jt]s$/.test(process.argv[1])) {
  for (const [file, schema] of Object.entries(buildSchemaFiles())) {
    writeFileSync(join(SCHEMA_DIR, file), renderSchemaFile(schema));
    console.log(`wrote ${join('engine/schema', file)}`);
  }
}
