import { randomBytes } from 'node:crypto';
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { Application, Client, Inconclusive, User, header, objectBody, type RequestOptions } from './client';
import { canonicalize } from './dialect';
import type { EventChannel, ReceivedEvent } from './events';
import { EventWaitTimeout } from './events';
import type { Exchange } from './exchange';
import { HttpTransport, type TlsOptions } from './http';
import { leasePair } from './lanes';
import { isObject, resolveHref } from './links';
import { RequirementFailure, show } from './expect';
import { scenarioSecrets } from './evidence';
import { validate } from './schemas';
import { parseTargetDescription, type Account, type Target } from './target';
import { EVENT_WAIT_MS } from './timing';

/** What the runner hands every worker: the raw description (secrets still `{"env": …}`) and where it came from. */
export interface WorldParameters {
  description: unknown;
  source: string;
  /** how https targets are verified (--ca, --insecure) */
  tls?: TlsOptions;
}

export type Role = 'caller' | 'callee';

/** An invitation the scenario follows: its URL and the last representation seen. */
export interface Tracked {
  role: Role;
  url: string;
  body?: Record<string, unknown>;
  /** links seen on earlier representations, by bare name, for 409/404 checks */
  remembered: Record<string, string>;
}

let parsed: { key: unknown; target: Target } | undefined;

function targetFrom(p: WorldParameters): Target {
  if (!parsed || parsed.key !== p.description) parsed = { key: p.description, target: parseTargetDescription(p.description, p.source) };
  return parsed.target;
}

/** A random value, unique per call, for threadId / operationId / endpointId. */
export function unique(prefix = ''): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** The World: the only state a scenario has. Fresh per scenario. */
export class ConformanceWorld extends World<WorldParameters> {
  readonly target: Target;
  readonly transport: HttpTransport;
  readonly client: Client;
  readonly pair: { caller: Account; callee: Account };
  readonly users = new Map<Role, User>();
  readonly apps = new Map<Role, Application>();
  readonly invitations = new Map<Role, Tracked>();
  /** the exchange of the request under test */
  last?: Exchange;
  /** further outgoing invitations the scenario created besides invitations.get('caller') (SM-3) */
  readonly others: Tracked[] = [];
  /** exchanges a When step keeps, by label, for a later Then step */
  readonly kept = new Map<string, Exchange[]>();
  /** the startMessaging body the caller sent */
  sent?: Record<string, unknown>;
  /** the threadId that correlates this scenario's invitation on both sides */
  threadId = unique('conformance-');
  /** the requirement IDs of the scenario's `@req:` tags, set before it runs */
  requirementIds: string[] = [];
  /** set once clean-up has begun: an application created after it is deleted at once */
  private closing = false;
  private readonly cleanUps: (() => Promise<void>)[] = [];
  /** removes this scenario from the clean-up registry of interrupted runs */
  unregister?: () => void;
  /** what discovery found (DISC-1) */
  discovered?: { exchanges: Exchange[]; userUrl?: string };
  /** ERR scenarios: threadIds of refused startMessaging requests, invitations as they stood before refusals, ⟨addMessaging⟩ */
  readonly refusals = { threadIds: [] as string[], before: new Map<Role, Record<string, unknown>>(), addMessaging: undefined as string | undefined };
  /** requests under test by label, when a scenario makes several (a further accept and a further decline, a race) */
  readonly labelled = new Map<string, Exchange>();
  /** invitations the scenario followed before `invitations` was pointed at newer ones (addMessaging) */
  readonly earlier: Tracked[] = [];

  /** The scenario's first requirement: the one a generic step checks. */
  get req(): string {
    const id = this.requirementIds[0];
    if (!id) throw new Error('the scenario has no @req: tag');
    return id;
  }

