/** §6 links an invitation shows in each state, §9 the states themselves. */
import type { InvitationState } from '../model';
import { fault } from './fault';
import { editInvitation, embeddedOf, linksOf, tidyEmbedded } from './util';

export const LINKS_AND_STATES = [
  fault({
    name: 'cancel-link-missing-while-connecting', description: 'the outgoing invitation never shows ⟨cancel⟩', breaks: ['MI-13', 'EV-9'],
    seam: 'represent', hook: editInvitation((rep, _inv, _view, ctx) => delete linksOf(rep)[ctx.behaviour.rel('cancel')]),
  }),
  fault({
    name: 'cancel-link-after-completion', description: 'the outgoing invitation keeps ⟨cancel⟩ after completion', breaks: ['MI-13', 'EV-9', 'LC-6'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      if (inv.direction === 'Outgoing') linksOf(rep)[ctx.behaviour.rel('cancel')] ??= { href: `${inv.href}/cancel` };
    }),
  }),
  fault({
    name: 'answer-links-kept-after-completion', description: 'the incoming invitation keeps ⟨accept⟩ and ⟨decline⟩ after answering and completion', breaks: ['MI-12', 'ACC-3', 'DEC-3', 'EV-9', 'LC-6'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      if (inv.direction !== 'Incoming') return;
      const links = linksOf(rep);
      for (const action of ['accept', 'decline', 'acceptAndBridge', 'startAdhocMeeting']) links[ctx.behaviour.rel(action)] ??= { href: `${inv.href}/${action}` };
    }),
  }),
  fault({
    name: 'accept-link-on-outgoing', description: 'the outgoing invitation shows ⟨accept⟩ while Connecting', breaks: ['MI-12', 'EV-9'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      if (inv.direction === 'Outgoing' && rep.state === 'Connecting') linksOf(rep)[ctx.behaviour.rel('accept')] = { href: `${inv.href}/accept` };
    }),
  }),
  fault({
    name: 'decline-link-missing', description: 'the incoming invitation never shows ⟨decline⟩', breaks: ['MI-12', 'EV-9'],
    seam: 'represent', hook: editInvitation((rep, _inv, _view, ctx) => delete linksOf(rep)[ctx.behaviour.rel('decline')]),
  }),
  fault({
    name: 'conversation-link-missing-after-completion', description: 'completed invitations have no ⟨conversation⟩ link', breaks: ['MI-10', 'EV-9', 'LC-6'],
    seam: 'represent',
    hook: editInvitation((rep, _inv, _view, ctx) => {
      if (rep.state !== 'Connecting') delete linksOf(rep)[ctx.behaviour.rel('conversation')];
    }),
  }),
  fault({
    name: 'messaging-link-missing-after-completion', description: 'completed invitations have no ⟨messaging⟩ link', breaks: ['MI-10', 'EV-9', 'LC-6'],
    seam: 'represent',
    hook: editInvitation((rep, _inv, _view, ctx) => {
      if (rep.state !== 'Connecting') delete linksOf(rep)[ctx.behaviour.rel('messaging')];
    }),
  }),
  fault({
    name: 'from-link-missing-on-outgoing', description: 'the outgoing invitation has no ⟨from⟩ link', breaks: ['MI-11', 'EV-9'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      if (inv.direction === 'Outgoing') delete linksOf(rep)[ctx.behaviour.rel('from')];
    }),
  }),
  fault({
    name: 'from-is-callee-on-incoming', description: 'the incoming invitation embeds the callee (local participant) as ⟨from⟩', breaks: ['MI-11', 'EV-9'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      if (inv.direction === 'Incoming') embeddedOf(rep)[ctx.behaviour.rel('from')] = ctx.rep.participant(inv.conversation, inv.conversation.local);
    }),
  }),
  fault({
    name: 'accepted-by-participant-missing', description: 'a successful outgoing invitation does not embed ⟨acceptedByParticipant⟩', breaks: ['MI-14', 'ACC-2'],
    seam: 'represent',
    hook: editInvitation((rep, _inv, _view, ctx) => {
      if (!rep._embedded) return;
      delete embeddedOf(rep)[ctx.behaviour.rel('acceptedByParticipant')];
      tidyEmbedded(rep);
    }),
  }),
  fault({
    name: 'accepted-by-participant-after-failure', description: 'a failed outgoing invitation embeds ⟨acceptedByParticipant⟩', breaks: ['MI-14'],
    seam: 'represent',
    hook: editInvitation((rep, inv, view, ctx) => {
      const completion = view && !view.final ? undefined : inv.completion;
      if (inv.direction === 'Outgoing' && completion !== undefined) {
        embeddedOf(rep)[ctx.behaviour.rel('acceptedByParticipant')] ??= [ctx.rep.participant(inv.conversation, inv.conversation.remote)];
      }
    }),
  }),
  fault({
    name: 'accepted-by-participant-is-caller', description: '⟨acceptedByParticipant⟩ embeds the caller instead of the callee', breaks: ['MI-14'],
    seam: 'represent',
    hook: editInvitation((rep, inv, _view, ctx) => {
      const key = ctx.behaviour.rel('acceptedByParticipant');
      if (rep._embedded && key in (rep._embedded as object)) embeddedOf(rep)[key] = [ctx.rep.participant(inv.conversation, inv.conversation.local)];
    }),
  }),
  fault({
    name: 'connected-after-decline', description: 'a declined invitation ends in state Connected on both sides', breaks: ['MI-3', 'DEC-2', 'LC-1'],
    seam: 'behaviour', hook: (b) => ({ finalState: (c) => (c.status !== 'Success' && c.reason?.subcode === 'Declined' ? 'Connected' : b.finalState(c)) }),
  }),
  fault({
    name: 'failed-after-accept', description: 'an accepted invitation ends in state Failed on both sides', breaks: ['MI-3', 'ACC-2', 'LC-1'],
    seam: 'behaviour', hook: (b) => ({ finalState: (c) => (c.status === 'Success' ? 'Failed' : b.finalState(c)) }),
  }),
  fault({
    name: 'state-expires-to-failed', description: 'a completed invitation reads state Failed from 1 s after completion', breaks: ['MI-3', 'LC-1', 'LC-6'],
    seam: 'represent',
    hook: editInvitation((rep, inv, view) => {
      if (!view && inv.completedAt !== undefined && Date.now() - inv.completedAt >= 1000) rep.state = 'Failed';
    }),
  }),
  fault({
    name: 'disconnected-instead-of-failed', description: 'failed invitations end in state "Disconnected"', breaks: ['MI-3', 'LC-1', 'WIRE-7', 'DEC-2', 'CAN-2', 'LC-3'],
    seam: 'behaviour', hook: (b) => ({ finalState: (c) => (c.status === 'Success' ? b.finalState(c) : 'Disconnected' as InvitationState) }),
  }),
  fault({
    name: 'messaging-state-missing', description: 'the messaging resource has no `state`', breaks: ['MI-15'],
    seam: 'represent',
    hook: (t) => ({
      messaging(rep, conv) {
        const out = t.messaging(rep, conv);
        delete out.state;
        return out;
      },
    }),
  }),
] as const;
