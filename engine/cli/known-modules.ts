// The module registry as the validator sees it.
import type { KnownModules } from '../load/validate.js';
import { modules } from '../../modules/index.js';

export function knownModules(): KnownModules {
  return {
    names: new Set(modules.keys()),
    schemaOf: (name) => modules.get(name)?.schema,
    freeFormOf: (name) => modules.get(name)?.freeForm,
  };
}
