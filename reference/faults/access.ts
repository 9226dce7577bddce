/** §3, §11 access control: other users' resources, unauthenticated requests, tokens. */
import { getApplication, pollEvents, removeApplication } from '../applications';
import { conflict, HttpError, unsupportedMediaType } from '../errors';
import { isJsonContentType } from '../http';
import { settle } from '../lifecycle';
import type { Application } from '../model';
import { fault } from './fault';

/** Another user's invitation the rest of the path names (…/communication/messagingInvitations/{id}[/action]). */
function foreignInvitation(app: Application, rest: readonly string[]) {
  if (rest.length < 3 || rest.length > 4 || rest[0] !== 'communication' || rest[1] !== 'messagingInvitations') return undefined;
  return app.invitations.get(rest[2]!);
}

export const ACCESS = [
  fault({
    name: 'foreign-invitation-403', description: 'another user\'s invitation answers 403 Forbidden', breaks: ['ERR-7', 'SEC-1'],
    seam: 'access',
    hook: (a) => ({
      foreign(rq, app, rest) {
        if (foreignInvitation(app, rest)) throw new HttpError(403, undefined, 'The resource belongs to another user.');
        return a.foreign(rq, app, rest);
      },
    }),
  }),
  fault({
    name: 'foreign-invitation-409', description: 'another user\'s invitation answers 409 Conflict', breaks: ['ERR-7', 'SEC-1'],
    seam: 'access',
    hook: (a) => ({
      foreign(rq, app, rest) {
        if (foreignInvitation(app, rest)) throw conflict();
        return a.foreign(rq, app, rest);
      },
    }),
  }),
  fault({
    name: 'foreign-cancel-takes-effect', description: 'another user\'s cancel answers 404 but cancels the invitation', breaks: ['ERR-7', 'ERR-16'],
    seam: 'access',
    hook: (a, ctx) => ({
      foreign(rq, app, rest) {
        const inv = foreignInvitation(app, rest);
        if (inv && rest[3] === 'cancel' && rq.req.method === 'POST' && ctx.behaviour.canCancel(inv)) settle(ctx, inv, 'canceled');
        return a.foreign(rq, app, rest);
      },
    }),
  }),
  fault({
    name: 'foreign-application-readable', description: 'another user\'s application answers GET with 200', breaks: ['SEC-3'],
    seam: 'access',
    hook: (a, ctx) => ({
      foreign: (rq, app, rest) => (rest.length === 0
        ? { GET: () => getApplication(ctx, app), DELETE: () => removeApplication(ctx, app) } : a.foreign(rq, app, rest)),
    }),
  }),
  fault({
    name: 'foreign-events-pollable', description: 'another user can P-GET an application\'s events, replacing the owner\'s P-GET', breaks: ['SEC-3'],
    seam: 'access',
    hook: (a) => ({
      foreign: (rq, app, rest) => (rest.length === 1 && rest[0] === 'events' ? { GET: () => pollEvents(app, rq) } : a.foreign(rq, app, rest)),
    }),
  }),
  fault({
    name: 'media-type-checked-before-auth', description: 'an unauthenticated POST with an unsupported Content-Type gets 410/415, not 401', breaks: ['AUTH-5'],
    seam: 'access',
    hook: (a, ctx) => ({
      unauthenticated(req, path) {
        const type = req.headers['content-type'];
        if (req.method === 'POST' && type !== undefined && !isJsonContentType(type)) {
          throw unsupportedMediaType(ctx.behaviour.unsupportedMediaStatus, 'Content-Type');
        }
        a.unauthenticated(req, path);
      },
    }),
  }),
  fault({
    name: 'unknown-token-accepted', description: 'a bearer token the server never issued authenticates as the last signed-in user', breaks: ['AUTH-4'],
    seam: 'access',
    hook: (a, ctx) => ({
      authenticate(authorization) {
        const known = ctx.tokens.holds(authorization);
        const account = a.authenticate(authorization);
        if (account || known || authorization === undefined || authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') {
          return account;
        }
        return ctx.tokens.latest;
      },
    }),
  }),
  fault({
    name: 'unauthenticated-cancel-takes-effect', description: 'an unauthenticated cancel answers 401 but cancels the invitation', breaks: ['AUTH-4', 'ERR-16'],
    seam: 'access',
    hook: (a, ctx) => ({
      unauthenticated(req, path) {
        const s = path.split('/');
        if (req.method === 'POST' && s.length === 9 && s[5] === 'communication' && s[6] === 'messagingInvitations' && s[8] === 'cancel') {
          const inv = ctx.apps.get(s[4]!)?.invitations.get(s[7]!);
          if (inv && ctx.behaviour.canCancel(inv)) settle(ctx, inv, 'canceled');
        }
        a.unauthenticated(req, path);
      },
    }),
  }),
] as const;
