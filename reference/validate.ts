/** Readers for request members that collect every violation for one ParameterValidationFailure (ERR-3, D6). */
import { isSipUri } from './accounts';
import type { Behaviour } from './behaviour';
import { invalidParameters } from './errors';

export type { Body } from './behaviour';
type Body = Record<string, unknown>;

/** The decisions member checks take from the behaviour. */
export type MemberRules = Pick<Behaviour, 'memberLength' | 'coerceString' | 'dataUri' | 'isRequired'>;

/** A lone (unpaired) UTF-16 surrogate: such a string has no UTF-8 form, so it cannot be stored or echoed exactly. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A member of a parsed body, own members only (an inherited `constructor` or `toString` is not a member). Names match
 * case-insensitively as on a real UCWA server, whose documented samples send `UserAgent`, `To`, … ; an exact spelling
 * wins over another casing of the same name.
 */
function own(body: Body, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(body, name)) return body[name];
  const lower = name.toLowerCase();
  const match = Object.keys(body).find((key) => key.toLowerCase() === lower);
  return match === undefined ? undefined : body[match];
}

export class Members {
  readonly problems: Record<string, string> = {};

  constructor(private readonly body: Body, private readonly b: MemberRules) {}

  /** An optional string member of at most `limit` UTF-16 code units; null counts as absent. */
  string(name: string, limit?: number): string | undefined {
    const value = own(this.body, name);
    if (value === undefined || value === null) return undefined;
    const text = typeof value === 'string' ? value : this.b.coerceString(name, value);
    if (text === undefined) return this.fail(name, 'must be a string');
    if (LONE_SURROGATE.test(text)) return this.fail(name, 'not well-formed Unicode (lone surrogate)');
    if (limit !== undefined && this.b.memberLength(name, text) > limit) return this.fail(name, `longer than ${limit}`);
    return text;
  }

  /** A required string member (unless the behaviour makes it optional). */
  required(name: string, limit?: number): string | undefined {
    const value = this.string(name, limit);
    if (!this.b.isRequired(name)) return value;
    if (value === undefined && !(name in this.problems)) this.fail(name, 'required');
    return value;
  }

  /** A SIP URI member (or the fallback, e.g. from the query); `required` adds a problem when neither is given. */
  sipUri(name: string, fallback: string | undefined, required: boolean): string | undefined {
    const own = this.string(name);
    if (name in this.problems) return undefined;
    const value = own ?? fallback;
    if (value === undefined) return required ? this.fail(name, 'required') : undefined;
    return isSipUri(value) ? value : this.fail(name, 'not a SIP URI');
  }

  /** An optional member restricted to `allowed` values. */
  oneOf(name: string, allowed: ReadonlySet<string>): string | undefined {
    const value = this.string(name);
    if (value === undefined || allowed.has(value)) return value;
    return this.fail(name, `not one of ${[...allowed].join(', ')}`);
  }

  /** `_links[name].href` as a data URI, re-emitted in this server's canonical form (WIRE-5). */
  dataLink(name: string): string | undefined {
    const links = own(this.body, '_links');
    if (links === undefined || links === null) return undefined;
    if (typeof links !== 'object' || Array.isArray(links)) return this.fail('_links', 'must be an object');
    const link = own(links as Body, name);
    if (link === undefined || link === null) return undefined;
    const href = typeof link === 'object' && !Array.isArray(link) ? own(link as Body, 'href') : undefined;
    if (typeof href !== 'string') return this.fail(name, 'must be {"href": data URI}');
    if (LONE_SURROGATE.test(href)) return this.fail(name, 'not well-formed Unicode (lone surrogate)');
    return this.b.dataUri(name, href) ?? this.fail(name, 'not a data URI');
  }

  /** An optional array of strings. */
  strings(name: string): string[] | undefined {
    const value = own(this.body, name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return this.fail(name, 'must be an array of strings');
    if (value.some((v: string) => LONE_SURROGATE.test(v))) return this.fail(name, 'not well-formed Unicode (lone surrogate)');
    return value as string[];
  }

  /** Throws the collected ParameterValidationFailure, if any. */
  check(): void {
    if (Object.keys(this.problems).length > 0) throw invalidParameters(this.problems);
  }

  private fail(name: string, problem: string): undefined {
    this.problems[name] = problem;
    return undefined;
  }
}
