/**
 * The TAA sentences PROFILE.md §15.1 adds to existing rows, where they need more than the transport-neutral
 * session: ACC-1's mediaHost body for a TAA callee, SEC-2 on callbacks, SEC-5 on the declared callback URLs.
 * Each step is a no-op for the UCWA sides of a combination.
 */
import { Then, When } from '@cucumber/cucumber';
import { Inconclusive } from './support/client';
import { checkRefusal } from './support/checks';
import { callbackExchange, checkForeignRefusal, conversationUrls, isAbout, scenarioCallbacks, taaRoles } from './support/taa-checks';
import type { ConformanceWorld, Role } from './support/world';

When('the callee accepts the invitation with mediaHost {string}', async function (this: ConformanceWorld, mediaHost: string) {
  const href = this.invitation('callee').remembered.accept;
  if (!href) throw new Inconclusive("prerequisite MI-12 failed: the callee's invitation offers no accept link");
  this.last = await this.app('callee').post(href, { body: { mediaHost } });
});

Then("no callback to a TAA side's callback URLs mentions the other side's invitation", async function (this: ConformanceWorld) {
  const roles = taaRoles(this);
  if (!roles.length) return;
  const other = (r: Role): Role => (r === 'caller' ? 'callee' : 'caller');
  const foreign = new Map<Role, Set<string>>(roles.map((r) => [r, conversationUrls(this, other(r))]));
  for (const { role, callback: c } of await scenarioCallbacks(this))
    this.check('SEC-2', !isAbout(c, foreign.get(role) as Set<string>, undefined), `callback #${c.seq} to the ${role}'s callback URL carries only the ${role}'s resources`, `it names the ${other(role)}'s invitation, conversation or messaging`, [callbackExchange(c)]);
});

Then('every callback URL of the TAA accounts uses https', function (this: ConformanceWorld) {
  const taa = this.target.taa;
  if (!taa) return;
  const urls = [...taaRoles(this).map((r) => this.pair[r].callbackUrl as string), ...(taa.callbackReceiver.conversationUrlBase ? [taa.callbackReceiver.conversationUrlBase] : [])];
  const plain = urls.filter((u) => !/^https:/i.test(u));
  this.check('SEC-5', plain.length === 0, 'https: callback URLs (plain http is for local testing only)', `${plain.length} plain-http callback URLs, e.g. ${plain.slice(0, 3).join(', ')}${taa.allowHttpCallbackUrls ? ' (taa.allowHttpCallbackUrls declared)' : ''}`, []);
});

/**
 * ERR-7 / SEC-3 between principals of one transport (D47): two UCWA users → 404 NotFound (subcode `ucwaSubcodes`);
 * TAA endpoints of different applications → 403 or 404 with subcode ApplicationNotFound or None. Two TAA endpoints of
 * one application are one principal: nothing to check (the requirement does not apply to such a pair).
 */
function checkOtherPrincipal(w: ConformanceWorld, ucwaSubcodes: string): void {
  const x = w.last;
  if (!x) throw new Error('suite defect: no request under test');
  if (w.isTaa('caller') !== w.isTaa('callee')) throw new Error('suite defect: a cross-principal check over two transports (TAUTH-4 covers that)');
  if (!w.isTaa('caller')) {
    checkRefusal(w, w.req, x, 404, ucwaSubcodes);
    return;
  }
  if (w.pair.caller.clientId !== undefined && w.pair.caller.clientId === w.pair.callee.clientId)
    throw new Inconclusive(`not applicable to this pair: ${w.pair.caller.uri} and ${w.pair.callee.uri} belong to one application (${w.pair.caller.clientId}), one principal (D47)`);
  checkForeignRefusal(w, w.req, x, ['ApplicationNotFound', 'None']);
}

Then("the request is refused as for another principal's invitation", function (this: ConformanceWorld) {
  checkOtherPrincipal(this, 'None');
});

Then("the request is refused as for another principal's application", function (this: ConformanceWorld) {
  checkOtherPrincipal(this, 'None|ApplicationNotFound');
});
