import { After, Before, setDefaultTimeout, setDefinitionFunctionWrapper, Status } from '@cucumber/cucumber';
import { notApplicableReason } from './applicability';
import { formatExchange } from './exchange';
import { collectEvidence, EVIDENCE_MEDIA_TYPE, LEAKS_MEDIA_TYPE, scenarioSecrets, type Leak } from './evidence';
import { redact } from './exchange';
import { Inconclusive } from './client';
import { isStopping, register } from './live';
import { asOwnFailure } from './own-failure';
import { secretLeaks } from './security';
import type { ConformanceWorld } from './world';

setDefaultTimeout(60_000);

/**
 * Every step and hook: an Inconclusive naming a requirement the scenario is tagged with becomes a failure of that
 * requirement (steps/support/own-failure.ts). Synchronous steps stay synchronous.
 */
setDefinitionFunctionWrapper(function wrap(fn: (...args: unknown[]) => unknown) {
  return function (this: ConformanceWorld | undefined, ...args: unknown[]): unknown {
    const own = (e: unknown) => (this?.requirementIds ? asOwnFailure(this.requirementIds, scenarioSecrets(this), e) : e);
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } catch (e) {
      throw own(e);
    }
    if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(own(e)));
    return out;
  };
});

/** The prefix of the log line that carries a not-applicable reason into the reports. */
export const NOT_APPLICABLE = 'not applicable:';

/** Longest a scenario waits in Before for a pair of its combination to be free (TARGET.md §10). */
const PAIR_WAIT_MS = 15 * 60_000;

Before({ timeout: PAIR_WAIT_MS + 10_000 }, async function (this: ConformanceWorld, { pickle }) {
  // handed out just before an interrupting signal reached this worker: start nothing on the target
  if (isStopping()) throw new Inconclusive('the run was interrupted before the scenario started');
  this.unregister = register(() => this.cleanUp());
  const tags = pickle.tags.map((t) => t.name);
  this.requirementIds = tags.filter((t) => t.startsWith('@req:')).map((t) => t.slice(5));
  const reason = notApplicableReason(tags, this.target);
  if (reason) {
    this.log(`${NOT_APPLICABLE} ${reason}`);
    return 'skipped';
  }
  // the scenario's pair, of the combination its @via: tag names, held until its clean-up (steps/support/pairs.ts)
  await this.takePair(tags);
  return undefined;
});

After(async function (this: ConformanceWorld, { result }) {
  if (result && result.status === Status.FAILED && this.client.exchanges.length) {
    const text = this.client.exchanges.map((x) => formatExchange(x, scenarioSecrets(this), 800)).join('\n\n');
    this.attach(text.length > 60_000 ? `${text.slice(0, 60_000)}\n… (cut)` : text, { mediaType: 'text/plain', fileName: 'exchanges.txt' });
    this.attach(JSON.stringify(collectEvidence(this)), { mediaType: EVIDENCE_MEDIA_TYPE, fileName: 'evidence.json' });
  }
  // still registered while it runs: a signal meanwhile waits for this clean-up before the worker exits (live.ts)
  await this.cleanUp();
  this.unregister?.();
  // SEC-4 over the whole run: every response of this scenario, its clean-up included, scanned before anything is
  // redacted; only labels and redacted URLs leave (bin/verdicts.ts merges them into SEC-4).
  const leaks = secretLeaks(this).map(({ label, where, exchange: x }): Leak => ({ label, where, seq: x.seq, method: x.method, url: redact(x.url, scenarioSecrets(this)), ...(x.status !== undefined ? { status: x.status } : {}) }));
  if (leaks.length) this.attach(JSON.stringify(leaks), { mediaType: LEAKS_MEDIA_TYPE, fileName: 'secret-leaks.json' });
});
