import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { Application, Client, Inconclusive, User, header, objectBody, type RequestOptions } from './client';
import { canonicalize } from './dialect';
import type { EventChannel, EventSource, ReceivedEvent } from './events';
import { ReceiverClient } from './callbacks/client';
import type { Session } from './session';
import { TaaClient } from './taa/client';
import { TaaSession, TaaUser } from './taa/session';
import { EventWaitTimeout } from './events';
import type { Exchange } from './exchange';
import { HttpTransport, type TlsOptions } from './http';
import { isObject, resolveHref } from './links';
import { RequirementFailure, show } from './expect';
import { scenarioSecrets } from './evidence';
import { validate } from './schemas';
import { leasePair, pairsOf, wantedOf, combinationOfPair, type Combination, type PairLease, type Wanted } from './pairs';
import { parseTargetDescription, type Account, type TaaConfig, type Target } from './target';
import { EVENT_WAIT_MS } from './timing';
import { signsInAfresh } from './sign-ins';
import { unique } from './values';
import { isStopping, tracked } from './live';

/** What the runner hands every worker: the raw description (secrets still `{"env": …}`) and where it came from. */
export interface WorldParameters {
  description?: unknown;
  /**
   * The description as JSON text, in place of `description` (what the command line passes): Cucumber gives every
   * World a structuredClone of its parameters, and cloning the embedded description's object (dozens of accounts)
   * for each scenario, then writing it out again as the cache key, cost a quick run's worker ~0.1 s; a string
   * costs nothing to clone and is its own key.
   */
  descriptionJson?: string;
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

/** `taa→ucwa`, as reports name a combination. */
export function combinationName(c: Combination): string {
  return `${c.caller}→${c.callee}`;
}

let parsed: { source: string; json: string; target: Target } | undefined;

/** The parsed target, once per worker: Cucumber hands every World a copy of its parameters, so the key is their text. */
function targetFrom(p: WorldParameters): Target {
  const json = p.descriptionJson ?? JSON.stringify(p.description);
  if (parsed?.source !== p.source || parsed.json !== json) parsed = { source: p.source, json, target: parseTargetDescription(p.descriptionJson !== undefined ? (JSON.parse(json) as unknown) : p.description, p.source) };
  return parsed.target;
}

/** The World: the only state a scenario has. Fresh per scenario. */
export class ConformanceWorld extends World<WorldParameters> {
  readonly target: Target;
  readonly transport: HttpTransport;
  readonly client: Client;
  private chosenPair: { caller: Account; callee: Account };
  /** the scenario's transport combination (from its `@via:` tag; default ucwa→ucwa) */
  combination: Combination = { caller: 'ucwa', callee: 'ucwa' };
  /** the lease of the scenario's pair (steps/support/pairs.ts), given back at clean-up */
  private lease?: PairLease;
  /** UCWA users by role (TAA endpoints are TaaSession users) */
  readonly users = new Map<Role, User>();
  /** the sessions of the scenario by role: UCWA applications or TAA endpoints (steps/support/session.ts) */
  readonly apps = new Map<Role, Session>();
  /** tokens the TAA client obtained for this scenario (client-credentials grants), redacted like every other token */
  readonly issuedTokens: string[] = [];
  /** the bearer tokens of the callbacks the scenario's endpoints received (CB-5), redacted wherever they appear */
  readonly callbackTokens: string[] = [];
  private taaClientInstance?: TaaClient;
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
  private cleaningUp: Promise<void> | undefined;
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
    // Until Before leases a pair (takePair), the worker's own pair, as before leasing existed.
    const pairs = pairsOf(this.target);
    this.chosenPair = pairs[Number(process.env.CUCUMBER_WORKER_ID ?? 0) % pairs.length] ?? pairs[0]!;
    this.combination = combinationOfPair(this.chosenPair);
  }

  /** The caller/callee pair of the scenario (TARGET.md §10). */
  get pair(): { caller: Account; callee: Account } {
    return this.chosenPair;
  }

  /**
   * Takes the scenario's pair for its whole duration (TARGET.md §10): a free pair of the combination its `@via:` tag
   * names (bin/combinations.ts), else of ucwa→ucwa (else the first pair's caller transport: a TAA-only target).
   */
  async takePair(tags: readonly string[]): Promise<void> {
    const first = pairsOf(this.target)[0]!;
    const wanted: Wanted = wantedOf(tags) ?? (first.caller.transport === 'ucwa' && this.target.users.pairs.concat([first]).some((p) => p.caller.transport === 'ucwa' && p.callee.transport === 'ucwa') ? { caller: 'ucwa', callee: 'ucwa' } : { caller: first.caller.transport });
    const lease = await leasePair(this.target, wanted);
    if (this.closing) {
      lease.release();
      throw new Inconclusive('the run was interrupted while the scenario waited for a pair');
    }
    this.lease = lease;
    this.chosenPair = lease.pair;
    this.combination = lease.combination;
  }

