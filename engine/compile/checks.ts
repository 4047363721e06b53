// The static checks the compiler runs on what it reads, each returning the problems it finds:
// condition syntax, Jinja syntax in values and in a template task's file, and notify names
// that no handler of the play answers to.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { GxError, PlaybookError, TemplateError } from '../errors.js';
import { searchCandidates, type SearchPath } from '../load/find-file.js';
import { locate } from '../load/source.js';
import { didYouMean } from '../load/suggest.js';
import { compileExpr } from '../vars/expr.js';
import { hasTemplate, templateErrorsIn, templateFileSyntaxErrors } from '../vars/template.js';
import { isObj, type Raw } from './context.js';
import { conditions } from './inherit.js';
import type { CompiledPlay, TaskNode } from './types.js';

/** Syntax errors in when, changed_when, failed_when and until. */
export function conditionErrors(raw: Raw): GxError[] {
  const out: GxError[] = [];
  for (const key of ['when', 'changed_when', 'failed_when', 'until']) {
    for (const c of conditions(raw, key)) {
      if (typeof c.expr !== 'string') continue;
      try {
        compileExpr(c.expr);
      } catch (err) {
        if (!(err instanceof GxError)) throw err;
        err.loc ??= c.loc;
        out.push(err);
      }
    }
  }
  return out;
}

/** Jinja syntax errors (and Handlebars forms) in `parent[key]` and everything under it, found now, not on the first host that renders the string. */
export function templateErrors(value: unknown, parent: Raw, key: string): GxError[] {
  return templateErrorsIn(value, parent, key);
}

/** A `template:` task with a static src: the file's syntax (Handlebars for .hbs, else Jinja), looked for where the module will look. */
export function templateFileError(action: string, args: unknown, raw: Raw, search: SearchPath): GxError | undefined {
  if (action !== 'template' && action !== 'ansible.builtin.template') return undefined;
  const src = isObj(args) ? args.src : undefined;
  if (typeof src !== 'string' || hasTemplate(src)) return undefined;
  // other Jinja delimiters (variable_start_string…): the module reads the file with them when it runs
  if (isObj(args) && Object.keys(args).some((k) => /^(block|variable|comment)_(start|end)_string$/.test(k))) return undefined;
  const file = searchCandidates(src, 'templates', search).find((p) => existsSync(p) && statSync(p).isFile());
  if (!file) return undefined; // the module reports a missing file with every place it looked
  const problem = templateFileSyntaxErrors(readFileSync(file, 'utf8'), file);
  if (!problem) return undefined;
  const m = /line (\d+), col (\d+)/.exec(problem);
  const loc = m ? { file, line: Number(m[1]), col: Number(m[2]) } : locate(args, 'src', 'value') ?? locate(raw);
  return new TemplateError(`template syntax error in ${src}: ${problem}`, { loc });
}

/** Static notify names no handler of the play answers to (by name, role-qualified name or listen). */
export function notifyErrors(play: CompiledPlay): GxError[] {
  const out: GxError[] = [];
  const names = new Set<string>();
  for (const n of play.sections.handlers) {
    if (n.kind !== 'task') continue;
    names.add(n.name);
    if (n.eff.role) names.add(`${n.eff.role.name} : ${n.name}`);
    for (const l of n.listen ?? []) names.add(l);
  }
  const visit = (nodes: TaskNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'block') visit([...n.block, ...n.rescue, ...n.always]);
      else if (n.kind === 'include') visit(n.precompiled?.nodes ?? []);
      else
        for (const h of n.kw.notify ?? []) {
          if (hasTemplate(h) || names.has(h)) continue;
          const hint = didYouMean(h, names);
          out.push(new PlaybookError(`notify: no handler named '${h}' in this play`, { loc: n.kw.notifyLoc ?? n.loc, hint }));
        }
    }
  };
  const s = play.sections;
  visit([...s.pre_tasks, ...s.tasks, ...s.post_tasks, ...s.handlers]);
  return out;
}
