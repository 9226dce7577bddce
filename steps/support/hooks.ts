import { After, Before, setDefaultTimeout, Status } from '@cucumber/cucumber';
import { notApplicableReason } from './applicability';
import { formatExchange } from './exchange';
import { collectEvidence, EVIDENCE_MEDIA_TYPE, scenarioSecrets } from './evidence';
import { register } from './live';
import type { ConformanceWorld } from './world';

setDefaultTimeout(60_000);

/** The prefix of the log line that carries a not-applicable reason into the reports. */
export const NOT_APPLICABLE = 'not applicable:';

Before(function (this: ConformanceWorld, { pickle }) {
  this.unregister = register(() => this.cleanUp());
  this.requirementIds = pickle.tags.map((t) => t.name).filter((t) => t.startsWith('@req:')).map((t) => t.slice(5));
  const reason = notApplicableReason(
    pickle.tags.map((t) => t.name),
    this.target,
  );
  if (!reason) return undefined;
  this.log(`${NOT_APPLICABLE} ${reason}`);
  return 'skipped';
});

After(async function (this: ConformanceWorld, { result }) {
  if (result && result.status === Status.FAILED && this.client.exchanges.length) {
    const text = this.client.exchanges.map((x) => formatExchange(x, scenarioSecrets(this), 800)).join('\n\n');
    this.attach(text.length > 60_000 ? `${text.slice(0, 60_000)}\n… (cut)` : text, { mediaType: 'text/plain', fileName: 'exchanges.txt' });
    this.attach(JSON.stringify(collectEvidence(this)), { mediaType: EVIDENCE_MEDIA_TYPE, fileName: 'evidence.json' });
  }
  this.unregister?.();
  await this.cleanUp();
});