  /** The parsed `taa` object, or Inconclusive when the target has none. */
  get taa(): TaaConfig {
    if (!this.target.taa) throw new Inconclusive('the target description has no taa object');
    return this.target.taa;
  }

  /** The TAA transport's client (raw calls: grant, discover, applications with any endpointId; 307/308 followed). */
  get taaClient(): TaaClient {
    this.taaClientInstance ??= new TaaClient(this.client);
    return this.taaClientInstance;
  }

  /** The run's callback receiver (its worker-side client), or Inconclusive when the run has none. */
  get receiver(): ReceiverClient {
    const r = ReceiverClient.fromEnv();
    if (!r) throw new Inconclusive('this run has no callback receiver: callbacks cannot be observed');
    return r;
  }

  /** The session of a role (UCWA application or TAA endpoint), signing in as needed: the same as `ready`. */
  session(role: Role): Promise<Session> {
    return this.ready(role);
  }

  /** Whether a role of the scenario's pair is a TAA endpoint. */
  isTaa(role: Role): boolean {
    return this.pair[role].transport === 'taa';
  }

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

  /** The UCWA user of a role, created on first use (not yet signed in); Inconclusive for a TAA endpoint. */
  user(role: Role): User {
    if (this.isTaa(role))
      throw new Inconclusive(`the ${role} (${this.pair[role].uri}) is a TAA endpoint: this step needs a UCWA user (not applicable over ${combinationName(this.combination)})`);
    let u = this.users.get(role);
    if (!u) {
      u = new User(this.client, role, this.pair[role]);
      this.users.set(role, u);
    }
    return u;
  }

  app(role: Role): Session {
    const a = this.apps.get(role);
    if (!a) throw new Inconclusive(`the ${role} has no application in this scenario`);
    return a;
  }

  /** A UCWA application of a role (Inconclusive when the role is a TAA endpoint or has none). */
  ucwaApp(role: Role): Application {
    const a = this.app(role);
    if (!(a instanceof Application)) throw new Inconclusive(`the ${role} is a TAA endpoint: this step needs a UCWA application (not applicable over ${combinationName(this.combination)})`);
    return a;
  }

  /** The P-GET channel of a role's UCWA application (Inconclusive for a TAA endpoint). */
  ucwaChannel(role: Role): EventChannel {
    const c = this.ucwaApp(role).channel;
    if (!c) throw new Inconclusive(`the ${role}'s event channel is not open`);
    return c;
  }

  channel(role: Role): EventSource {
    const c = this.app(role).channel;
    if (!c) throw new Inconclusive(`the ${role}'s event channel is not open`);
    return c;
  }

  invitation(role: Role): Tracked {
    const t = this.invitations.get(role);
    if (!t) throw new Inconclusive(`the ${role} has no invitation in this scenario`);
    return t;
  }

  /**
   * Signs the role in, creates its application and opens its event channel; the callee also makes itself available.
   * A TAA role: its callback stream is opened on the run's receiver; the caller opens its session (token, discovery,
   * application by endpointId), the callee sends nothing before its `started` arrives (TAPP-6).
   */
  async ready(role: Role): Promise<Session> {
    const existing = this.apps.get(role);
    if (existing) return existing;
    if (this.isTaa(role)) return this.readyTaa(role);
    const user = this.user(role);
    if (!user.token) await user.signIn({ reuse: !signsInAfresh(this.requirementIds) });
    const app = await this.created(() => user.createApplication());
    this.apps.set(role, app);
    app.openChannel();
    if (role === 'callee') {
      const x = await app.makeMeAvailable();
      if (x.status !== 204) throw new Inconclusive(`prerequisite APP-4 failed: makeMeAvailable answered ${x.status ?? x.error}`, x);
    }
    return app;
  }

  private readyTaa(role: Role): Promise<Session> {
    const pending = this.taaReady.get(role);
    if (pending) return pending;
    const p = (async () => {
      const user = new TaaUser(this.taaClient, role, this.pair[role], (t) => this.issuedTokens.push(t), !signsInAfresh(this.requirementIds));
      const session = new TaaSession(user);
      await session.openChannel(this.receiver, (x, token) => {
        this.client.exchanges.push(x);
        if (token) this.callbackTokens.push(token);
      });
      if (role === 'caller') await session.open();
      this.apps.set(role, session);
      return session;
    })();
    this.taaReady.set(role, p);
    p.catch(() => this.taaReady.delete(role));
    return p;
  }

