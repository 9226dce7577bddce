import { accountsOf, type Target } from './target';

/**
 * The TAA rows of TARGET.md §6: why a scenario tagged `@needs:<value>` cannot run against the target, or undefined
 * when it can (or the tag is not a TAA one). Tags:
 *  - `taa-token-issuer`: the target issues its tokens (`taa.token.issuedByTarget`) — TAUTH-5, TAUTH-6;
 *  - `taa-client-secret`: some TAA account has a `clientSecret` (not only ready tokens) — TAUTH-5, TAUTH-6;
 *  - `two-taa-applications`: TAA accounts of two `clientId`s, or `fixtures.foreignEndpointUri` — TAPP-5;
 *  - `callback-keys`: `taa.callbackAuth.jwks` or `jwksUrl` — CB-6;
 *  - `callback-audience`: an account's `appIdUri` or `taa.callbackAuth.audience` — the aud case of CB-5;
 *  - `https-only-callbacks`: `taa.allowHttpCallbackUrls` is not declared — case (e) of TSM-2.
 */
export function taaNotApplicableReason(need: string, target: Target): string | undefined {
  const taa = target.taa;
  const accounts = accountsOf(target).map((a) => a.account).filter((a) => a.transport === 'taa');
  switch (need) {
    case 'taa-token-issuer':
      return taa?.token?.issuedByTarget ? undefined : 'the token issuer is not part of the target (enable with taa.token.issuedByTarget)';
    case 'taa-client-secret':
      return accounts.some((a) => a.clientSecret !== undefined) ? undefined : 'every TAA account uses a ready token (give clientId and clientSecret)';
    case 'two-taa-applications':
      return new Set(accounts.map((a) => a.clientId).filter((c) => c !== undefined)).size > 1 || target.fixtures.foreignEndpointUri !== undefined
        ? undefined
        : 'all TAA accounts belong to one application (add a TAA account of another clientId, or fixtures.foreignEndpointUri)';
    case 'callback-keys':
      return taa?.callbackAuth.jwks || taa?.callbackAuth.jwksUrl ? undefined : 'no callback signing keys declared (give taa.callbackAuth.jwks or jwksUrl)';
    case 'callback-audience':
      return taa?.callbackAuth.audience !== undefined || accounts.some((a) => a.appIdUri !== undefined)
        ? undefined
        : 'no callback audience declared (give appIdUri on the TAA accounts, or taa.callbackAuth.audience)';
    case 'https-only-callbacks':
      return taa?.allowHttpCallbackUrls ? 'http callback URLs declared allowed (taa.allowHttpCallbackUrls, a declared deviation)' : undefined;
    default:
      return undefined;
  }
}
