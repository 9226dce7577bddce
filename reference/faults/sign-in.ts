/** §3, §4 sign-in and the application. */
import { APPLICATIONS_PATH, TOKEN_PATH } from '../represent';
import type { Json } from '../seams';
import { fault } from './fault';
import { linksOf, restOf } from './util';

export const SIGN_IN = [
  fault({
    name: 'token-type-mac', description: 'the token response says token_type "MAC"', breaks: ['AUTH-1'],
    seam: 'represent', hook: (t) => ({ token: (rep, account) => ({ ...t.token(rep, account), token_type: 'MAC' }) }),
  }),
  fault({
    name: 'token-expires-in-zero', description: 'the token response says expires_in 0', breaks: ['AUTH-1'],
    seam: 'represent', hook: (t) => ({ token: (rep, account) => ({ ...t.token(rep, account), expires_in: 0 }) }),
  }),
  fault({
    name: 'wrong-password-accepted', description: 'a wrong password is answered 200 with a token', breaks: ['AUTH-2'],
    seam: 'access', hook: () => ({ passwordMatches: () => true }),
  }),
  fault({
    name: 'challenge-without-password-grant', description: 'the MsRtcOAuth challenge does not offer grant_type password', breaks: ['DISC-2'],
    seam: 'replies',
    hook: (r) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        const challenge = out.status === 401 ? out.headers?.['WWW-Authenticate'] : undefined;
        if (challenge === undefined) return out;
        const grants = 'grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting"';
        return { ...out, headers: { ...out.headers, 'WWW-Authenticate': challenge.replace(/grant_type="[^"]*"/, grants) } };
      },
    }),
  }),
  fault({
    name: 'unknown-grant-type-invalid-request', description: 'an unknown grant_type gets error invalid_request', breaks: ['AUTH-3'],
    seam: 'replies',
    hook: (r) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        const body = out.body as Json | undefined;
        if (ex.path !== TOKEN_PATH || out.status !== 400 || body?.error !== 'unsupported_grant_type') return out;
        return { ...out, body: { ...body, error: 'invalid_request' } };
      },
    }),
  }),
  fault({
    name: 'make-me-available-200-with-body', description: 'makeMeAvailable answers 200 with the me resource', breaks: ['APP-4'],
    seam: 'replies',
    hook: (r, ctx) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        const rest = restOf(ex);
        if (!ex.app || out.status !== 204 || rest.length !== 2 || rest[0] !== 'me' || rest[1] !== 'makeMeAvailable') return out;
        return { status: 200, body: ctx.rep.me(ex.app) };
      },
    }),
  }),
  fault({
    name: 'application-without-events-link', description: 'the application has no ⟨events⟩ link', breaks: ['APP-1'],
    seam: 'represent',
    hook: (t, ctx) => ({
      application(rep, app) {
        const out = t.application(rep, app);
        delete linksOf(out)[ctx.behaviour.rel('events')];
        return out;
      },
    }),
  }),
  fault({
    name: 'me-uri-without-scheme', description: 'me.uri lacks the sip: scheme', breaks: ['APP-2'],
    seam: 'represent', hook: (t) => ({ me: (rep, app) => ({ ...t.me(rep, app), uri: app.account.uri.slice(4) }) }),
  }),
  fault({
    name: 'application-missing-culture-accepted', description: 'creating an application without `culture` is accepted', breaks: ['APP-5'],
    seam: 'behaviour', hook: (b) => ({ isRequired: (name) => name !== 'culture' && b.isRequired(name) }),
  }),
  fault({
    name: 'delete-application-200', description: 'DELETE on an application answers 200 with a body', breaks: ['APP-6'],
    seam: 'replies',
    hook: (r) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        const app = ex.path.startsWith(`${APPLICATIONS_PATH}/`) && ex.path.split('/').length === 5;
        return app && ex.req.method === 'DELETE' && out.status === 204 ? { status: 200, body: { deleted: true } } : out;
      },
    }),
  }),
] as const;
