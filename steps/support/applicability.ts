import { combinationLabel, present, TRANSPORTS, wantedOf, type Combination, type Present, type Transport } from './pairs';
import { CAPABILITIES, ERROR_FIXTURES, type Capability, type ErrorFixture, type Target } from './target';
import { taaNotApplicableReason } from './taa-applicability';

/**
 * What a scenario needs of its pair's transports (`@via-needs:<need>`, features/README.md; bin/combinations.ts adds
 * the need of a UCWA-only family to the copy it reports not applicable):
 *  - `ucwa-caller`, `ucwa-callee`, `taa-caller`, `taa-callee`: that side uses that transport;
 *  - `ucwa-and-taa`: the two sides use different transports (`ucwa→taa`, `taa→ucwa`);
 *  - `same-transport`: both sides use one transport (`ucwa→ucwa`, `taa→taa`): cross-principal checks, D47.
 */
export type Need = 'ucwa-caller' | 'ucwa-callee' | 'taa-caller' | 'taa-callee' | 'ucwa-and-taa' | 'same-transport';
export const NEEDS: readonly Need[] = ['ucwa-caller', 'ucwa-callee', 'taa-caller', 'taa-callee', 'ucwa-and-taa', 'same-transport'];

export function needsOf(tags: readonly string[]): Need[] {
  return tags.filter((t) => t.startsWith('@via-needs:')).map((t) => t.slice('@via-needs:'.length) as Need).filter((n) => NEEDS.includes(n));
}

/** Whether a combination (`callee` absent: a caller-only scenario) meets every need. */
export function meets(c: { caller: Transport; callee?: Transport }, needs: readonly Need[]): boolean {
  return needs.every((n) => {
    if (n === 'ucwa-and-taa') return c.callee !== undefined && c.callee !== c.caller;
    if (n === 'same-transport') return c.callee === undefined || c.callee === c.caller;
    const [transport, side] = n.split('-') as [Transport, 'caller' | 'callee'];
    return side === 'caller' ? c.caller === transport : c.callee === undefined || c.callee === transport;
  });
}

/**
 * Why no pair of the target meets `needs` (TARGET.md §6 reasons for the TAA rows), or undefined when one does.
 * `twoSided` false: only the caller's transport matters (a caller-only scenario).
 */
export function transportReason(needs: readonly Need[], target: Target | Present, twoSided = true): string | undefined {
  if (!needs.length) return undefined;
  const p = 'combinations' in target ? target : present(target);
  if (!p.anyTaa && needs.some((n) => n.includes('taa'))) return 'no TAA account in the target description';
  const candidates: { caller: Transport; callee?: Transport }[] = twoSided ? p.combinations : p.callers.map((caller) => ({ caller }));
  if (candidates.some((c) => meets(c, needs))) return undefined;
  for (const n of needs) {
    if (n === 'taa-caller' && !p.callers.includes('taa')) return 'no TAA caller';
    if (n === 'taa-callee' && !p.callees.includes('taa')) return 'no TAA callee';
    if (n === 'ucwa-caller' && !p.callers.includes('ucwa')) return 'no UCWA caller in the target description';
    if (n === 'ucwa-callee' && !p.callees.includes('ucwa')) return 'no UCWA callee in the target description';
    if (n === 'ucwa-and-taa' && !p.anyUcwa) return 'no UCWA account beside the TAA accounts';
  }
  if (needs.includes('ucwa-and-taa') && !p.combinations.some((c) => c.caller !== c.callee))
    return 'no pair of a UCWA and a TAA account in the target description';
  const wanted: Combination[] = [];
  for (const caller of TRANSPORTS) for (const callee of TRANSPORTS) if (meets({ caller, callee }, needs)) wanted.push({ caller, callee });
  return `no ${wanted.map(combinationLabel).join(' or ') || 'such'} pair in the target description`;
}

/**
 * Why a scenario with these tags cannot run against the target (PROFILE.md §1 "not applicable", TARGET.md §6),
 * naming the member that would enable it; undefined when it can run.
 * Tags: `@cap:<capability>`, `@fixture:<fixture>`, `@needs:unavailable`, `@needs:caller-password`,
 * `@via-needs:<need>` (checked against the copy's `@via:` combination when it has one, else against the target).
 */
export function notApplicableReason(tags: readonly string[], target: Target): string | undefined {
  // the transport first: without a pair of the transports it needs, nothing else about the scenario matters
  const needs = needsOf(tags);
  const via = wantedOf(tags);
  if (via && needs.length && !meets(via, needs)) return `not checked in the ${combinationLabel(via)} combination`;
  if (!via) {
    const transport = transportReason(needs, target, !tags.includes('@via-caller-only'));
    if (transport) return transport;
  }
  for (const tag of tags) {
    const [kind, value] = tag.replace(/^@/, '').split(':');
    if (kind === 'cap' && CAPABILITIES.includes(value as Capability) && !target.capabilities[value as Capability])
      return `capability ${value} not declared (enable with capabilities.${value})`;
    if (kind === 'fixture' && value === 'onlineMeetingUri' && target.fixtures.onlineMeetingUri === undefined)
      return 'no fixtures.onlineMeetingUri in the target description';
    if (kind === 'fixture' && ERROR_FIXTURES.includes(value as ErrorFixture) && !target.fixtures[value as ErrorFixture])
      return `no fixtures.${value} in the target description`;
    if (kind === 'needs' && value === 'unavailable' && !target.users.unavailable) return 'no users.unavailable in the target description';
    if (kind === 'needs' && value === 'caller-password' && target.users.caller.password === undefined)
      return 'users.caller signs in with a token (give users.caller.username and password)';
    const taa = kind === 'needs' ? taaNotApplicableReason(value ?? '', target) : undefined;
    if (taa) return taa;
  }
  return undefined;
}
