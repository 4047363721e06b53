import type { Context } from 'koa';
import { ApiError } from './errors.js';

const LIMIT = 64 * 1024;

/** Reads a JSON request body (at most 64 KiB) or throws an ApiError with a client-safe message. */
export async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'the request body must be application/json');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > LIMIT) throw new ApiError(413, 'payload_too_large', `the request body must not exceed ${LIMIT} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw new ApiError(413, 'payload_too_large', `the request body must not exceed ${LIMIT} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}
