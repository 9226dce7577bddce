/** The applications collection, an application, its me, communication and event-channel resources (§4, §8). */
import { APPLICATIONS_PATH } from './auth';
import { type Ctx, newId, type Reply, type Rq } from './context';
import { invalidParameters } from './errors';
import { EventChannel } from './events';
import { readJsonObject } from './http';
import { deleteApplication } from './lifecycle';
import type { Application } from './model';
import { Members } from './validate';

const DEFAULT_PGET_TIMEOUT_SECONDS = 180;
const MAX_PGET_TIMEOUT_SECONDS = 3600;

/** POST on `applications` (APP-1, APP-5). */
export async function createApplication(ctx: Ctx, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const members = new Members(body, ctx.faults);
  const limit = ctx.behaviour.limits.applicationMember;
  const userAgent = members.required('userAgent', limit);
  const endpointId = members.required('endpointId', limit);
  const culture = ctx.faults.has('application-missing-culture-accepted') ? members.string('culture', limit) ?? 'en-US'
    : members.required('culture', limit);
  members.check();
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
    channel: new EventChannel(`${href}/events`, (events) => ctx.rep.senders(app, events), ctx.faults),
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
  return ctx.faults.has('delete-application-200') ? { status: 200, body: { deleted: true } } : { status: 204 };
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
  const body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const members = new Members(body, ctx.faults);
  const modalities = members.strings('supportedModalities');
  members.check();
  const messaging = modalities === undefined || modalities.some((m) => m.toLowerCase() === 'messaging');
  app.availableSince = messaging ? performance.now() : 0;
  return ctx.faults.has('make-me-available-200-with-body') ? { status: 200, body: ctx.rep.me(app) } : { status: 204 };
}

/** GET on ⟨communication⟩. */
export const getCommunication = (ctx: Ctx, app: Application): Reply => ({ status: 200, body: ctx.rep.communication(app) });
