/** §2 wire conventions: rel spelling, data URIs. */
import { formatDataUri, parseDataUri } from '../datauri';
import { fault } from './fault';
import { editInvitation, linksOf, prefixOf, renameKey } from './util';

export const WIRE = [
  fault({
    name: 'cancel-link-key-unprefixed', description: 'the ⟨cancel⟩ link key is spelled without the dialect prefix', breaks: ['WIRE-3', 'MI-13', 'EV-9'],
    seam: 'represent', hook: editInvitation((rep, _inv, _view, ctx) => void (rep._links = renameKey(linksOf(rep), ctx.behaviour.rel('cancel'), 'cancel'))),
  }),
  fault({
    name: 'invitation-rel-unprefixed', description: 'the invitation\'s `rel` property is spelled without the dialect prefix', breaks: ['WIRE-3', 'MI-1', 'EV-9'],
    seam: 'represent', hook: editInvitation((rep) => void (rep.rel = 'messagingInvitation')),
  }),
  fault({
    name: 'invitation-self-prefixed', description: 'the invitation\'s `self` link key carries the dialect prefix', breaks: ['WIRE-2', 'WIRE-3', 'MI-1', 'MI-10', 'EV-9'],
    seam: 'represent', hook: editInvitation((rep, _inv, _view, ctx) => void (rep._links = renameKey(linksOf(rep), 'self', `${prefixOf(ctx)}self`))),
  }),
  fault({
    name: 'discovery-user-prefixed', description: 'the discovery root spells its `user` link with a prefix', breaks: ['WIRE-3', 'DISC-1'],
    seam: 'represent',
    hook: (t, ctx) => ({
      discovery(rep) {
        const out = t.discovery(rep);
        return { ...out, _links: renameKey(linksOf(out), 'user', `${prefixOf(ctx)}user`) };
      },
    }),
  }),
  fault({
    name: 'data-uri-plus-kept', description: 'a `+` in a percent-encoded data URI is kept as a plus, not read as a space', breaks: ['WIRE-5', 'SM-8', 'MI-9'],
    seam: 'behaviour',
    hook: () => ({
      dataUri(_name, href) {
        const parsed = parseDataUri(href, false);
        return parsed ? formatDataUri(parsed, false) : undefined;
      },
    }),
  }),
  fault({
    name: 'data-uri-double-encoded', description: 'data URIs are re-emitted with their bytes read as Latin-1 and encoded again as UTF-8', breaks: ['WIRE-5', 'SM-8', 'MI-9', 'OPT-3'],
    seam: 'behaviour',
    hook: () => ({
      dataUri(_name, href) {
        const parsed = parseDataUri(href, true);
        return parsed ? formatDataUri(parsed, true) : undefined;
      },
    }),
  }),
  fault({
    name: 'custom-content-prefixed', description: 'the customContent link key carries the dialect prefix', breaks: ['WIRE-3', 'OPT-3'],
    seam: 'represent',
    hook: editInvitation((rep, _inv, _view, ctx) => void (rep._links = renameKey(linksOf(rep), ctx.behaviour.rel('customContent'), `${prefixOf(ctx)}customContent`))),
  }),
] as const;
