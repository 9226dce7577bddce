/**
 * The fault layer: named, deliberate deviations of the reference server, each one a mistake a real implementation
 * plausibly makes, each declaring the requirement IDs (features/requirements.json) it breaks and the one seam
 * (reference/seams.ts) it hooks into. They exist only so the suite can prove itself: run against each variant, it
 * must fail a scenario tagged with one of the declared IDs. This folder is the only code that knows a fault exists.
 *
 * Reachable only through `createApp({ faults })` and the standalone server's `--fault NAME` developer flag; no
 * environment variable or default enables them. With no faults every seam keeps its faithful hooks.
 */
import type { Ctx } from '../context';
import type { SeamName, Seams } from '../seams';
import { ACCESS } from './access';
import { COMPLETIONS } from './completions';
import { ERRORS } from './errors';
import { EVENTS } from './events';
import type { Fault } from './fault';
import { LINKS_AND_STATES } from './links-and-states';
import { OPTIONAL } from './optional';
import { SIGN_IN } from './sign-in';
import { START_MESSAGING } from './start-messaging';
import { TAA } from './taa';
import { WIRE } from './wire';

export type { Fault } from './fault';

/** Every fault, grouped by profile area. */
export const FAULTS = [
  ...START_MESSAGING, ...ERRORS, ...LINKS_AND_STATES, ...COMPLETIONS, ...EVENTS, ...ACCESS, ...WIRE, ...SIGN_IN, ...OPTIONAL, ...TAA,
] as const;

export type FaultName = (typeof FAULTS)[number]['name'];

/** The faults a server runs with; `has` only takes a known name, so a misspelt switch does not compile. */
export type FaultSet = ReadonlySet<FaultName>;

export const NO_FAULTS: FaultSet = new Set<FaultName>();

/** The seams a fault may declare. */
export const SEAM_NAMES: readonly SeamName[] = ['behaviour', 'represent', 'events', 'lifecycle', 'replies', 'access', 'taa'];

const KNOWN = new Set<string>(FAULTS.map((f) => f.name));

/** Checks fault names, throwing a TypeError that lists every unknown one. */
export function faultSet(names: readonly string[] | undefined): FaultSet {
  if (names === undefined || names.length === 0) return NO_FAULTS;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new TypeError('faults must be an array of fault names');
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    throw new TypeError(`unknown fault${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (see reference/faults/)`);
  }
  return new Set(names as FaultName[]);
}

/** Replaces, in registry order, the hooks each fault of `set` declares (nothing for the faithful server). */
export function applyFaults(ctx: Ctx, set: FaultSet): void {
  for (const f of FAULTS as readonly Fault[]) {
    if (!set.has(f.name as FaultName)) continue;
    const seam = f.seam;
    const current = ctx[seam];
    (ctx as Seams)[seam] = { ...current, ...f.hook(current, ctx) } as never;
  }
}
