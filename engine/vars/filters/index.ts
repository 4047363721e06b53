// Every filter the expression language knows, by its Ansible/Jinja name. `default`/`d` and
// `mandatory` are in the evaluator (they see undefined values); the rest receive defined values.
import { COLLECTION_FILTERS } from './collections.js';
import { ENCODING_FILTERS } from './encoding.js';
import { COMMUNITY_FILTERS } from './community.js';
import { JINJA_EXTRA_FILTERS } from './jinja-extra.js';
import { jsonQuery } from './jmespath.js';
import { NETWORK_FILTERS } from './network.js';
import { NUMBER_FILTERS } from './numbers.js';
import { PATH_FILTERS } from './paths.js';
import { REGEX_FILTERS } from './regex.js';
import { FILTERS } from './registry.js';
import { TEXT_FILTERS } from './text.js';
import '../tests.js';

Object.assign(FILTERS, TEXT_FILTERS, COLLECTION_FILTERS, ENCODING_FILTERS, REGEX_FILTERS, PATH_FILTERS, NUMBER_FILTERS, JINJA_EXTRA_FILTERS);

// Ansible's fully qualified names (ansible.builtin.to_json) reach the same filters
for (const name of Object.keys(FILTERS)) FILTERS[`ansible.builtin.${name}`] = FILTERS[name]!;

// ansible.utils' IP filters: by their collection names, and by the short names Ansible still routes
for (const [name, fn] of Object.entries(NETWORK_FILTERS)) {
  FILTERS[name] = fn;
  FILTERS[`ansible.utils.${name}`] = fn;
  FILTERS[`ansible.netcommon.${name}`] = fn;
}

// community.general.json_query (JMESPath): in countless public roles
FILTERS['json_query'] = FILTERS['community.general.json_query'] = (v, [q]) => jsonQuery(v, String(q ?? ''));
// and a few more of community.general's, by their full names (plus the short ones that do not
// shadow a Jinja name: `dict` alone is the global function)
for (const [name, fn] of Object.entries(COMMUNITY_FILTERS)) {
  FILTERS[`community.general.${name}`] = fn;
  if (name !== 'dict') FILTERS[name] = fn;
}

/** Filters handled by the evaluator itself. */
export const EVALUATOR_FILTERS = ['default', 'd', 'mandatory'];

export { FILTERS, TESTS } from './registry.js';
