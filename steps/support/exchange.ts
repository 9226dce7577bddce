/** One HTTP request and its answer (or the transport error), as the suite saw it. */
export interface Exchange {
  seq: number;
  /** who made the request: "caller", "callee", "caller (events)", … */
  who: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders: Record<string, string | string[] | undefined>;
  /** the response body as text, cut at the read cap */
  responseBody?: string;
  /** the body was longer than the read cap and was cut */
  truncated?: boolean;
  /** performance.now() when the request was sent and when the answer (or error) was complete */
  sentAt: number;
  receivedAt: number;
  /** transport failure: timeout, refused, reset, aborted, … */
  error?: string;
}

/** Headers whose values are never shown. */
export const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie)$/i;

/** `text` with every secret, bearer token and password parameter replaced by a marker. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length < 4) continue;
    out = out.split(s).join('«redacted»');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('«redacted»');
  }
  return out
    .replace(/(Bearer\s+)(?=[^\s",]*[0-9=._~+/-])[^\s",]{6,}/gi, '$1«redacted»')
    .replace(/((?:^|[&?])password=)[^&\s]*/gi, '$1«redacted»')
    .replace(/("access_token"\s*:\s*")[^"]*/g, '$1«redacted»');
}

function cut(text: string, budget: number): string {
  return text.length <= budget ? text : `${text.slice(0, budget)}… (${text.length - budget} more characters)`;
}

function headerLines(h: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(`${k}: ${SECRET_HEADERS.test(k) ? '«redacted»' : one}`);
  }
  return out;
}

/** A redacted, size-bounded text rendering of an exchange, for failure messages and reports. */
export function formatExchange(x: Exchange, secrets: readonly string[], bodyBudget = 1500): string {
  const lines = [`#${x.seq} ${x.who}: ${x.method} ${x.url}`];
  lines.push(...headerLines(x.requestHeaders).map((l) => `  > ${l}`));
  if (x.requestBody) lines.push(`  > ${cut(x.requestBody, bodyBudget)}`);
  if (x.error) lines.push(`  ! ${x.error} after ${Math.round(x.receivedAt - x.sentAt)} ms`);
  else {
    lines.push(`  < ${x.status} (${Math.round(x.receivedAt - x.sentAt)} ms)`);
    lines.push(...headerLines(x.responseHeaders).map((l) => `  < ${l}`));
    if (x.responseBody) lines.push(`  < ${cut(x.responseBody, bodyBudget)}${x.truncated ? ' (cut at the read cap)' : ''}`);
  }
  return redact(lines.join('\n'), secrets);
}
