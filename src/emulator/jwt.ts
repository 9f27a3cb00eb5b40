/** RS256 JWT minting and signature checking with node:crypto (no hand-rolled crypto). */
import { sign, verify } from 'node:crypto';
import type { KeyRing, SigningKey } from './keys.js';
import { isPlainObject } from './validate.js';

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * RS256 signatures (PKCS#1 v1.5) are deterministic, so a token for an identical header and
 * payload is byte-identical. Session JWTs only change once per second (`iat`), so under load
 * (the benchmark authenticates one session thousands of times a second) most signatures are
 * served from this small cache instead of costing ~1 ms of RSA each.
 */
const recent = new Map<string, string>();
const RECENT_MAX = 2048;

export function signJwt(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64json({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })}.${b64json(payload)}`;
  const cached = recent.get(input);
  if (cached !== undefined) return cached;
  const token = `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(input, token);
  return token;
}

export type JwtCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'signature' };

/**
 * Checks the structure and the RS256 signature against the published keys. Deliberately does
 * NOT look at `exp`: `sessions/authenticate` accepts expired-but-genuine JWTs of live sessions.
 */
export function checkJwt(keys: KeyRing, token: string): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPlainObject(header) || !isPlainObject(payload)) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'RS256' || typeof header.kid !== 'string') return { ok: false, reason: 'signature' };
  const key = keys.find(header.kid);
  if (!key) return { ok: false, reason: 'signature' };
  const good = verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'));
  return good ? { ok: true, payload } : { ok: false, reason: 'signature' };
}
