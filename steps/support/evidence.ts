import { redact, SECRET_HEADERS, type Exchange } from './exchange';
import type { ConformanceWorld } from './world';

/** Media type of the structured evidence attached to a scenario that did not pass. */
export const EVIDENCE_MEDIA_TYPE = 'application/vnd.ucwa-conformance.evidence+json';

/** Media type of the SEC-4 findings attached to any scenario whose responses revealed a secret (bin/verdicts.ts merges them). */
export const LEAKS_MEDIA_TYPE = 'application/vnd.ucwa-conformance.secret-leaks+json';

/** One SEC-4 finding as attached: what was revealed (a label, never the value) and where; the URL redacted. */
export interface Leak {
  label: string;
  where: string;
  seq: number;
  method: string;
  url: string;
  status?: number;
}

/** An exchange as the reports show it: headers flattened and redacted, times relative to the scenario's start. */
export type EvidenceExchange = Pick<Exchange, 'seq' | 'who' | 'method' | 'url' | 'requestBody' | 'status' | 'responseBody' | 'error'> & {
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  /** milliseconds since the scenario's first request */
  sentMs: number;
  receivedMs: number;
};

export interface EvidenceEvent {
  who: string;
  receivedMs: number;
  type: string;
  link?: string;
  status?: unknown;
  reason?: unknown;
}

export interface Evidence {
  exchanges: EvidenceExchange[];
  events: EvidenceEvent[];
  /** requests whose Authorization the suite withheld because they left the discovery origin */
  withheldAuthorization: string[];
}

function cut(text: string | undefined, budget: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= budget ? text : `${text.slice(0, budget)}… (${text.length - budget} more characters)`;
}

function headers(h: Record<string, string | string[] | undefined>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.test(k) ? '«redacted»' : redact(Array.isArray(v) ? v.join(', ') : v, secrets);
  }
  return out;
}

/** Every secret the scenario knows: the description's passwords, tokens and client secrets, and the tokens issued to it (UCWA and TAA). */
export function scenarioSecrets(w: ConformanceWorld): string[] {
  const tokens = [...[...w.users.values()].map((u) => u.token), ...[...w.apps.values()].map((a) => a.user.token), ...w.issuedTokens, ...w.callbackTokens];
  return [...new Set([...w.target.secrets, ...tokens.filter((t): t is string => !!t)])];
}

/**
 * The scenario's exchanges and received events, redacted (Authorization, passwords, tokens) and cut to a size
 * budget per body, with times relative to the first request.
 */
export function collectEvidence(w: ConformanceWorld, bodyBudget = 2000, maxExchanges = 200): Evidence {
  const secrets = scenarioSecrets(w);
  const xs: Exchange[] = w.client.exchanges.slice(-maxExchanges);
  const t0 = w.client.exchanges[0]?.sentAt ?? 0;
  const ms = (t: number) => Math.round(t - t0);
  const exchanges = xs.map((x): EvidenceExchange => {
    const e: EvidenceExchange = {
      seq: x.seq,
      who: x.who,
      method: x.method,
      url: redact(x.url, secrets),
      requestHeaders: headers(x.requestHeaders, secrets),
      responseHeaders: headers(x.responseHeaders, secrets),
      sentMs: ms(x.sentAt),
      receivedMs: ms(x.receivedAt),
    };
    const reqBody = cut(x.requestBody, bodyBudget);
    if (reqBody !== undefined) e.requestBody = redact(reqBody, secrets);
    if (x.status !== undefined) e.status = x.status;
    const resBody = cut(x.responseBody, bodyBudget);
    if (resBody !== undefined) e.responseBody = redact(resBody, secrets);
    if (x.error) e.error = redact(x.error, secrets);
    return e;
  });
  const events: EvidenceEvent[] = [];
  for (const app of w.apps.values())
    for (const e of app.channel?.events ?? [])
      events.push({
        who: app.user.role,
        receivedMs: ms(e.receivedAt),
        type: e.type,
        ...(e.linkHref ? { link: redact(e.linkHref, secrets) } : {}),
        ...(e.status !== undefined ? { status: e.status } : {}),
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
      });
  events.sort((a, b) => a.receivedMs - b.receivedMs);
  return { exchanges, events, withheldAuthorization: w.client.withheldAuthorization.map((s) => redact(s, secrets)) };
}
