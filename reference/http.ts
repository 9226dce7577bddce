/** Small HTTP helpers on plain node:http: JSON out, bounded bodies in, media-type checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Behaviour } from './behaviour';
import { HttpError, malformed, tooLarge, unsupportedMediaType } from './errors';
import type { Rq } from './seams';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const MAX_BODY_BYTES = 64 * 1024;
/** Request targets (path and query) longer than this are refused with 414 before anything else is looked at. */
export const MAX_URL_LENGTH = 8 * 1024;

/**
 * A response to a request whose body has not arrived whole (unread, or refused part-way) closes the connection:
 * otherwise node:http would read and discard the rest to keep the connection alive, i.e. read a huge body whole.
 */
function closeIfBodyUnread(res: ServerResponse): void {
  if (res.req !== undefined && !res.req.complete) res.shouldKeepAlive = false;
}

/** Sends a JSON body (already serialized or not); `headers` may override the Content-Type. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  closeIfBodyUnread(res);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a response without a body. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  closeIfBodyUnread(res);
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

/** Sends the profile error body for a refused request. */
export function sendError(res: ServerResponse, error: Pick<HttpError, 'status' | 'body' | 'headers'>): void {
  if (error.status === 413) res.shouldKeepAlive = false;
  sendJson(res, error.status, error.body, error.headers);
}

/** Reads the request body, refusing (413) anything over the limit without reading it all. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  if (declared === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

const JSON_MEDIA_TYPES = new Set(['application/json', 'application/vnd.microsoft.com.ucwa+json']);

/** The media type of a Content-Type value, lower-cased and without parameters. */
export function mediaType(value: string | undefined): string {
  if (!value) return '';
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** Whether a Content-Type names a JSON type this server reads (WIRE-1, D32). */
export function isJsonContentType(value: string | undefined): boolean {
  return JSON_MEDIA_TYPES.has(mediaType(value));
}

/** Whether an Accept header lets the server answer with JSON (WIRE-1, D32). */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';');
    const type = (range ?? '').trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (type === '*/*' || type === 'application/*' || JSON_MEDIA_TYPES.has(type)) return true;
  }
  return false;
}

/** Strict UTF-8 (invalid bytes throw); a BOM is kept, so JSON.parse refuses it as before. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads and parses an optional JSON object body into `rq.body`: an empty body gives undefined; a body of another media
 * type is refused with the declared 410/415 (ERR-5); bytes that are not UTF-8 give 400 None, and the text is parsed by
 * the behaviour (malformed JSON or JSON that is not an object: 400 None, ERR-2). JSON.parse makes `__proto__` an own
 * member (no prototype is set), and nesting depth is bounded by the size limit only (V8's parser is not recursive).
 */
export async function readJsonObject(rq: Rq, b: Behaviour): Promise<Record<string, unknown> | undefined> {
  const req = rq.req;
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  if (!b.readsContentType(req.headers['content-type'])) throw unsupportedMediaType(b.unsupportedMediaStatus, 'Content-Type');
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw malformed('The request body is not well-formed UTF-8.');
  }
  return (rq.body = b.parseBody(text));
}
