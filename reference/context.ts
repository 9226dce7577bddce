/** The state shared by the reference server's resource modules. */
import { randomFillSync } from 'node:crypto';
import type { Account, AccountDirectory } from './accounts';
import type { Application } from './model';
import type { Representer } from './represent';
import type { Seams } from './seams';
import type { TaaServer } from './taa/server';
import type { TokenStore } from './tokens';

export type { Reply, Rq } from './seams';

export interface Settings {
  noAnswerTimeoutMs: number;
  /** Whether X-Forwarded-Proto / X-Forwarded-Host name the origin clients reach the server at. */
  trustProxy: boolean;
}

/** The server's state and its seams (reference/seams.ts), each hook faithful unless the fault layer replaced it. */
export interface Ctx extends Seams {
  settings: Settings;
  rep: Representer;
  accounts: AccountDirectory;
  tokens: TokenStore;
  apps: Map<string, Application>;
  appsByAccount: Map<Account, Set<Application>>;
  /** The Trusted Application API surface (reference/taa/), when the server was started with `taa`. */
  taaServer?: TaaServer;
}

const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

/** A fresh opaque id (12 URL-safe characters). */
export function newId(): string {
  if (poolOffset + 9 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const id = POOL.toString('base64url', poolOffset, poolOffset + 9);
  poolOffset += 9;
  return id;
}
