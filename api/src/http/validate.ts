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

function detail(e: ErrorObject): ErrorDetail {
  const base = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'is not an allowed property' };
  if (e.keyword === 'required') return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
  return { path: base, message: e.message ?? 'is invalid' };
}

/** Returns the (defaulted) value or throws a 400 listing every problem. */
export function check<T>(validate: ValidateFunction, value: unknown, what: string): T {
  if (validate(value)) return value as T;
  throw new ApiError(400, 'validation_failed', `the ${what} is invalid`, (validate.errors ?? []).map(detail));
}
