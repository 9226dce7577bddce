import { Then } from '@cucumber/cucumber';
import { rel } from './support/dialect';
import { show } from './support/expect';
import type { ConformanceWorld } from './support/world';
import type { ReceivedEvent } from './support/events';
import { EVENT_WAIT_MS } from './support/timing';

const ROLES = ['caller', 'callee'] as const;

Then('every event batch on both channels has the profile\'s shape', function (this: ConformanceWorld) {
  for (const role of ROLES)
    for (const b of this.channel(role).batches)
      this.check('EV-1', b.problems.length === 0, `batch #${b.seq} on the ${role}'s channel valid against the event-batch schema`, b.problems.join('; '), [b.exchange]);
});

Then('every invitation event on both channels comes from the communication sender and links its invitation', async function (this: ConformanceWorld) {
  for (const role of ROLES) {
    const ch = this.channel(role);
    const comm = this.app(role).communicationUrl;
    const url = this.invitation(role).url;
    // Events of this scenario's invitation, told by the threadId of their embedded (or fetched) copy, so that a
    // wrong link.href is seen as such rather than as a missing event.
    const ours = (e: ReceivedEvent) => e.linkHref === url || (e.embeddedInvitation ?? e.fetched)?.threadId === this.threadId;
    await this.waitEvent('EV-6', () => ch.waitFor((e) => ours(e) && e.type === 'completed', EVENT_WAIT_MS, `completed event of the ${role}'s invitation`));
    for (const e of ch.events.filter((x) => x.linkRel === 'messagingInvitation' || ours(x))) {
      const x = ch.batches[e.batch - 1]?.exchange;
      if (ours(e)) {
        this.check('EV-6', e.linkRel === 'messagingInvitation', `link.rel ${rel(this.prefix, 'messagingInvitation')}`, show((e.raw.link as { rel?: unknown } | undefined)?.rel), [x]);
        this.check('EV-6', e.linkHref === url, `link.href resolving to the ${role}'s invitation ${url}`, show(e.linkHref), [x]);
      }
      this.check('EV-6', e.senderRel === rel(this.prefix, 'communication'), `sender rel ${rel(this.prefix, 'communication')}`, e.senderRel, [x]);
      this.check('EV-6', e.senderHref === comm, `sender href resolving to the communication resource ${comm}`, e.senderHref, [x]);
      this.check('EV-6', ['started', 'updated', 'completed'].includes(e.type), 'type started, updated or completed', e.type, [x]);
    }
  }
});

function checkStartedThenCompleted(w: ConformanceWorld, role: 'caller' | 'callee', req: string): void {
  const types = w.channel(role).about(w.invitation(role).url).map((e) => e.type);
  const ok = types[0] === 'started' && types[types.length - 1] === 'completed' && types.slice(1, -1).every((t) => t === 'updated');
  w.check(req, ok, `on the ${role}'s channel: started, updated*, completed`, types.join(', '), []);
}

Then('each channel carries exactly one started and then one completed for its invitation', async function (this: ConformanceWorld) {
  for (const role of ROLES) checkStartedThenCompleted(this, role, 'EV-7');
});

Then("the caller's channel carries one started and then one completed for that invitation", async function (this: ConformanceWorld) {
  await this.completed('caller');
  checkStartedThenCompleted(this, 'caller', this.req);
});

Then('both completed events carry status {string} and the paired Declined reasons', async function (this: ConformanceWorld, status: string) {
  const want = { caller: 'RemoteFailure', callee: 'LocalFailure' } as const;
  for (const role of ROLES) {
    const e = await this.completed(role);
    this.check('EV-8', e.status === status, `status ${status} on the ${role}'s completed event`, e.status, []);
    const r = e.reason as { code?: unknown; subcode?: unknown } | undefined;
    this.check('EV-8', typeof r === 'object' && r !== null && r.code === want[role] && r.subcode === 'Declined', `reason {code: ${want[role]}, subcode: Declined} on the ${role}'s completed event`, show(e.reason), []);
  }
});

Then('both completed events carry status {string} and no reason', async function (this: ConformanceWorld, status: string) {
  for (const role of ROLES) {
    const e = await this.completed(role);
    this.check('EV-8', e.status === status, `status ${status} on the ${role}'s completed event`, e.status, []);
    this.check('EV-8', e.reason === undefined, `no reason on the ${role}'s completed event`, show(e.reason), []);
  }
});
