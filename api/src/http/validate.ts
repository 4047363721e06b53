import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { ApiError, type ErrorDetail } from './errors.js';
import { AdminListQuerySchema, ListQuerySchema, TaskCreateSchema, TaskPatchSchema } from './schemas.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

// allErrors: the client gets every problem at once; useDefaults fills description/done/limit
const bodies = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: true }));
// query strings are all strings: coerce "20" to 20 before checking bounds
const queries = addFormats(new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true }));

export const validateTaskCreate = bodies.compile(TaskCreateSchema);
export const validateTaskPatch = bodies.compile(TaskPatchSchema);
export const validateListQuery = queries.compile(ListQuerySchema);
export const validateAdminListQuery = queries.compile(AdminListQuerySchema);

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

function detail(e: ErrorObject): ErrorDetail {
  const base = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'is not an allowed property' };
  if (e.keyword === 'required') return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
  return { path: base, message: e.message ?? 'is invalid' };
}

/**
 * Every string in the input that holds U+0000, as a JSON Pointer: PostgreSQL refuses that character
 * in text, so it is the client's error (400), found before ajv runs (a coerced query value would no
 * longer be the string the client sent).
 */
function nulPaths(value: unknown, path: string, found: ErrorDetail[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push({ path: path || '/', message: NUL_MESSAGE });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) nulPaths(value[i], `${path}/${i}`, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) found.push({ path: `${path}/${pointerToken(k)}`, message: NUL_MESSAGE });
      nulPaths(v, `${path}/${pointerToken(k)}`, found);
    }
  }
}

const pointerToken = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Returns the (defaulted) value or throws a 400 listing every problem. */
export function check<T>(validate: ValidateFunction, value: unknown, what: string): T {
  const nul: ErrorDetail[] = [];
  nulPaths(value, '', nul);
  if (validate(value) && nul.length === 0) return value as T;
  const details = nul.concat((validate.errors ?? []).map(detail));
  throw new ApiError(400, 'validation_failed', `the ${what} is invalid`, details);
}
