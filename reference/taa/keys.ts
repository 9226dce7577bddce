/** The TAA mode's signing key: RS256 platform tokens and callback tokens, published as a JWK Set (with `jose`). */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';

/**
 * The key pair is generated in the background (libuv's thread pool) from construction on: an RSA 2048 key takes
 * 50–500 ms, which generateKeyPairSync spent on the event loop while the embedded server started, before a run's
 * first request. Everything that needs it is asynchronous already.
 */
export class SigningKey {
  readonly kid: string;
  private readonly pair: Promise<{ privateKey: KeyObject; publicKey: KeyObject }>;
  private jwks: Promise<{ keys: JWK[] }> | undefined;

  constructor(kid = 'ref-taa-1') {
    this.kid = kid;
    this.pair = new Promise((resolve, reject) => generateKeyPair('rsa', { modulusLength: 2048 }, (e, publicKey, privateKey) => (e ? reject(e) : resolve({ publicKey, privateKey }))));
  }

  /** The private key (once generated). */
  async privateKey(): Promise<KeyObject> {
    return (await this.pair).privateKey;
  }

  /** The JWK Set that verifies what this key signs. */
  keySet(): Promise<{ keys: JWK[] }> {
    this.jwks ??= this.pair.then(({ publicKey }) => exportJWK(publicKey)).then((jwk) => ({ keys: [{ ...jwk, kid: this.kid, use: 'sig', alg: 'RS256' }] }));
    return this.jwks;
  }

  /** A compact RS256 JWS of `claims` (header: alg, kid, typ), signed with `key` (default: this one). */
  async sign(claims: Record<string, unknown>, key?: KeyObject): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' }).sign(key ?? (await this.privateKey()));
  }
}
