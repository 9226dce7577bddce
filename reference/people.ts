/**
 * The `people` resource a UCWA client's application expects (outside PROFILE.md, which §13 tolerates as extras):
 * search over the accounts, an empty contact list, each account as a `contact` with its presence. Plain JSON in the
 * dialect's rels; no fault reaches these, so they do not pass through the represent seam.
 */
import type { Account } from './accounts';
import type { Ctx, Reply, Rq } from './context';
import { invalidParameters, notFound } from './errors';
import { availableApplication } from './lifecycle';
import type { Application } from './model';
import { peopleHref } from './represent';
import type { Json } from './seams';

/** How many contacts a search returns at most. */
const SEARCH_LIMIT = 100;

const contactHref = (app: Application, a: Account): string => `${peopleHref(app)}/${encodeURIComponent(a.uri)}`;


function contact(ctx: Ctx, app: Application, a: Account): Json {
  const r = ctx.behaviour.rel;
  const self = contactHref(app, a);
  return {
    rel: r('contact'),
    uri: a.uri,
    name: a.name,
    _links: { self: { href: self }, [r('contactPresence')]: { href: `${self}/presence` } },
  };
}

/** GET people/search?query=…: accounts whose URI, sign-in name or display name contains the query (case-insensitive). */
export function search(ctx: Ctx, app: Application, rq: Rq): Reply {
  const query = (rq.query.get('query') ?? '').trim().toLowerCase().replace(/^sip:/, '');
  if (query === '') throw invalidParameters({ query: 'required' });
  const found = ctx.accounts.list()
    .filter((a) => [a.uri.slice(4), a.username, a.name].some((text) => text.toLowerCase().includes(query)))
    .slice(0, SEARCH_LIMIT);
  const r = ctx.behaviour.rel;
  return {
    status: 200,
    body: { rel: r('search'), _links: { self: { href: `${peopleHref(app)}/search` } }, _embedded: { [r('contact')]: found.map((a) => contact(ctx, app, a)) } },
  };
}

/** The route of `people/…`, or 404. */
export function peopleRoute(ctx: Ctx, rq: Rq, app: Application, rest: readonly string[]): Record<string, () => Reply> {
  const r = ctx.behaviour.rel;
  const [b, c] = rest;
  if (rest.length === 0) return { GET: () => ({ status: 200, body: ctx.rep.people(app) }) };
  if (rest.length === 1 && b === 'search') return { GET: () => search(ctx, app, rq) };
  if (rest.length === 1 && b === 'contacts') {
    return { GET: () => ({ status: 200, body: { rel: r('myContacts'), _links: { self: { href: `${peopleHref(app)}/contacts` } }, _embedded: { [r('contact')]: [] } } }) };
  }
  let account: Account | undefined;
  try {
    account = b === undefined ? undefined : ctx.accounts.findByUri(decodeURIComponent(b));
  } catch {
    account = undefined; // not percent-encoded well: names no contact
  }
  if (!account) throw notFound();
  if (rest.length === 1) return { GET: () => ({ status: 200, body: contact(ctx, app, account) }) };
  if (rest.length === 2 && c === 'presence') {
    return {
      GET: () => ({
        status: 200,
        body: {
          rel: r('contactPresence'),
          availability: availableApplication(ctx, account) ? 'Online' : 'Offline',
          _links: { self: { href: `${contactHref(app, account)}/presence` } },
        },
      }),
    };
  }
  throw notFound();
}
