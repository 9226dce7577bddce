/**
 * startMessaging of a TAA endpoint (PROFILE.md §15.5): the SM-1 members plus `callbackUrl` (TSM-1, TSM-2) and
 * `callbackContext` (CB-9), a multipart/related body (TSM-4), the reachability probe (TSM-3), and
 * startMessagingWithIdentity (TSM-5). Everything else is UCWA's startMessaging (reference/invitations.ts).
 */
import { isSipUri } from '../accounts';
import type { Ctx, Reply, Rq } from '../context';
import { HttpError, malformed, unsupportedMediaType } from '../errors';
import { readBody } from '../http';
import { type StartExtras, startFromBody } from '../invitations';
import type { Body } from '../validate';
import type { CallbackChannel } from './callbacks';
import type { Endpoint } from './directory';
import type { TaaServer } from './server';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CALLBACK_CONTEXT_LIMIT = 2048;
const DISPLAY_NAME_LIMIT = 256;

/** A Content-Type parameter's value (quoted or not), if present. */
function parameter(contentType: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i');
  const m = re.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The single application/json part of a multipart/related body, or undefined when it has another shape. */
function jsonPart(raw: string, boundary: string): string | undefined {
  const parts = raw.split(`--${boundary}`).slice(1);
  const content = parts.filter((p) => !p.startsWith('--'));
  if (content.length !== 1) return undefined;
  const part = content[0]!.replace(/^\r?\n/, '');
  const split = /\r?\n\r?\n/.exec(part);
  if (!split) return undefined;
  const headers = part.slice(0, split.index);
  const type = /^content-type\s*:\s*([^\r\n]*)/im.exec(headers)?.[1]?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return undefined;
  return part.slice(split.index + split[0].length).replace(/\r?\n$/, '');
}

/** Reads the body as JSON, or as the JSON part of a multipart/related body (TSM-4). */
async function readInput(ctx: Ctx, rq: Rq): Promise<Body> {
  const b = ctx.behaviour;
  const raw = await readBody(rq.req);
  if (raw.length === 0) return {};
  const contentType = rq.req.headers['content-type'] ?? '';
  const multipart = /^\s*multipart\/related\s*(;|$)/i.test(contentType) && ctx.taa.readsMultipart();
  if (!multipart && !b.readsContentType(contentType)) throw unsupportedMediaType(b.unsupportedMediaStatus, 'Content-Type');
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw malformed('The request body is not well-formed UTF-8.');
  }
  if (multipart) {
    const boundary = parameter(contentType, 'boundary');
    const type = parameter(contentType, 'type');
    const json = boundary && (type === undefined || type.toLowerCase() === 'application/json') ? jsonPart(text, boundary) : undefined;
    if (json === undefined) throw malformed('The multipart/related body must hold one application/json part.');
    text = json;
  }
  return (rq.body = b.parseBody(text));
}

const TAA_MEMBERS: ReadonlySet<string> = new Set(['callbackUrl', 'callbackContext']);
const IDENTITY_MEMBERS: ReadonlySet<string> = new Set(['callbackUrl', 'callbackContext', 'localUserUri', 'localUserDisplayName']);

/** POST on ⟨startMessaging⟩ or ⟨startMessagingWithIdentity⟩ of an endpoint. */
export async function taaStartMessaging(ctx: Ctx, server: TaaServer, ep: Endpoint, rq: Rq, withIdentity: boolean): Promise<Reply> {
  const body = await readInput(ctx, rq);
  const hooks = ctx.taa;
  let callbackUrl: string | undefined;
  let callbackContext: string | undefined;
  let identity: { uri: string; name: string } | undefined;
  const extras: StartExtras = {
    members: withIdentity ? IDENTITY_MEMBERS : TAA_MEMBERS,
    read(members) {
      const url = members.string('callbackUrl');
      if (url !== undefined) {
        const problem = hooks.callbackUrlProblem(url, server.allowHttp);
        if (problem) members.problems.callbackUrl = problem;
        else callbackUrl = url;
      }
      callbackContext = hooks.startContext(members.string('callbackContext', CALLBACK_CONTEXT_LIMIT));
      if (!withIdentity) return;
      if (members.string('operationId') === undefined && !('operationId' in members.problems)) members.problems.operationId = 'required';
      const uri = members.string('localUserUri');
      const name = members.string('localUserDisplayName', DISPLAY_NAME_LIMIT);
      if (uri === undefined) {
        if (!('localUserUri' in members.problems)) members.problems.localUserUri = 'required';
      } else if (!isSipUri(uri)) {
        members.problems.localUserUri = 'not a SIP URI';
      } else {
        identity = hooks.identity({ uri, name: name ?? uri.replace(/^sip:/i, '') }, { uri: ep.account.uri, name: ep.account.name });
      }
    },
    async before() {
      if (callbackUrl === undefined || !hooks.probes()) return;
      if (!(await server.delivery.probe(ep, callbackUrl))) {
        throw new HttpError(400, 'CallbackUriUnreachable', 'The callback URL cannot be reached.', { callbackUrl: 'unreachable' });
      }
    },
    input(values) {
      if (identity) values.identity = identity;
    },
    conversation(conv) {
      const settings: { url?: string; context?: string } = {};
      if (callbackUrl !== undefined) settings.url = callbackUrl;
      if (callbackContext !== undefined) settings.context = callbackContext;
      (conv.app.channel as CallbackChannel).configure(conv, settings);
    },
  };
  return startFromBody(ctx, ep.app, rq, body, extras);
}
