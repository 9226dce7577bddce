/** The state shared by the reference server's resource modules. */
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account, AccountDirectory } from './accounts';
import type { Behaviour } from './behaviour';
import type { FaultSet } from './faults';
import type { Application } from './model';
import type { Representer } from './represent';
import type { TokenStore } from './tokens';

export interface Settings {
  noAnswerTimeoutMs: number;
  unsupportedContentTypeStatus: 410 | 415;
}

export interface Ctx {
  settings: Settings;
  /** Deliberate deviations (reference/faults.ts); empty for the faithful server. */
  faults: FaultSet;
  behaviour: Behaviour;
  rep: Representer;
  accounts: AccountDirectory;
  tokens: TokenStore;
  apps: Map<string, Application>;
  appsByAccount: Map<Account, Set<Application>>;
}

/** One authenticated application-API request. */
export interface Rq {
  req: IncomingMessage;
  res: ServerResponse;
  account: Account;
  query: URLSearchParams;
}

/** What a handler answers; undefined when it wrote the response itself (the P-GET). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
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
