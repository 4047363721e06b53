// A small module registry for the loader's tests: enough shapes to exercise free-form text,
// closed argument lists, required arguments, enums, booleans and nested values.
import type { ArgsSchema } from '../../engine/module-contract.js';
import type { KnownModules } from '../../engine/load/known-modules.js';

const d = (description: string, rest: Record<string, unknown> = { type: 'string' }) => ({ description, ...rest });

const schemas: Record<string, { schema: ArgsSchema; freeForm?: string }> = {
  command: {
    freeForm: 'cmd',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { cmd: d('the command'), chdir: d('directory'), creates: d('a path') },
      required: ['cmd'],
    },
  },
  debug: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { msg: d('message', {}), var: d('variable'), verbosity: d('level', { type: 'integer' }) },
    },
  },
  copy: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dest: d('target'),
        src: d('source'),
        content: d('text'),
        mode: d('mode', { anyOf: [{ type: 'string' }, { type: 'integer' }] }),
        backup: d('keep a copy', { type: 'boolean' }),
        state: d('state', { type: 'string', enum: ['present', 'absent'] }),
        env: d('environment', { type: 'object', additionalProperties: { type: 'string' } }),
      },
      required: ['dest'],
    },
  },
  set_fact: { schema: { type: 'object', properties: {} } },
};

export function fakeModules(): KnownModules {
  const names = new Set<string>();
  for (const n of Object.keys(schemas)) {
    names.add(n);
    names.add(`ansible.builtin.${n}`);
  }
  const base = (name: string) => name.replace(/^ansible\.builtin\./, '');
  return {
    names,
    schemaOf: (name) => schemas[base(name)]?.schema,
    freeFormOf: (name) => schemas[base(name)]?.freeForm,
  };
}
