// A play's vars_files as Ansible reads them (vars/manager.py, v2.17.5): each name is looked for with
// path_dwim_relative_stack(play search path, 'vars', name) — so `vars/<name>` beside the playbook
// first, then `<name>` — and a file may hold one mapping or a list of mappings (preprocess_vars),
// merged in order. Where an entry is looked for: find-file.ts searchCandidates(name, 'vars', { playbookDir }).
const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A vars file's content as one mapping: a list of mappings is merged (later wins); anything else is left as is. */
export function varsFileData(doc: unknown): unknown {
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isMapping)) return Object.assign({}, ...doc);
  return doc;
}
