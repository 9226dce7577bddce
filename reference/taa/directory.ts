/**
 * The TAA mode's principals and endpoints (PROFILE.md §15, TARGET.md §9): two AAD applications, endpoints registered to
 * them with a default callback URL each, and the further UCWA users that pair with them, so that the published
 * description has pairs in all four transport combinations.
 */
import { type Account, account, type AccountDirectory, DOMAIN } from '../accounts';
import type { Channel, Application } from '../model';

/** The tenant in the token endpoint's path and in `tid` (the accounts' domain, as in PROFILE.md §15.8). */
export const TENANT = DOMAIN;
/** AAD's id of Skype for Business Online: the default `appid` of callback tokens. */
export const SFB_APP_ID = '00000004-0000-0ff1-ce00-000000000000';

export interface AadApp {
  clientId: string;
  secret: string;
  /** The App ID URI callbacks to its endpoints are addressed to (`aud`, CB-5). */
  appIdUri: string;
}

export interface Endpoint {
  account: Account;
  aad: AadApp;
  /** The endpoint's registered default callback URL (CB-3). */
  callbackUrl: string;
  /** The endpoint's application resource (never deleted, always available: TAPP-6). */
  app: Application;
  /** Whether any request for it arrived since the server started (TAPP-6 is about the time before). */
  touched: boolean;
}

/** One pair of the description, whatever its combination. */
export interface TaaPair {
  caller: Account;
  callee: Account;
}

const APPS: readonly AadApp[] = [1, 2, 3].map((n) => ({
  clientId: `ref-app-${n}`,
  secret: `ref-app-${n}-S3cret`,
  appIdUri: `https://apps.${DOMAIN}/ref-app-${n}`,
}));

/** The two declared applications; the third holds only the foreign endpoint (`fixtures.foreignEndpointUri`). */
export const DECLARED_APPS = APPS.slice(0, 2);

const endpointAccount = (user: string, name: string): Account => ({ ...account(user, name), password: '', taa: true });

/**
 * The TAA mode's accounts for `n` pairs of each combination with a TAA side: `u2t-caller<i>` (UCWA) → `u2t-callee<i>`
 * (TAA, application 2), `t2u-caller<i>` (TAA, application 1) → `t2u-callee<i>` (UCWA), `t2t-caller<i>` (TAA,
 * application 1) → `t2t-callee<i>` (TAA, application 2); plus `foreign-endpoint` (application 3, declared only as a
 * fixture uri). Every account is added to the directory.
 */
export function taaAccounts(directory: AccountDirectory, n: number): {
  pairs: TaaPair[];
  endpoints: { account: Account; aad: AadApp; name: string }[];
} {
  const pairs: TaaPair[] = [];
  const endpoints: { account: Account; aad: AadApp; name: string }[] = [];
  const ucwa = (user: string, name: string): Account => {
    const a = account(user, name);
    directory.add(a);
    return a;
  };
  const taa = (user: string, name: string, aad: AadApp): Account => {
    const a = endpointAccount(user, name);
    directory.add(a);
    endpoints.push({ account: a, aad, name: user });
    return a;
  };
  const [app1, app2, app3] = APPS as [AadApp, AadApp, AadApp];
  for (let i = 1; i <= n; i++) {
    pairs.push({ caller: ucwa(`u2t-caller${i}`, `UCWA Caller ${i}`), callee: taa(`u2t-callee${i}`, `TAA Callee ${i}`, app2) });
    pairs.push({ caller: taa(`t2u-caller${i}`, `TAA Caller ${i}`, app1), callee: ucwa(`t2u-callee${i}`, `UCWA Callee ${i}`) });
    pairs.push({ caller: taa(`t2t-caller${i}`, `TAA Helpdesk ${i}`, app1), callee: taa(`t2t-callee${i}`, `TAA Orders ${i}`, app2) });
  }
  taa('foreign-endpoint', 'Foreign Endpoint', app3);
  return { pairs, endpoints };
}

/** The AAD application a client id names. */
export function aadApp(clientId: string): AadApp | undefined {
  return APPS.find((a) => a.clientId === clientId);
}

/** The application resource of a TAA endpoint (not in ctx.apps: no idle expiry, no DELETE, no P-GET). */
export function endpointApplication(id: string, href: string, a: Account, channel: (app: Application) => Channel): Application {
  const app: Application = {
    id,
    href,
    account: a,
    userAgent: 'Trusted Application API',
    endpointId: a.uri,
    culture: 'en-US',
    availableSince: 0,
    deleted: false,
    lastActivity: Date.now(),
    inFlight: 0,
    channel: undefined as unknown as Channel,
    invitations: new Map(),
    conversations: new Map(),
    meetings: new Map(),
    connectingOperations: new Map(),
  };
  app.channel = channel(app);
  return app;
}
