/** A JSON body as the reference-server tests read it (members accessed freely). */
export type Json = Record<string, any>;

/** A response with its body as text and, when it parses, as JSON (else `{}`). */
export interface Resp {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

/** fetch, reading the whole body; a body that is not JSON leaves `json` empty for the caller to check. */
export async function fetchJson(url: string | URL, init: RequestInit): Promise<Resp> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Json = {};
  try {
    json = text ? (JSON.parse(text) as Json) : {};
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}
