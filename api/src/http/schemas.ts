// The JSON Schemas are written once: ajv validates requests with them and the OpenAPI document
// publishes the very same objects, so the docs cannot drift from what the API enforces.

export const TaskSchema = {
  type: 'object',
  description: 'A task, owned by the subject of the token that created it.',
  required: ['id', 'owner', 'title', 'description', 'done', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'Server-assigned identifier.' },
    owner: { type: 'string', description: 'The `sub` claim of the owner.' },
    title: { type: 'string', description: 'Short title.' },
    description: { type: 'string', description: 'Free text.' },
    done: { type: 'boolean', description: 'Whether the task is finished.' },
    createdAt: { type: 'string', format: 'date-time', description: 'Creation time (UTC).' },
    updatedAt: { type: 'string', format: 'date-time', description: 'Last change (UTC).' },
  },
} as const;

export const TaskCreateSchema = {
  type: 'object',
  description: 'Body of POST /api/tasks.',
  additionalProperties: false,
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', description: 'Short title, 1 to 200 characters, not blank.' },
    description: { type: 'string', maxLength: 10000, default: '', description: 'Free text, up to 10000 characters.' },
    done: { type: 'boolean', default: false, description: 'Whether the task is finished.' },
  },
} as const;

export const TaskPatchSchema = {
  type: 'object',
  description: 'Body of PATCH /api/tasks/{id}: any non-empty subset of the writable fields.',
  additionalProperties: false,
  minProperties: 1,
  // the same fields without defaults: a default here would silently overwrite stored values
  properties: {
    title: TaskCreateSchema.properties.title,
    description: { type: 'string', maxLength: 10000, description: 'Free text, up to 10000 characters.' },
    done: { type: 'boolean', description: 'Whether the task is finished.' },
  },
} as const;

export const ListQuerySchema = {
  type: 'object',
  description: 'Query string of the list endpoints.',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' },
    cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'The `nextCursor` of the previous page.' },
  },
} as const;

export const AdminListQuerySchema = {
  ...ListQuerySchema,
  properties: {
    ...ListQuerySchema.properties,
    owner: { type: 'string', minLength: 1, maxLength: 255, description: 'Only tasks of this subject.' },
  },
} as const;

export const TaskPageSchema = {
  type: 'object',
  description: 'One page of tasks, newest first.',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` to get the next page; null on the last page.' },
  },
} as const;

export const ErrorSchema = {
  type: 'object',
  description: 'Every error response has this shape.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code, e.g. `validation_failed`, `not_found`, `unauthorized`.' },
        message: { type: 'string', description: 'Human-readable explanation.' },
        requestId: { type: 'string', description: 'Also in the X-Request-Id header and the logs.' },
        details: {
          type: 'array',
          description: 'For validation errors: one entry per problem.',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;
