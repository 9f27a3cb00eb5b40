/**
 * PKCE pair for login flows (RFC 7636, S256), from node:crypto only: the verifier stays in this
 * browser's HttpOnly flow cookie, the challenge goes to Stytch with the start call, and the
 * callback must prove the verifier. A link opened in another browser therefore cannot log that
 * browser in.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The S256 challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh verifier (43 base64url chars, 256 bits) and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}
