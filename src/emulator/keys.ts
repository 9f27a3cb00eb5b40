/**
 * The emulator's RS256 signing keys. The newest key signs; older keys stay published in the
 * JWKS after a rotation (as Stytch does for about a month) unless removed.
 */
import { generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { StytchJwk } from '../client/types.js';
import { newId } from './ids.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: StytchJwk;
}

const generateKeyPairAsync = promisify(generateKeyPair);

function toSigningKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): SigningKey {
  const kid = newId('jwk');
  const exported = pair.publicKey.export({ format: 'jwk' });
  const jwk: StytchJwk = { kty: 'RSA', use: 'sig', key_ops: ['verify'], alg: 'RS256', kid, n: exported.n, e: exported.e, x5c: [], x5tS256: '' };
  return { kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

export class KeyRing {
  private keys: SigningKey[];

  private constructor(first: SigningKey) {
    this.keys = [first];
  }

  /** Async so that starting an emulator does not block the event loop on RSA key generation. */
  static async create(): Promise<KeyRing> {
    return new KeyRing(toSigningKey(await generateKeyPairAsync('rsa', { modulusLength: 2048 })));
  }

  get current(): SigningKey {
    // The ring is never empty: removeKey refuses to remove the last key.
    return this.keys[this.keys.length - 1] as SigningKey;
  }

  find(kid: string): SigningKey | undefined {
    return this.keys.find((key) => key.kid === kid);
  }

  rotate(keepOld = true): SigningKey {
    const key = toSigningKey(generateKeyPairSync('rsa', { modulusLength: 2048 }));
    this.keys = keepOld ? [...this.keys, key] : [key];
    return key;
  }

  remove(kid: string): void {
    if (this.keys.length === 1 && this.keys[0]?.kid === kid) throw new Error('cannot remove the only signing key; rotate first');
    this.keys = this.keys.filter((key) => key.kid !== kid);
  }

  jwks(): StytchJwk[] {
    return this.keys.map((key) => ({ ...key.jwk }));
  }
}
