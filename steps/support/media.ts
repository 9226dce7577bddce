import { header } from './client';
import type { Exchange } from './exchange';

const JSON_TYPES = /^application\/(json|vnd\.microsoft\.com\.ucwa\+json)\s*(;|$)/i;

/** WIRE-1: a non-empty response body is labelled application/json (parameters allowed); the reason when not. */
export function jsonMediaTypeProblem(x: Exchange): string | undefined {
  if (!x.responseBody) return undefined;
  const ct = header(x, 'content-type');
  return ct && /^application\/json\s*(;|$)/i.test(ct) ? undefined : `Content-Type ${ct === undefined ? 'absent' : JSON.stringify(ct)}`;
}

export { JSON_TYPES };
