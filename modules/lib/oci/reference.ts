// Image references as Docker spells them: [scheme://][host[:port]/]repository[:tag][@digest].
// Without a host the reference names a repository on the registry the task pushes to.
import { ModuleError } from '../../../engine/errors.js';
import { checkDigest } from './digest.js';
import { checkRepository, checkTag } from './registry-client.js';

export interface ImageRef {
  /** the registry as given (with its scheme when one was written), or undefined: the task's registry */
  registry?: string;
  repository: string;
  /** a tag or a digest */
  ref: string;
}

export function parseReference(s: string): ImageRef {
  let rest = s.trim();
  let scheme = '';
  const m = /^([a-z]+):\/\//i.exec(rest);
  if (m) {
    scheme = m[0];
    rest = rest.slice(m[0].length);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (scheme || (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost'))) {
    if (slash < 0) throw new ModuleError(`image reference '${s}' names a registry but no repository`);
    registry = scheme + first;
    rest = rest.slice(slash + 1);
  }
  let ref = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    ref = checkDigest(rest.slice(at + 1), `image reference '${s}'`);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    const tag = checkTag(rest.slice(colon + 1));
    if (at < 0) ref = tag;
    rest = rest.slice(0, colon);
  }
  return { registry, repository: checkRepository(rest), ref };
}
