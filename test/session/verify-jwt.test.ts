/**
 * SessionJwtVerifier against a real JWKS server on 127.0.0.1:0, with tokens signed by node:crypto:
 * the ordering rules (signature before claims) and the expired-key-copy rule.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../../src/client/types.js';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { SessionJwtVerifier } from '../../src/session/verify-jwt.js';
import { listenOnLoopback } from '../helpers/listen.js';

const REAL = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FORGED = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWK = { ...REAL.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
const PROJECT = 'project-test-1';
const START = 1_800_000_000_000;
const NOW_S = START / 1000;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function mint(key: KeyObject, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const payload = {
    iss: `stytch.com/${PROJECT}`,
    aud: [PROJECT],
    sub: 'member-test-1',
    iat: NOW_S - 10,
    nbf: NOW_S - 10,
    exp: NOW_S + 300,
    [SESSION_CLAIM]: {
      id: 'member-session-test-1',
      started_at: new Date(START - 10_000).toISOString(),
      last_accessed_at: new Date(START).toISOString(),
      expires_at: new Date(START + 3_600_000).toISOString(),
      authentication_factors: [],
      roles: ['stytch_member'],
    },
    [ORGANIZATION_CLAIM]: { organization_id: 'organization-test-1', slug: 'acme' },
    ...claims,
  };
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1', ...header })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  while (servers.length > 0) servers.pop()!.close();
});

async function setup(options: { staleIfErrorMs?: number } = {}) {
  let up = true;
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.statusCode = up ? 200 : 500;
    res.setHeader('content-type', 'application/json');
    res.end(up ? JSON.stringify({ keys: [JWK] }) : '{}');
  });
  await listenOnLoopback(server);
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  let t = START;
  const now = () => t;
  const jwks = new JwksCache({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, now, ...options });
  const verifier = new SessionJwtVerifier({ jwks, projectId: PROJECT, issuers: [`stytch.com/${PROJECT}`], now });
  return {
    verifier,
    hits: () => hits,
    down: () => void (up = false),
    advance: (ms: number) => void (t += ms),
  };
}

describe('SessionJwtVerifier', () => {
  it('accepts a genuine token and bounds it by exp', async () => {
    const { verifier } = await setup();
    const result = await verifier.verify(mint(REAL.privateKey));
    expect(result).toMatchObject({ kind: 'valid', staleKeys: false, validUntilMs: (NOW_S + 300) * 1000 });
  });

  it('catalogue #18: a forged expired token is invalid, never refresh', async () => {
    const { verifier } = await setup();
    expect(await verifier.verify(mint(FORGED.privateKey, { exp: NOW_S - 60 }))).toEqual({ kind: 'invalid', detail: 'signature' });
  });

  it('catalogue #20: a genuine expired token asks for a refresh', async () => {
    const { verifier } = await setup();
    expect(await verifier.verify(mint(REAL.privateKey, { exp: NOW_S }))).toMatchObject({ kind: 'refresh', why: 'expired' });
  });

  it('a genuine expired token with a bad audience is invalid, not refreshed', async () => {
    const { verifier } = await setup();
    expect(await verifier.verify(mint(REAL.privateKey, { exp: NOW_S - 60, aud: 'project-test-2' }))).toEqual({ kind: 'invalid', detail: 'aud' });
  });

  it('catalogue #31: a genuine M2M token is not a session', async () => {
    const { verifier } = await setup();
    expect(await verifier.verify(mint(REAL.privateKey, { [SESSION_CLAIM]: undefined, scope: 'read:users' }))).toEqual({ kind: 'not_a_session' });
  });

  it('a token refused on its header never causes a JWKS fetch', async () => {
    const { verifier, hits } = await setup();
    expect(await verifier.verify(mint(REAL.privateKey, {}, { typ: 'at+jwt', kid: 'unknown-kid' }))).toEqual({ kind: 'invalid', detail: 'typ' });
    expect(await verifier.verify(mint(REAL.privateKey, {}, { alg: 'RS384' }))).toEqual({ kind: 'invalid', detail: 'alg' });
    expect(hits()).toBe(0);
  });

  it('with only an expired copy of the key, a forged token is invalid and a genuine one is unavailable', async () => {
    const { verifier, down, advance } = await setup({ staleIfErrorMs: 60_000 });
    expect((await verifier.verify(mint(REAL.privateKey))).kind).toBe('valid');
    down();
    advance(600_000 + 60_000);
    expect(await verifier.verify(mint(FORGED.privateKey))).toEqual({ kind: 'invalid', detail: 'signature' });
    expect((await verifier.verify(mint(REAL.privateKey, { exp: NOW_S + 3_000 }))).kind).toBe('unavailable');
  });

  it('refuses a negative or non-finite clock tolerance at construction', () => {
    const jwks = new JwksCache({ url: 'http://127.0.0.1:9/unused' });
    for (const clockToleranceSeconds of [-1, Number.NaN, Infinity]) {
      expect(() => new SessionJwtVerifier({ jwks, projectId: PROJECT, issuers: [], clockToleranceSeconds, now: Date.now })).toThrow(
        expect.objectContaining({ code: 'config_error', status: 500 }),
      );
    }
  });
});
