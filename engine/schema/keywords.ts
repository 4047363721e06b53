// The one place that says which keywords gx understands where. The JSON Schemas (build.ts), the
// validator (load/validate.ts), the compiler and the did-you-mean logic all read these lists, so a
// keyword added here is known everywhere at once.

export type JsonSchema = Record<string, unknown>;

export interface KeywordSpec {
  /** shown by editors, and the documentation of the keyword */
  description: string;
  schema: JsonSchema;
}

/** A string containing `{{` is rendered at run time: it may stand in for any other type. */
export const TEMPLATE_PATTERN = '\\{\\{';

// Ansible users write `become: yes`: the loader reads a plain yes/no as a boolean (YAML 1.1), and a
// quoted "yes" (or -e become=yes) is accepted here too (the compiler reads it the same way), besides templates.
export const BOOL_PATTERN = `^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$|${TEMPLATE_PATTERN}`;
const bool: JsonSchema = { type: ['boolean', 'string'], pattern: BOOL_PATTERN };
const int: JsonSchema = { type: ['integer', 'string'], pattern: TEMPLATE_PATTERN };
const num: JsonSchema = { type: ['number', 'string'], pattern: TEMPLATE_PATTERN };
const str: JsonSchema = { type: 'string' };
const strOrList: JsonSchema = { type: ['string', 'array'], items: { type: 'string' } };
const condition: JsonSchema = { type: ['string', 'boolean', 'array'], items: { type: ['string', 'boolean'] } };
const mapping: JsonSchema = { type: 'object' };
const listOrTemplate: JsonSchema = { type: ['array', 'string'], pattern: TEMPLATE_PATTERN };
const environment: JsonSchema = {
  type: ['object', 'string'],
  pattern: TEMPLATE_PATTERN,
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};
export const VAR_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const varName: JsonSchema = { type: 'string', pattern: VAR_NAME_PATTERN };

function k(description: string, schema: JsonSchema): KeywordSpec {
  return { description, schema };
}

/** Keywords shared by tasks, blocks, includes, roles and plays (each picks the ones it allows). */
const common = {
  name: k('A human-readable name, shown in the output and used to notify handlers.', str),
  when: k("A condition (or a list of conditions, all of which must hold), e.g. `ansible_os_family == 'Debian'`; no `{{ }}` needed.", condition),
  tags: k('Tags that select or skip this with --tags / --skip-tags: a tag, a comma-separated string or a list of tags (numbers are read as text).', {
    type: ['string', 'number', 'array'],
    items: { type: ['string', 'number'] },
  }),
  vars: k('Variables visible only here (and in what is nested here).', mapping),
  become: k('Run as another user (root by default) through sudo.', bool),
  become_user: k('The user to become (default root).', str),
  become_method: k("How to become the user; gx supports only 'sudo'.", { type: 'string', enum: ['sudo'] }),
  environment: k('Environment variables for the commands run here: a mapping of NAME: value.', environment),
  ignore_errors: k('A failure is reported but does not stop the host.', bool),
  ignore_unreachable: k('An unreachable host is reported but does not stop the host.', bool),
  no_log: k("Hide this task's arguments and results from every output.", bool),
  check_mode: k('true: always run in check mode; false: always run for real, even with --check.', bool),
  diff: k('Show (true) or hide (false) the diff of changes, overriding --diff.', bool),
  delegate_to: k('Run on this host instead of the current one (variables stay those of the current host).', str),
  run_once: k('Run on the first host of the batch only; the result applies to all of them.', bool),
  any_errors_fatal: k('A failure on any host stops the play for every host.', bool),
  remote_user: k('The user to connect as (same as the ansible_user variable, which wins when a host sets it).', str),
  delegate_facts: k('With delegate_to: facts the task sets go to the delegated host instead of the current one.', bool),
  throttle: k('Run on at most this many hosts at a time.', int),
  debugger: k('Accepted for compatibility with Ansible and ignored: gx never stops for an interactive debugger (use -vvv).', {
    type: 'string',
    enum: ['always', 'never', 'on_failed', 'on_unreachable', 'on_skipped'],
  }),
  collections: k('Accepted for compatibility with Ansible and ignored: gx has no collections (ansible.builtin.* names work).', {
    type: 'array',
    items: { type: 'string' },
  }),
  module_defaults: k('Default arguments per module name (`copy: {owner: app}`), under the task\'s own; a list of such mappings is merged in order. Module groups (`group/…`) are not known to gx.', {
    type: ['object', 'array'],
    items: { type: 'object' },
  }),
  notify: k('Handlers to run at the end of the play when this task (or, on a block, import or include, any task inside) changes something: a name or a list.', strOrList),
  loop: k('Run once per item of this list; the item is `item` (or loop_control.loop_var).', listOrTemplate),
  with_items: k('Like loop, for old playbooks: a list (nested lists are flattened one level).', listOrTemplate),
  loop_control: k('How the loop behaves: label, loop_var, index_var, pause, extended.', {
    type: 'object',
    additionalProperties: false,
    properties: {
      label: { description: 'What the output shows for each item instead of the whole item (any value, usually a template).' },
      loop_var: { description: "The item's variable name (default `item`); set it for nested loops. May be a template.", type: 'string', pattern: `${VAR_NAME_PATTERN}|${TEMPLATE_PATTERN}` },
      index_var: { description: "A variable holding the item's 0-based index. May be a template.", type: 'string', pattern: `${VAR_NAME_PATTERN}|${TEMPLATE_PATTERN}` },
      pause: { description: 'Seconds to wait between items.', ...num },
      extended: { description: 'Ansible asks for this to get `ansible_loop` (index, index0, first, last, length, revindex, revindex0, allitems, previtem, nextitem); gx always sets it.', ...bool },
      extended_allitems: { description: 'false: leave ansible_loop.allitems out (saves memory on long loops).', ...bool },
    },
  }),
} satisfies Record<string, KeywordSpec>;

