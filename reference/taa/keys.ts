/** The TAA mode's signing key: RS256 platform tokens and callback tokens, published as a JWK Set (with `jose`). */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';

export class SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private jwks: Promise<{ keys: JWK[] }> | undefined;

  constructor(kid = 'ref-taa-1') {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.kid = kid;
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  /** The JWK Set that verifies what this key signs. */
  keySet(): Promise<{ keys: JWK[] }> {
    this.jwks ??= exportJWK(this.publicKey).then((jwk) => ({ keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] }));
    return this.jwks;
  }

  /** A compact RS256 JWS of `claims` (header: alg, kid, typ), signed with `key` (default: this one). */
  sign(claims: Record<string, unknown>, key: KeyObject = this.privateKey): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' }).sign(key);
  }
}