  private readonly taaReady = new Map<Role, Promise<Session>>();

  /** The default startMessaging body: every optional member set, with this scenario's threadId. */
  defaultStartMessaging(): Record<string, unknown> {
    return {
      // a TAA endpoint's uri is used as `to` in lower case (TARGET.md §3)
      to: this.isTaa('callee') ? this.pair.callee.uri.toLowerCase() : this.pair.callee.uri,
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
    // a TAA callee's first requests follow its started (TAPP-6): now its session opens (application, communication)
    const callee = this.apps.get('callee');
    if (callee instanceof TaaSession) await callee.open();
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

  /**
   * Makes something the scenario's clean-up must remove (an application): not once the clean-up has begun (an
   * interrupting signal), and when it began while this was being made, deleted again at once (live.ts waits for it).
   */
  async created<T extends { delete(): Promise<unknown> }>(make: () => Promise<T>): Promise<T> {
    const interrupted = () => new Inconclusive('the run was interrupted while the scenario was setting up');
    // a scenario the worker started after the signal (its coordinator had already handed it out) makes nothing
    if (this.closing || isStopping()) throw interrupted();
    return tracked(
      (async () => {
        const made = await make();
        if (this.closing || isStopping()) {
          await made.delete().catch(() => undefined);
          throw interrupted();
        }
        return made;
      })(),
    );
  }

  /** Adds clean-up work for what a scenario made outside the caller/callee pair (throw-away applications). */
  atCleanUp(fn: () => Promise<void>): void {
    this.cleanUps.push(fn);
  }

  /**
   * Deletes what the scenario made and gives its pair back; a second call (an interrupting signal during the After
   * hook's clean-up) waits for the same clean-up instead of returning before it is done.
   */
  cleanUp(): Promise<void> {
    this.cleaningUp ??= (async () => {
      this.closing = true;
      try {
        await this.cleanUpCreated();
      } finally {
        // the pair is given back only once what the scenario made is gone (TARGET.md §10)
        this.lease?.release();
      }
    })();
    return this.cleaningUp;
  }

  private async cleanUpCreated(): Promise<void> {
    for (const fn of this.cleanUps) await fn().catch(() => undefined);
    for (const app of this.apps.values()) app.channel?.stop();
    // Let requests in flight (an application being created, say) finish, and the steps awaiting them record what
    // they made (a turn of the event loop after the answer), so that it is cleaned up: an interrupting signal
    // otherwise left an application whose creation was answered just after the clean-up had looked. The pending
    // P-GETs stay: the deletion below ends them.
    const deadline = performance.now() + 2000;
    do {
      await this.transport.settled(Math.max(0, deadline - performance.now()), notEvents);
      await new Promise((r) => setImmediate(r));
    } while (this.transport.inFlight(notEvents) > 0 && performance.now() < deadline);
    const out = this.invitations.get('caller');
    const caller = this.apps.get('caller');
    if (out && caller && !caller.deleted && !caller.channel?.about(out.url).some((e) => e.type === 'completed')) {
      if (!out.remembered.cancel) await this.readInvitation('caller').catch(() => undefined);
      if (out.remembered.cancel && out.body?.state === 'Connecting') await caller.post(out.remembered.cancel).catch(() => undefined);
    }
    for (const t of this.others)
      if (caller && t.remembered.cancel && t.body?.state === 'Connecting') await caller.post(t.remembered.cancel).catch(() => undefined);
    this.transport.abortWho(notEvents);
    await Promise.all([...this.apps.values()].filter((a) => !a.deleted).map((a) => a.delete().catch(() => undefined)));
    // Deleting an application ends its pending P-GET (EV-5: the reference server answers 404 at once). Waiting a
    // moment for that answer keeps the connection open for the next scenario; aborting the P-GET closed it, and
    // a quick run opened ~700 extra connections for that. A target that leaves it pending costs this wait.
    await this.transport.settled(P_GET_END_MS);
    this.transport.abortAll();
  }

}

/** The requests other than the event channels' P-GETs. */
const notEvents = (who: string) => !who.endsWith('(events)');

/** How long a scenario's clean-up waits for the P-GETs of its deleted applications to be answered. */
const P_GET_END_MS = 100;

setWorldConstructor(ConformanceWorld);
