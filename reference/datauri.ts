/** Data URIs (RFC 2397) as the profile uses them for message text and custom content (WIRE-5, D20). */

export interface DataUri {
  /** Media type with its parameters, without `;base64` (may be empty). */
  mediaType: string;
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Percent-decodes to bytes; `+` stands for a space (D20). Undefined when an escape is malformed. */
function percentDecode(text: string, plusIsSpace: boolean): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 37 /* % */) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      out.push(hi * 16 + lo);
      i += 2;
    } else if (code === 43 /* + */ && plusIsSpace) {
      out.push(32);
    } else if (code < 128) {
      out.push(code);
    } else {
      const end = code >= 0xd800 && code <= 0xdbff ? i + 2 : i + 1;
      for (const b of Buffer.from(text.slice(i, end), 'utf8')) out.push(b);
      i = end - 1;
    }
  }
  return Buffer.from(out);
}

/** Parses a data URI; undefined when the value is not one. */
export function parseDataUri(href: string, plusIsSpace = true): DataUri | undefined {
  if (href.length < 6 || href.slice(0, 5).toLowerCase() !== 'data:') return undefined;
  const comma = href.indexOf(',');
  if (comma < 0) return undefined;
  const header = href.slice(5, comma);
  const data = href.slice(comma + 1);
  const params = header.split(';');
  const isBase64 = params.length > 1 && params[params.length - 1]!.trim().toLowerCase() === 'base64';
  const mediaType = (isBase64 ? params.slice(0, -1) : params).join(';');
  if (/[\s,]/.test(mediaType)) return undefined;
  if (isBase64) {
    if (data.length % 4 !== 0 || !BASE64.test(data)) return undefined;
    return { mediaType, bytes: Buffer.from(data, 'base64') };
  }
  const bytes = percentDecode(data, plusIsSpace);
  return bytes ? { mediaType, bytes } : undefined;
}

/** The bytes encodeURIComponent leaves as they are (the unreserved marks included). */
const KEPT = /[A-Za-z0-9\-_.!~*'()]/;

/**
 * The form this server emits, as the public captures show a real server's: the media type as sent, then every byte
 * percent-encoded except letters, digits and `-_.!~*'()` (so a `+` or a space is never ambiguous, and any bytes,
 * UTF-8 or not, round-trip).
 */
export function formatDataUri(uri: DataUri, doubleEncode = false): string {
  const bytes = doubleEncode ? Buffer.from(uri.bytes.toString('latin1'), 'utf8') : uri.bytes;
  let data = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    data += b < 128 && KEPT.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `data:${uri.mediaType},${data}`;
}
