/** The applications collection, an application, its me, communication and event-channel resources (§4, §8). */
import { APPLICATIONS_PATH } from './represent';
import { type Ctx, newId, type Reply, type Rq } from './context';
import { invalidParameters } from './errors';
import { EventChannel } from './events';
import { readJsonObject } from './http';
import { deleteApplication } from './lifecycle';
import { answerError } from './replies';
import type { Application } from './model';
import { Members } from './validate';

const DEFAULT_PGET_TIMEOUT_SECONDS = 180;
const MAX_PGET_TIMEOUT_SECONDS = 3600;
/** The culture of an application created without one (only when the behaviour does not require it). */
const DEFAULT_CULTURE = 'en-US';

/** POST on `applications` (APP-1, APP-5). */
export async function createApplication(ctx: Ctx, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq, ctx.behaviour)) ?? {};
  const members = new Members(body, ctx.behaviour);
  const limit = ctx.behaviour.limits.applicationMember;
  const userAgent = members.required('userAgent', limit);
  const endpointId = members.required('endpointId', limit);
  const culture = members.required('culture', limit) ?? DEFAULT_CULTURE;
  members.check();
  // a client signing in again with the same endpointId gets its application back, as from a real server
  const existing = [...(ctx.appsByAccount.get(rq.account) ?? [])].find((a) => !a.deleted && a.endpointId === endpointId);
  if (existing) return { status: 201, body: ctx.rep.application(existing), headers: { Location: existing.href } };
  const id = newId();
  const href = `${APPLICATIONS_PATH}/${id}`;
  const app: Application = {
    id,
    href,
    account: rq.account,
    userAgent: userAgent!,
    endpointId: endpointId!,
    culture: culture!,
    availableSince: 0,
    deleted: false,
    lastActivity: Date.now(),
    inFlight: 0,
    channel: new EventChannel(`${href}/events`, {
      batch: (links, events) => ctx.rep.batch(app, links, events),
      fail: (res, error) => answerError(ctx, res, error, { req: res.req, path: `${href}/events`, account: rq.account, app }),
      replaced: (poll, refuse) => ctx.events.replaced(poll, refuse),
    }),
    invitations: new Map(),
    conversations: new Map(),
    meetings: new Map(),
    connectingOperations: new Map(),
  };
  ctx.apps.set(id, app);
  let mine = ctx.appsByAccount.get(rq.account);
  if (!mine) ctx.appsByAccount.set(rq.account, (mine = new Set()));
  mine.add(app);
  return { status: 201, body: ctx.rep.application(app), headers: { Location: href } };
}

/** GET on an application (APP-3). */
export const getApplication = (ctx: Ctx, app: Application): Reply => ({ status: 200, body: ctx.rep.application(app) });

/** DELETE on an application (APP-6). */
export function removeApplication(ctx: Ctx, app: Application): Reply {
  deleteApplication(ctx, app);
  return { status: 204 };
}

/** GET on ⟨events⟩: the P-GET (EV-1…EV-5); answers itself. */
export function pollEvents(app: Application, rq: Rq): undefined {
  const ackParam = rq.query.get('ack');
  let ack: number | undefined;
  if (ackParam !== null) {
    ack = /^[0-9]{1,15}$/.test(ackParam) ? Number(ackParam) : NaN;
    if (!(ack >= 1)) throw invalidParameters({ ack: 'must be a positive integer' });
  }
  const timeoutText = rq.query.get('timeout');
  const timeoutParam = timeoutText ? Number(timeoutText) : NaN;
  const timeoutSeconds = Number.isFinite(timeoutParam) && timeoutParam >= 0
    ? Math.min(timeoutParam, MAX_PGET_TIMEOUT_SECONDS) : DEFAULT_PGET_TIMEOUT_SECONDS;
  app.channel.poll(ack, timeoutSeconds * 1000, rq.res);
  return undefined;
}

/** GET on ⟨me⟩. */
export const getMe = (ctx: Ctx, app: Application): Reply => ({ status: 200, body: ctx.rep.me(app) });

/** POST on ⟨makeMeAvailable⟩ (APP-4): available for Messaging unless the body lists other modalities only. */
export async function makeMeAvailable(ctx: Ctx, app: Application, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq, ctx.behaviour)) ?? {};
  const members = new Members(body, ctx.behaviour);
  const modalities = members.strings('supportedModalities');
  members.check();
  const messaging = modalities === undefined || modalities.some((m) => m.toLowerCase() === 'messaging');
  app.availableSince = messaging ? performance.now() : 0;
  return { status: 204 };
}

/** GET on ⟨communication⟩. */
export const getCommunication = (ctx: Ctx, app: Application): Reply => ({ status: 200, body: ctx.rep.communication(app) });

/** POST on ⟨makeMeUnavailable⟩ (outside the profile): the application no longer receives invitations. */
export async function makeMeUnavailable(ctx: Ctx, app: Application, rq: Rq): Promise<Reply> {
  await readJsonObject(rq, ctx.behaviour);
  app.availableSince = 0;
  return { status: 204 };
}

/**
 * POST on ⟨reportMyActivity⟩ (outside the profile): 204. Every request of the owner already counts as activity, so
 * this keeps the application from being deleted as idle.
 */
export async function reportMyActivity(ctx: Ctx, rq: Rq): Promise<Reply> {
  await readJsonObject(rq, ctx.behaviour);
  return { status: 204 };
}
