import { CAPABILITIES, ERROR_FIXTURES, type Capability, type ErrorFixture, type Target } from './target';

/**
 * Why a scenario with these tags cannot run against the target (PROFILE.md §1 "not applicable", TARGET.md §6),
 * naming the member that would enable it; undefined when it can run.
 * Tags: `@cap:<capability>`, `@fixture:<fixture>`, `@needs:unavailable`, `@needs:caller-password`.
 */
export function notApplicableReason(tags: readonly string[], target: Target): string | undefined {
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
  }
  return undefined;
}
