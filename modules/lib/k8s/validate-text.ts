// Validation of a whole manifest file or rendered template: every document (and every item of a
// `kind: List`) through validateManifest. For tests of templates outside the kubectl module.
import { ModuleError } from '../../../engine/errors.js';
import { flattenLists, parseManifestText } from './manifests.js';
import { validateManifest, type ManifestValidation } from './validate.js';

/** Problems of all objects in multi-document YAML text (a YAML error is one problem); empty when valid. Strict by default. */
export function validateManifestText(text: string, source: string, mode: ManifestValidation = 'strict'): string[] {
  let items;
  try {
    items = flattenLists(parseManifestText(text, source));
  } catch (err) {
    if (err instanceof ModuleError) return [err.message];
    throw err;
  }
  return items.flatMap((m) => validateManifest(m.obj, m.source, mode));
}
