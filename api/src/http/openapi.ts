import { AdminListQuerySchema, ErrorSchema, ListQuerySchema, TaskCreateSchema, TaskPageSchema, TaskPatchSchema, TaskSchema } from './schemas.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
const err = (description: string): Json => json(ref('Error'), description);

const queryParams = (schema: { properties: Record<string, Json> }): Json[] =>
  Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'query', required: false, description: s.description, schema: s }));

const idParam = { name: 'id', in: 'path', required: true, description: 'Task id (uuid).', schema: { type: 'string', format: 'uuid' } };
// every task endpoint: the token's errors, and the database's absence
const authErrors = {
  '401': err('Missing, malformed, expired or otherwise invalid bearer token.'),
  '403': err('The token carries none of the roles this endpoint needs.'),
  '503': err('`database_unavailable`: the database cannot be reached right now; retry after `Retry-After` seconds.'),
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'gx task API',
    version: '1.0.0',
    description:
      'Tasks per user, protected by Keycloak-issued RS256 JWTs. Send `Authorization: Bearer <access token>`. ' +
      'Roles come from `realm_access.roles` and `resource_access.<client>.roles`: `user` manages its own tasks, `admin` may also list everyone\'s.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: { Task: TaskSchema, TaskCreate: TaskCreateSchema, TaskPatch: TaskPatchSchema, TaskPage: TaskPageSchema, Error: ErrorSchema },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness: the process answers.', responses: { '200': json({ type: 'object' }, 'Alive.') } } },
    '/readyz': {
      get: {
        summary: 'Readiness: the database answers and the signing keys are loaded.',
        responses: { '200': json({ type: 'object' }, 'Ready.'), '503': json({ type: 'object' }, 'Not ready; `checks` says which part failed.') },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics: requests and latency by route and status.', responses: { '200': { description: 'Prometheus text format.' } } } },
    '/openapi.json': { get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1 document.' } } } },
    '/docs': { get: { summary: 'This document as a readable page.', responses: { '200': { description: 'HTML.' } } } },
    '/api/tasks': {
      get: {
        summary: 'List your tasks, newest first.',
        security: [{ bearer: [] }],
        parameters: queryParams(ListQuerySchema),
        responses: { '200': json(ref('TaskPage'), 'One page.'), '400': err('Invalid query (bad limit or cursor).'), ...authErrors },
      },
      post: {
        summary: 'Create a task.',
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: ref('TaskCreate') } } },
        responses: { '201': json(ref('Task'), 'Created; Location points at it.'), '400': err('Invalid body; `details` lists every problem.'), ...authErrors },
      },
    },
    '/api/tasks/{id}': {
      get: {
        summary: 'Read one of your tasks.',
        security: [{ bearer: [] }],
        parameters: [idParam],
        responses: { '200': json(ref('Task'), 'The task.'), '404': err('No such task among yours.'), ...authErrors },
      },
      patch: {
        summary: 'Change some fields of one of your tasks.',
        security: [{ bearer: [] }],
        parameters: [idParam],
        requestBody: { required: true, content: { 'application/json': { schema: ref('TaskPatch') } } },
        responses: { '200': json(ref('Task'), 'The updated task.'), '400': err('Invalid body.'), '404': err('No such task among yours.'), ...authErrors },
      },
      delete: {
        summary: 'Delete one of your tasks.',
        security: [{ bearer: [] }],
        parameters: [idParam],
        responses: { '204': { description: 'Deleted.' }, '404': err('No such task among yours.'), ...authErrors },
      },
    },
    '/api/admin/tasks': {
      get: {
        summary: "List every user's tasks (admin role).",
        security: [{ bearer: [] }],
        parameters: queryParams(AdminListQuerySchema),
        responses: { '200': json(ref('TaskPage'), 'One page.'), '400': err('Invalid query.'), ...authErrors },
      },
    },
  },
} as const;
