// Every error leaves the API in one stable JSON shape:
//   { "error": { "code": "...", "message": "...", "requestId": "...", "details"?: [...] } }
// Messages are written for clients; internals (stack, SQL, library messages) only reach the log.
import type { Context } from 'koa';
import { isDatabaseUnavailable } from '../db/database.js';
import { discardBody } from './discard-body.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers that belong to the error, e.g. Allow on 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CODES: Record<number, [string, string]> = {
  400: ['bad_request', 'the request is malformed'],
  401: ['unauthorized', 'a valid bearer token is required'],
  403: ['forbidden', 'the token does not grant access to this resource'],
  404: ['not_found', 'no such resource'],
  405: ['method_not_allowed', 'method not allowed'],
  413: ['payload_too_large', 'the request body is too large'],
  415: ['unsupported_media_type', 'the request body must be application/json'],
  500: ['internal', 'internal error'],
  501: ['not_implemented', 'not implemented'],
  503: ['unavailable', 'the service is temporarily unavailable'],
};

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/** What turns a request's failure into the error response; requestContext calls it (no middleware of its own). */
export type ErrorBoundary = (ctx: Context, err: unknown) => Promise<void>;

/**
 * The error response for `err`, or for a bare error status left without a body (an unmatched
 * route's 404) when `err` is undefined.
 */
export function errorBoundary(log: ErrorLogger): ErrorBoundary {
  return async function answer(ctx: Context, err: unknown): Promise<void> {
    if (err === undefined) {
      const [code, message] = CODES[ctx.status] ?? ['bad_request', 'the request was rejected'];
      err = new ApiError(ctx.status, code, message);
    }
    // a body not read (refused before or while reading it) is discarded first, so the client
    // still writing it reads this answer rather than a reset
    if (!ctx.req.complete && !(await discardBody(ctx.req))) ctx.set('Connection', 'close');
    const { status, code, message, details, headers } = toPublic(err);
    if (status >= 500) log.error({ err, reqId: ctx.state.requestId }, 'request failed');
    ctx.status = status;
    for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
    if (status === 401) ctx.set('WWW-Authenticate', 'Bearer');
    ctx.body = { error: { code, message, requestId: ctx.state.requestId as string, ...(details ? { details } : {}) } };
  };
}

/** Seconds a client is told to wait when the database is down: about the pool's acquire timeout. */
export const DATABASE_RETRY_AFTER_SEC = 5;

function toPublic(err: unknown): { status: number; code: string; message: string; details?: ErrorDetail[]; headers: Record<string, string> } {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers };
  if (isDatabaseUnavailable(err)) {
    return { status: 503, code: 'database_unavailable', message: 'the database is unavailable; retry later', headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SEC) } };
  }
  const e = err as { status?: unknown };
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
  const [code, message] = CODES[status] ?? (status < 500 ? ['bad_request', 'the request was rejected'] : CODES[500]!);
  return { status, code, message, headers: {} };
}