const anyValue: JsonSchema = {};

/** `with_<lookup>:` loops (Ansible's older loop syntax), each run by its lookup (engine/vars/lookups, the ones lookup() and query() use). */
export const WITH_LOOPS: Record<string, KeywordSpec> = {
  with_items: common.with_items,
  with_list: k('Like loop: the list as given (nested lists are not flattened).', anyValue),
  with_dict: k('Loop over a mapping: each item is {key, value}.', anyValue),
  with_together: k('Loop over lists side by side: item.0, item.1, … (null where a list is shorter).', anyValue),
  with_nested: k('Loop over every combination of the lists: item.0, item.1, …', anyValue),
  with_cartesian: k('Same as with_nested: every combination of the lists.', anyValue),
  with_sequence: k('Loop over numbers (as strings): "start=1 end=10 stride=2 format=web%02d", "count=3", or the short form "1-10/2:web%02d".', anyValue),
  with_subelements: k('[list, "key"] or [list, "key", {skip_missing: true}]: each item is [element, one entry of element.key].', anyValue),
  with_indexed_items: k('Loop over a list with indexes: item.0 is the index, item.1 the item.', anyValue),
  with_flattened: k('Loop over a list flattened at every level.', anyValue),
  with_fileglob: k("Loop over the files matching a pattern, looked up like copy's src (the role's files/, beside the task file, the play's files/).", anyValue),
  with_first_found: k('The first file of a list that exists (or {files: [...], paths: [...], skip: true}), looked up like copy\'s src.', anyValue),
  with_file: k('Loop over the contents of files (trailing whitespace removed), looked up like copy\'s src.', anyValue),
  with_lines: k('Loop over the output lines of a command run on the controller.', anyValue),
  with_env: k('Loop over the values of environment variables of the controller.', anyValue),
  with_random_choice: k('One item picked at random from the list.', anyValue),
  with_pipe: k('Loop over the outputs of commands run on the controller (one item per command).', anyValue),
  with_template: k('Loop over templates rendered on the controller (looked up in templates/).', anyValue),
  with_vars: k('Loop over the values of the named variables.', anyValue),
  with_varnames: k('Loop over the names of the variables matching regular expressions.', anyValue),
  with_inventory_hostnames: k('Loop over the hosts matching inventory patterns.', anyValue),
  with_csvfile: k('Loop over values looked up in CSV files ("key file=x.csv col=1 delimiter=,").', anyValue),
  with_ini: k('Loop over values looked up in INI files ("key section=s file=x.ini").', anyValue),
};

