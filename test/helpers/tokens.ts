/* eslint-disable @typescript-eslint/no-explicit-any -- token payloads and response bodies are arbitrary JSON here */
/**
 * Token minting helpers for session tests: forged keys, `alg: none`, HS256 signed with the
 * public key, header and claim variants. Tokens signed with the emulator's real key come from
 * `emulator.admin.signJwt` (see {@link resign}).
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Emulator } from '../../src/emulator/index.js';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

let forged: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** An RSA-2048 key pair that is never published (KX in the catalogue). */
export function forgedKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  forged ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return forged;
}

/** Decode the header of a compact JWS (no verification). */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

/** Decode the payload of a compact JWS (no verification). */
export function payloadOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** Assemble a token from raw parts; `header`/`payload` objects are JSON-encoded, strings used as-is. */
export function assemble(header: unknown, payload: unknown, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** RS256 (or RS384/RS512/PS256) signature with the never-published key KX. */
export function mintForged(header: Record<string, unknown>, payload: unknown, alg: 'RS256' | 'RS384' | 'RS512' | 'PS256' = 'RS256'): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(payload)}`;
  const hash = alg === 'RS384' ? 'sha384' : alg === 'RS512' ? 'sha512' : 'sha256';
  const key = alg === 'PS256' ? { key: forgedKeyPair().privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */ } : forgedKeyPair().privateKey;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

/** An HS256 token whose HMAC secret is `secret` (e.g. the published public key in some encoding). */
export function mintHs256(header: Record<string, unknown>, payload: unknown, secret: Buffer | string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned token with the given `alg` value (none, None, NONE, '') and signature. */
export function mintAlgNone(alg: string, payload: unknown, signature = ''): string {
  return assemble({ alg, typ: 'JWT' }, payload, signature);
}

/** Re-sign a payload with the emulator's real current key (well-signed tokens with bad claims). */
export function resign(emulator: Emulator, payload: Record<string, unknown>, header?: Record<string, unknown>): string {
  return emulator.admin.signJwt(payload, header);
}

/** Copy a token's payload, apply `change`, and re-sign it with the emulator's key. */
export function withClaims(emulator: Emulator, token: string, change: (payload: Record<string, any>) => void, header?: Record<string, unknown>): string {
  const payload = structuredClone(payloadOf(token));
  change(payload);
  return resign(emulator, payload, header);
}

/** Flip one bit in the given part (0 header, 1 payload, 2 signature) of a token. */
export function flipBit(token: string, part: 0 | 1 | 2): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}
