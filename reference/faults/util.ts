/** Small helpers the faults share for editing representations and reading request paths. */
import type { Ctx } from '../context';
import type { Invitation } from '../model';
import type { Exchange, InvitationView, Json, RepresentHooks } from '../seams';

export type Links = Record<string, { href: string; title?: string }>;

export const linksOf = (rep: Json): Links => rep._links as Links;

/** The `_embedded` object, created when absent. */
export function embeddedOf(rep: Json): Json {
  return (rep._embedded ??= {}) as Json;
}

/** Drops `_embedded` when nothing is left in it. */
export function tidyEmbedded(rep: Json): void {
  if (rep._embedded && Object.keys(rep._embedded as Json).length === 0) delete rep._embedded;
}

/** A copy of `obj` with the key `from` renamed `to`, in place (member order kept). */
export function renameKey<T extends Record<string, unknown>>(obj: T, from: string, to: string): T {
  if (!(from in obj) || from === to) return obj;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === from ? to : k, v])) as T;
}

/** The dialect prefix spelled out, also for the bare dialect (faults that add a prefix where none belongs). */
export const prefixOf = (ctx: Ctx): string => ctx.behaviour.relPrefix || 'ms:rtc:saas:';

/** The path's segments after `/ucwa/v1/applications/{app}/`. */
export function restOf(ex: Exchange): string[] {
  return ex.path.split('/').slice(5);
}

/** The caller's own invitation the path names (…/messagingInvitations/{id}[/action]), if any. */
export function invitationOf(ex: Exchange): Invitation | undefined {
  const rest = restOf(ex);
  if (!ex.app || rest[0] !== 'communication' || rest[1] !== 'messagingInvitations' || rest[2] === undefined) return undefined;
  return ex.app.invitations.get(rest[2]);
}

/** Whether the path is an invitation action (…/messagingInvitations/{id}/{action}) requested with POST. */
export function isAction(ex: Exchange, action: string): boolean {
  const rest = restOf(ex);
  return ex.req.method === 'POST' && rest.length === 4 && rest[1] === 'messagingInvitations' && rest[3] === action;
}

/** A represent hook for the invitation that edits the representation in place after the hooks before it. */
export function editInvitation(edit: (rep: Json, inv: Invitation, view: InvitationView | undefined, ctx: Ctx) => void) {
  return (t: RepresentHooks, ctx: Ctx): Partial<RepresentHooks> => ({
    invitation(rep, inv, view) {
      const out = t.invitation(rep, inv, view);
      edit(out, inv, view, ctx);
      return out;
    },
  });
}
