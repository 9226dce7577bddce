/** The one error shape of the reference server (PROFILE.md ERR-1, D4). */

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  414: 'RequestUriTooLong',
  415: 'UnsupportedMediaType',
  431: 'RequestHeaderFieldsTooLarge',
  500: 'ServiceFailure',
};

export interface ErrorBody {
  code: string;
  subcode?: string;
  message: string;
  parameters?: Record<string, string>;
  /** Further members a server may add. */
  [member: string]: unknown;
}

/** A refused request: thrown by handlers, turned into a JSON error response by the app. */
export class HttpError extends Error {
  readonly body: ErrorBody;
  constructor(
    readonly status: number,
    subcode: string | undefined,
    message: string,
    parameters?: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    const code = CODE_BY_STATUS[status] ?? 'ServiceFailure';
    this.body = subcode !== undefined && subcode !== 'None' ? { code, subcode, message } : { code, message };
    if (parameters) this.body.parameters = parameters;
  }
}

/** 400 BadRequest/None: the request as a whole is malformed. */
export const malformed = (message = 'The request body is not a well-formed JSON object.'): HttpError =>
  new HttpError(400, undefined, message);

/** 400 BadRequest/ParameterValidationFailure naming every offending member. */
export const invalidParameters = (parameters: Record<string, string>): HttpError =>
  new HttpError(400, 'ParameterValidationFailure', 'Invalid parameter.', parameters);

/** 404 NotFound with subcode None (or the given one). */
export const notFound = (subcode?: string): HttpError =>
  new HttpError(404, subcode, subcode === 'ApplicationNotFound' ? 'The application does not exist.' : 'The resource does not exist.');

/** 405 MethodNotAllowed with its Allow header. */
export const methodNotAllowed = (allow: readonly string[]): HttpError =>
  new HttpError(405, undefined, 'The method is not allowed on this resource.', undefined, { Allow: allow.join(', ') });

/** 409 Conflict with subcode None (or the given one). */
export const conflict = (subcode?: string, message = 'The resource is not in a state that allows this operation.'): HttpError =>
  new HttpError(409, subcode, message);

/** 410 Gone/None or 415 UnsupportedMediaType, as configured, for an unsupported Content-Type or Accept. */
export const unsupportedMediaType = (status: 410 | 415, what: 'Content-Type' | 'Accept'): HttpError =>
  new HttpError(status, undefined, `The ${what} is not supported.`);

/** 413 for a body over the limit. */
export const tooLarge = (): HttpError =>
  new HttpError(413, undefined, 'The request body is too large.', undefined, { Connection: 'close' });

/** 414 for a request target over the limit. */
export const uriTooLong = (): HttpError =>
  new HttpError(414, undefined, 'The request URI is too long.', undefined, { Connection: 'close' });

/** The error body for a status, for answers written before any handler runs (clientError in server.ts). */
export const errorBody = (status: number, message: string): ErrorBody => ({ code: CODE_BY_STATUS[status] ?? 'BadRequest', message });

/** 500 ServiceFailure (with subcode, if any). */
export const serviceFailure = (subcode?: string, message = 'An internal error occurred.'): HttpError =>
  new HttpError(500, subcode, message);

/** 410 Gone with a subcode. */
export const gone = (subcode: string | undefined, message: string): HttpError => new HttpError(410, subcode, message);