/** Keywords of a task that runs a module. */
export const TASK_KEYWORDS: Record<string, KeywordSpec> = {
  name: common.name,
  args: k("The module's arguments as a mapping (merged with those given under the module's name).", {
    type: ['object', 'string'],
    pattern: TEMPLATE_PATTERN,
  }),
  when: common.when,
  loop: common.loop,
  ...WITH_LOOPS,
  loop_control: common.loop_control,
  register: k("Store the task's result in this variable, e.g. `register: out` then `out.stdout`.", varName),
  notify: common.notify,
  tags: common.tags,
  become: common.become,
  become_user: common.become_user,
  become_method: common.become_method,
  check_mode: common.check_mode,
  diff: common.diff,
  ignore_errors: common.ignore_errors,
  ignore_unreachable: common.ignore_unreachable,
  changed_when: k('A condition that decides whether the task counts as changed (overrides the module).', condition),
  failed_when: k('A condition that decides whether the task failed (overrides the module).', condition),
  until: k('Retry the task until this condition holds (see retries and delay).', condition),
  retries: k('How many times to retry with until (default 3).', int),
  delay: k('Seconds between retries (default 5).', num),
  run_once: common.run_once,
  delegate_to: common.delegate_to,
  environment: common.environment,
  no_log: common.no_log,
  vars: common.vars,
  timeout: k('Fail the task when it takes longer than this many seconds.', int),
  any_errors_fatal: common.any_errors_fatal,
  throttle: common.throttle,
  remote_user: common.remote_user,
  delegate_facts: common.delegate_facts,
  async: k('Run the command in the background on the host for at most this many seconds (command and shell); see poll.', int),
  poll: k('With async: check every this many seconds until the job ends (default 15, as in Ansible); 0 starts it and goes on (read it later with async_status).', int),
  module_defaults: common.module_defaults,
  collections: common.collections,
  debugger: common.debugger,
};

/** Only in a play's handlers. */
export const HANDLER_KEYWORDS: Record<string, KeywordSpec> = {
  listen: k('Topics this handler also answers to: `notify: <topic>` runs every handler listening to it.', strOrList),
};

const taskList = (what: string): KeywordSpec => k(what, { type: ['array', 'null'] });

/** Keywords of a block (besides its sections). */
export const BLOCK_KEYWORDS: Record<string, KeywordSpec> = {
  name: common.name,
  when: common.when,
  tags: common.tags,
  become: common.become,
  become_user: common.become_user,
  become_method: common.become_method,
  vars: common.vars,
  environment: common.environment,
  ignore_errors: common.ignore_errors,
  no_log: common.no_log,
  check_mode: common.check_mode,
  diff: common.diff,
  delegate_to: common.delegate_to,
  run_once: common.run_once,
  any_errors_fatal: common.any_errors_fatal,
  remote_user: common.remote_user,
  delegate_facts: common.delegate_facts,
  throttle: common.throttle,
  notify: common.notify,
  ignore_unreachable: common.ignore_unreachable,
  module_defaults: common.module_defaults,
  collections: common.collections,
  debugger: common.debugger,
};

export const BLOCK_SECTIONS: Record<string, KeywordSpec> = {
  block: taskList('The tasks of the block, run in order.'),
  rescue: taskList('Tasks run when a task of the block fails; a successful rescue clears the failure.'),
  always: taskList('Tasks run after the block (and rescue), whether they failed or not.'),
};

/** Keywords allowed beside include_tasks / include_role (dynamic: evaluated per host, may loop). */
export const INCLUDE_KEYWORDS: Record<string, KeywordSpec> = {
  name: common.name,
  when: common.when,
  tags: common.tags,
  vars: common.vars,
  loop: common.loop,
  ...WITH_LOOPS,
  loop_control: common.loop_control,
  become: common.become,
  become_user: common.become_user,
  become_method: common.become_method,
  environment: common.environment,
  ignore_errors: common.ignore_errors,
  no_log: common.no_log,
  delegate_to: common.delegate_to,
  run_once: common.run_once,
  any_errors_fatal: common.any_errors_fatal,
  remote_user: common.remote_user,
  check_mode: common.check_mode,
  diff: common.diff,
  notify: common.notify,
  ignore_unreachable: common.ignore_unreachable,
  module_defaults: common.module_defaults,
  collections: common.collections,
  debugger: common.debugger,
  register: k("Store the include's result in this variable (`changed: false` and the file or role it included).", varName),
};

/** Keywords allowed beside import_tasks / import_role (static: inlined at load time, so no loop). */
export const IMPORT_KEYWORDS: Record<string, KeywordSpec> = Object.fromEntries(
  Object.entries(INCLUDE_KEYWORDS).filter(([name]) => !['loop', 'loop_control', 'register'].includes(name) && !name.startsWith('with_')),
);

const applySpec: JsonSchema = {
  description: 'Keywords applied to every task of the included file (e.g. tags, become, when).',
  type: 'object',
};

export const INCLUDE_TASKS_ARGS: Record<string, JsonSchema> = {
  file: { description: 'The task file to include, relative to the including file (or the role\'s tasks/).', type: 'string' },
  apply: applySpec,
};

