import type { Context } from 'koa';
import { ApiError } from './errors.js';

const LIMIT = 64 * 1024;

const tooLarge = (): ApiError => new ApiError(413, 'payload_too_large', `the request body must not exceed ${LIMIT} bytes`);

/**
 * Reads a JSON request body (at most 64 KiB) or throws an ApiError with a client-safe message. The
 * rest of a refused body is left to the error handler, which discards it before answering.
 */
export async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'the request body must be application/json');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false — leaving the loop early must not destroy the request (and its socket)
  for await (const chunk of ctx.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}