  constructor(options: IWorldOptions<WorldParameters>) {
    super(options);
    this.target = targetFrom(options.parameters);
    this.transport = new HttpTransport({ timeoutMs: 10_000, ...(options.parameters.tls ? { tls: options.parameters.tls } : {}) });
    this.client = new Client(this.target, this.transport);
    const pairs = [{ caller: this.target.users.caller, callee: this.target.users.callee }, ...this.target.users.pairs];
    const lease = leasePair(pairs);
    this.pair = lease.pair;
    this.releasePair = lease.release;
  }

  /** gives the scenario's caller/callee pair back to its worker (steps/support/lanes.ts) once clean-up is done */
  private readonly releasePair: () => void;

  get prefix() {
    return this.target.relPrefix;
  }

  /** Throws a RequirementFailure for `requirement` with the exchanges given (default: the request under test). */
  fail(requirement: string, expected: string, actual: string, exchanges?: readonly (Exchange | undefined)[]): never {
    const xs = (exchanges ?? [this.last]).filter((x): x is Exchange => x !== undefined);
    throw new RequirementFailure(requirement, expected, actual, xs, scenarioSecrets(this));
  }

  /** Fails `requirement` unless `ok`. */
  check(requirement: string, ok: boolean, expected: string, actual: unknown, exchanges?: readonly (Exchange | undefined)[]): void {
    if (!ok) this.fail(requirement, expected, typeof actual === 'string' ? actual : show(actual), exchanges);
  }

  /** Fails `requirement` when `doc` (canonicalized for the dialect) does not validate against schema `id`. */
  checkSchema(requirement: string, id: string, doc: unknown, exchanges?: readonly (Exchange | undefined)[]): void {
    const problems = validate(id, canonicalize(doc, this.prefix));
    this.check(requirement, problems.length === 0, `a document valid against ${id}`, problems.join('; '), exchanges);
  }

  /** The user of a role, created on first use (not yet signed in). */
  user(role: Role): User {
    let u = this.users.get(role);
    if (!u) {
      u = new User(this.client, role, this.pair[role]);
      this.users.set(role, u);
    }
    return u;
  }

  app(role: Role): Application {
    const a = this.apps.get(role);
    if (!a) throw new Inconclusive(`the ${role} has no application in this scenario`);
    return a;
  }

  channel(role: Role): EventChannel {
    const c = this.app(role).channel;
    if (!c) throw new Inconclusive(`the ${role}'s event channel is not open`);
    return c;
  }

  invitation(role: Role): Tracked {
    const t = this.invitations.get(role);
    if (!t) throw new Inconclusive(`the ${role} has no invitation in this scenario`);
    return t;
  }

  /** Signs the role in, creates its application and opens its event channel; the callee also makes itself available. */
  async ready(role: Role): Promise<Application> {
    const existing = this.apps.get(role);
    if (existing) return existing;
    const user = this.user(role);
    if (!user.token) await user.signIn();
    const app = await user.createApplication();
    this.apps.set(role, app);
    if (this.closing) {
      await app.delete().catch(() => undefined);
      throw new Inconclusive('the run was interrupted while the scenario was setting up');
    }
    app.openChannel();
    if (role === 'callee') {
      const x = await app.makeMeAvailable();
      if (x.status !== 204) throw new Inconclusive(`prerequisite APP-4 failed: makeMeAvailable answered ${x.status ?? x.error}`, x);
    }
    return app;
  }

  /** The default startMessaging body: every optional member set, with this scenario's threadId. */
  defaultStartMessaging(): Record<string, unknown> {
    return {
      to: this.pair.callee.uri,
      operationId: unique(),
      subject: 'Conformance check',
      importance: 'Normal',
      threadId: this.threadId,
      _links: { message: { href: 'data:text/plain;charset=utf-8,Hello%20from%20the%20conformance%20suite' } },
    };
  }

  /** POSTs startMessaging as the caller; on 201 tracks the caller's invitation by its Location. */
  async startMessaging(body: Record<string, unknown>, o: RequestOptions & { toInQuery?: string } = {}): Promise<Exchange> {
    const app = this.app('caller');
    this.sent = body;
    if (typeof body.threadId === 'string') this.threadId = body.threadId;
    const x = await app.startMessaging(body, o);
    this.last = x;
    const location = resolveHref(header(x, 'location'), x.url);
    if (x.status === 201 && location) this.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
    return x;
  }