export const INCLUDE_ROLE_ARGS: Record<string, JsonSchema> = {
  name: { description: 'The role to run.', type: 'string' },
  tasks_from: { description: "The file under the role's tasks/ to run instead of main.yml.", type: 'string' },
  vars_from: { description: "The file under the role's vars/ to load instead of main.yml.", type: 'string' },
  defaults_from: { description: "The file under the role's defaults/ to load instead of main.yml.", type: 'string' },
  handlers_from: { description: "The file under the role's handlers/ to load instead of main.yml.", type: 'string' },
  apply: applySpec,
  allow_duplicates: { description: 'Run the role again even when it already ran in the play with the same parameters (default true for include_role).', ...bool },
  public: { description: "Accepted for compatibility with Ansible: gx keeps a role's vars and defaults for the role's own tasks either way (Ansible's `public: true` would also show them to later tasks).", ...bool },
  rolespec_validate: { description: "Accepted for compatibility with Ansible: gx does not check a role's meta/argument_specs.yml.", ...bool },
};

/** The keys that make a task something other than a module call. */
export const TASK_ACTIONS: Record<string, KeywordSpec> = {
  block: BLOCK_SECTIONS.block!,
  include_tasks: k('Include a task file when this task runs (per host; may loop): a path or {file, apply}.', {
    type: ['string', 'object'],
  }),
  import_tasks: k('Insert the tasks of a file here, at load time: a path or {file, apply}.', { type: ['string', 'object'] }),
  include_role: k("Run a role's tasks when this task runs (per host; may loop).", { type: 'object' }),
  import_role: k("Insert a role's tasks here, at load time.", { type: 'object' }),
};

/** Keywords of a play. */
export const PLAY_KEYWORDS: Record<string, KeywordSpec> = {
  name: k('The play\'s name, shown as PLAY [name].', str),
  hosts: k('Which hosts the play runs on: a pattern (`web:&prod`, `all`, `db*`) or a list of patterns.', strOrList),
  gather_facts: k(
    'Collect facts (ansible_* variables) from each host before the tasks; when not given, gx gathers on a host when a task first reads a fact; false: never.',
    bool,
  ),
  gather_subset: k('Which facts gather_facts collects (the setup module\'s gather_subset: all, min, hardware, network, virtual, !name).', strOrList),
  gather_timeout: k('Seconds gathering facts may take on a host.', int),
  vars: k('Variables for the whole play.', mapping),
  vars_files: k('Files of variables to load, relative to the playbook; an entry that is a list loads the first of its files that exists.', {
    type: 'array',
    items: { type: ['string', 'array'], items: { type: 'string' } },
  }),
  pre_tasks: taskList('Tasks run before the roles.'),
  roles: k('Roles to run, in order, before tasks: a name or {role, vars, tags, when, ...}.', { type: ['array', 'null'] }),
  tasks: taskList('The tasks of the play, run after the roles.'),
  post_tasks: taskList('Tasks run after the tasks (and after handlers notified so far).'),
  handlers: taskList('Tasks that run at the end of the play (or at meta: flush_handlers) when notified.'),
  strategy: k("'linear': every host finishes a task before the next; 'free': each host goes at its own pace; 'host_pinned' runs as 'free' (a template may choose at run time).", {
    type: 'string',
    pattern: `^(linear|free|host_pinned)$|${TEMPLATE_PATTERN}`,
  }),
  order: k("The order hosts run in: inventory (default), reverse_inventory, sorted, reverse_sorted or shuffle.", {
    type: 'string',
    enum: ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'],
  }),
  run_once: common.run_once,
  remote_user: common.remote_user,
  throttle: common.throttle,
  serial: k('Run the play on batches of hosts: a number, a percentage ("30%") or a list of them for growing batches.', {
    type: ['integer', 'string', 'array'],
    pattern: '^(\\d+(\\.\\d+)?%|.*\\{\\{.*)$',
    items: { type: ['integer', 'string'], pattern: '^\\d+(\\.\\d+)?%$' },
  }),
  any_errors_fatal: common.any_errors_fatal,
  max_fail_percentage: k('Stop the play when more than this percentage of the hosts of a batch failed.', {
    type: ['number', 'string'],
    pattern: TEMPLATE_PATTERN,
    minimum: 0,
    maximum: 100,
  }),
  become: common.become,
  become_user: common.become_user,
  become_method: common.become_method,
  check_mode: common.check_mode,
  diff: common.diff,
  environment: common.environment,
  tags: common.tags,
  no_log: common.no_log,
  connection: k("How to reach the hosts: 'ssh' (default) or 'local' (run on this machine).", {
    type: 'string',
    enum: ['ssh', 'local'],
  }),
  force_handlers: k('Run notified handlers even when a host failed.', bool),
  ignore_unreachable: common.ignore_unreachable,
  ignore_errors: common.ignore_errors,
  secrets: k('Names of variables whose values are masked (********) in every output.', { type: 'array', items: varName }),
  collections: common.collections,
  module_defaults: common.module_defaults,
  debugger: common.debugger,
  vars_prompt: k('Variables Ansible would ask for. gx never prompts: each takes its value from -e, else its `default`; one with neither stops the run before it starts.', {
    type: 'array',
    items: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { description: 'The variable to set.', ...varName },
        prompt: { description: 'The question Ansible would ask (gx shows it in the error when the value is missing).', type: 'string' },
        default: { description: 'The value when -e does not give one.' },
        private: { description: 'Ansible hides what is typed; gx masks the value in its output.', ...bool },
        confirm: { description: 'Accepted: gx never asks twice.', ...bool },
        encrypt: { description: "Not supported: gx does not hash prompted values (pass the hash with -e).", type: 'string' },
        salt_size: { description: 'Goes with encrypt (not supported).', ...int },
        salt: { description: 'Goes with encrypt (not supported).', type: 'string' },
        unsafe: { description: 'Accepted: a value given with -e is not templated either way.', ...bool },
      },
    },
  }),
  fact_path: k("Where gather_facts reads local facts (*.fact files), as the setup module's fact_path.", str),
};

