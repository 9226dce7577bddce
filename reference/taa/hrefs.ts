/**
 * `endpointId` on every TAA href (PROFILE.md §15.8): the resources are built as UCWA's (paths under the endpoint's
 * application), then every href of the platform and the `Location` of a 201 get `endpointId=<uri>` added.
 */
export const PLATFORM_PREFIX = '/platformservice/';

/** The endpointId as a query value: the SIP URI as it is, only characters that would break the query encoded. */
export function endpointQueryValue(uri: string): string {
  return uri.replace(/[^A-Za-z0-9\-._~:@!$'()*,;=/?]/g, (c) => encodeURIComponent(c));
}

/** An href of the platform with `endpointId` added (other hrefs, e.g. data URIs, as they are). */
export function withEndpoint(href: string, value: string): string {
  if (!href.startsWith(PLATFORM_PREFIX) || href.includes('endpointId=')) return href;
  return `${href}${href.includes('?') ? '&' : '?'}endpointId=${value}`;
}

/** A representation with `endpointId` on every platform href, however deep (a fresh copy; the input is not changed). */
export function decorate(value: unknown, endpointValue: string): unknown {
  if (Array.isArray(value)) return value.map((v) => decorate(v, endpointValue));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = k === 'href' && typeof v === 'string' ? withEndpoint(v, endpointValue) : decorate(v, endpointValue);
  }
  return out;
}