  /** GETs the tracked invitation of a role; remembers its links; returns the exchange. */
  async readInvitation(role: Role): Promise<Exchange> {
    const t = this.invitation(role);
    const x = await this.app(role).get(t.url);
    const body = objectBody(x);
    if (x.status === 200 && body) this.observe(t, body);
    return x;
  }

  /** Records a representation of a tracked invitation (from a GET or an embedded copy). */
  observe(t: Tracked, body: Record<string, unknown>): void {
    t.body = body;
    const links = body._links;
    if (isObject(links))
      for (const [k, v] of Object.entries(links)) {
        const href = isObject(v) ? resolveHref(v.href, t.url) : undefined;
        if (href) t.remembered[k.startsWith(this.prefix) ? k.slice(this.prefix.length) : k] = href;
      }
  }

  /** Waits on the callee's channel for the incoming invitation of this scenario's threadId and tracks it. */
  async receiveIncoming(requirement = 'LC-2', timeoutMs = EVENT_WAIT_MS): Promise<ReceivedEvent> {
    const e = await this.waitEvent(requirement, () => this.channel('callee').waitForStartedWithThread(this.threadId, timeoutMs));
    if (!e.linkHref) this.fail('EV-6', 'the started event has a link.href', show(e.raw));
    const t: Tracked = { role: 'callee', url: e.linkHref, remembered: {} };
    this.invitations.set('callee', t);
    const copy = e.embeddedInvitation ?? e.fetched;
    if (copy) this.observe(t, copy);
    return e;
  }

  /** Runs an event wait; a missed deadline becomes a failure of `requirement`. */
  async waitEvent<T>(requirement: string, wait: () => Promise<T>): Promise<T> {
    try {
      return await wait();
    } catch (e) {
      if (e instanceof EventWaitTimeout) this.fail(requirement, `the ${e.what}`, e.message, []);
      throw e;
    }
  }

  /** Waits for the `completed` event of a role's tracked invitation. */
  completed(role: Role, timeoutMs = EVENT_WAIT_MS): Promise<ReceivedEvent> {
    const t = this.invitation(role);
    return this.waitEvent('EV-7', () => this.channel(role).waitForInvitationEvent(t.url, 'completed', timeoutMs));
  }

  /** Deletes what the scenario created and stops every request still in flight. */
  /** Adds clean-up work for what a scenario made outside the caller/callee pair (throw-away applications). */
  atCleanUp(fn: () => Promise<void>): void {
    this.cleanUps.push(fn);
  }

  async cleanUp(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      await this.cleanUpCreated();
    } finally {
      this.releasePair();
    }
  }

  private async cleanUpCreated(): Promise<void> {
    for (const fn of this.cleanUps) await fn().catch(() => undefined);
    for (const app of this.apps.values()) app.channel?.stop();
    // Let requests in flight (an application being created, say) finish, so that what they made is cleaned up.
    this.transport.abortWho((who) => who.endsWith('(events)'));
    await this.transport.settled(2000);
    const out = this.invitations.get('caller');
    const caller = this.apps.get('caller');
    if (out && caller && !caller.channel?.about(out.url).some((e) => e.type === 'completed')) {
      if (!out.remembered.cancel) await this.readInvitation('caller').catch(() => undefined);
      if (out.remembered.cancel && out.body?.state === 'Connecting') await caller.post(out.remembered.cancel).catch(() => undefined);
    }
    for (const t of this.others)
      if (caller && t.remembered.cancel && t.body?.state === 'Connecting') await caller.post(t.remembered.cancel).catch(() => undefined);
    this.transport.abortAll();
    await Promise.all([...this.apps.values()].filter((a) => !a.deleted).map((a) => a.delete().catch(() => undefined)));
    this.transport.abortAll();
  }

}

setWorldConstructor(ConformanceWorld);