/** An `- import_playbook: other.yaml` item of a playbook. */
export const IMPORT_PLAYBOOK_KEYWORDS: Record<string, KeywordSpec> = {
  import_playbook: k('Another playbook to run here, relative to this one.', str),
  name: common.name,
  vars: common.vars,
  when: common.when,
  tags: common.tags,
};

/** Keywords of a role entry in a play's roles list; any other key is a role parameter (as in Ansible). */
export const ROLE_KEYWORDS: Record<string, KeywordSpec> = {
  role: k('The role to run (a directory under roles/).', str),
  name: k('Same as role.', str),
  vars: k("Variables for the role (they beat the role's defaults and vars).", mapping),
  tags: common.tags,
  when: common.when,
  become: common.become,
  become_user: common.become_user,
  become_method: common.become_method,
  environment: common.environment,
  no_log: common.no_log,
  ignore_errors: common.ignore_errors,
  delegate_to: common.delegate_to,
  any_errors_fatal: common.any_errors_fatal,
  remote_user: common.remote_user,
  check_mode: common.check_mode,
  diff: common.diff,
  run_once: common.run_once,
  throttle: common.throttle,
  ignore_unreachable: common.ignore_unreachable,
  module_defaults: common.module_defaults,
  collections: common.collections,
  debugger: common.debugger,
};

/** roles/X/meta/main.yml */
export const ROLE_META_KEYWORDS: Record<string, KeywordSpec> = {
  dependencies: k('Roles that run before this one: names or {role, vars, ...} like a play\'s roles list.', {
    type: ['array', 'null'],
  }),
  galaxy_info: k('Ansible Galaxy metadata: accepted and ignored.', mapping),
  allow_duplicates: k('Let the role run more than once in a play with the same parameters.', bool),
  argument_specs: k("The role's argument specification: accepted, not checked by gx.", mapping),
  collections: k('Accepted for compatibility with Ansible and ignored: gx has no collections.', { type: 'array', items: { type: 'string' } }),
};

/** An inventory group (`all`, or any group under children / at the top level). */
export const INVENTORY_GROUP_KEYWORDS: Record<string, KeywordSpec> = {
  hosts: k('The hosts of the group, each with its variables (or nothing). Ranges like web[01:03] expand.', {
    type: ['object', 'null'],
  }),
  vars: k('Variables of every host of the group.', { type: ['object', 'null'] }),
  children: k('Groups nested in this one: their hosts are members of this group too.', { type: ['object', 'null'] }),
};

/** How to word a type mismatch, where the schema alone would read badly ("must match ^(\d+...)"). */
export const EXPECT: Record<string, string> = {
  serial: "must be a whole number, a percentage like '30%', or a list of them",
  register: 'must be a variable name (letters, digits and _, not starting with a digit)',
  strategy: "must be 'linear', 'free' or 'host_pinned' (run as free), or a template giving one of them: gx has no other strategies",
};

export const keywordNames = (...lists: Record<string, unknown>[]): string[] => [...new Set(lists.flatMap((l) => Object.keys(l)))];

/** Every key a task may carry besides its module: for did-you-mean over tasks. */
export const ALL_TASK_KEYS: readonly string[] = keywordNames(TASK_KEYWORDS, HANDLER_KEYWORDS, BLOCK_SECTIONS, TASK_ACTIONS);
