// Names an import needs when the playbook loads — import_playbook's path, import_tasks' file,
// import_role's and roles:' role names — may be templates, as in Ansible, but only over what is
// known then: the play's vars (with import_playbook's), its static vars_files, and -e. Anything
// else (facts, inventory, registered results) is a clear error naming where to put the value.
import { GxError, PlaybookError } from '../errors.js';
import type { SourceLocation } from '../load/source.js';
import { hasTemplate, renderValue } from '../vars/template.js';
import type { CompileSession, Where } from './context.js';
import type { Vars } from './types.js';

/** `text` rendered with the load-time variables; undefined (and a problem recorded) when it cannot be. */
export function loadTimeValue(c: CompileSession, text: string, vars: Vars | undefined, what: string, loc: SourceLocation | undefined, hint?: string): string | undefined {
  if (!hasTemplate(text)) return text;
  try {
    const v = renderValue(text, { ...(vars ?? {}), ...(c.opts.extraVars ?? {}) }, { what, loc });
    return String(v);
  } catch (err) {
    if (!(err instanceof GxError)) throw err;
    c.errors.push(
      new PlaybookError(`${what} '${text}' must be known when the playbook loads (play vars, vars_files, -e): ${err.message}`, {
        loc,
        hint,
      }),
    );
    return undefined;
  }
}

/** The play-level variables known at load time for a task list being compiled. */
export const loadTimeVars = (w: Pick<Where, 'play'>): Vars | undefined => w.play.vars;
