/** What a fault is: data (name, description, the requirements it breaks, the seam it uses) plus one small hook. */
import type { Ctx } from '../context';
import type { SeamName, Seams } from '../seams';

export interface Fault<N extends string = string, S extends SeamName = SeamName> {
  /** kebab-case, unique. */
  readonly name: N;
  /** What the variant does differently, in one sentence. */
  readonly description: string;
  /** Requirement IDs the deviation breaks (every one exists in features/requirements.json). */
  readonly breaks: readonly string[];
  /** The one seam (reference/seams.ts) whose hooks it replaces. */
  readonly seam: S;
  /**
   * The hooks it replaces, given the seam as it stands (`next`: faithful, or as an earlier fault left it) and the
   * server (for its state and representer, read when a hook runs). Whatever it does not return stays as it was.
   */
  hook(next: Seams[S], ctx: Ctx): Partial<Seams[S]>;
}

/** Declares a fault (keeps its name a literal type, so a misspelt name does not compile). */
export function fault<const N extends string, S extends SeamName>(f: Fault<N, S>): Fault<N, S> {
  return f;
}
