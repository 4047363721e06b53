// Which keys of a task are keywords (everything else is the action). Taken from the schema's
// keyword lists so the validator, the compiler and did-you-mean agree.
export const TASK_ACTION_KEYS = new Set(['block', 'rescue', 'always', 'include_tasks', 'import_tasks', 'include_role', 'import_role']);

export const TASK_KEYWORDS = new Set([
  'name', 'args', 'when', 'loop', 'with_items', 'loop_control', 'register', 'notify', 'listen', 'tags',
  'become', 'become_user', 'become_method', 'check_mode', 'diff', 'ignore_errors', 'ignore_unreachable',
  'changed_when', 'failed_when', 'until', 'retries', 'delay', 'run_once', 'delegate_to', 'environment',
  'no_log', 'vars', 'timeout', 'any_errors_fatal', 'throttle',
  ...TASK_ACTION_KEYS,
]);
