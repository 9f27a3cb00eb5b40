import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, loggedInMember, newEmail, newOrg } from './support.js';

// A fixed, injected start time: every timestamp below is derived from the emulator clock.
const START = Date.UTC(2031, 4, 6, 7, 8, 9);
const emu = useEmulator({ startTime: START });

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/u;

async function fetchJwks(): Promise<JSONWebKeySet & { keys: JsonBody[] }> {
  // No Basic auth: the JWKS is public (reference 2.9).
  const res = await callApi(emu(), 'GET', `/v1/b2b/sessions/jwks/${emu().projectId}`, undefined, { auth: false });
  return expectOk(res) as JSONWebKeySet & { keys: JsonBody[] };
}

describe('session JWT (reference 3.2)', () => {
  it('has exactly the header alg RS256, typ JWT and the current kid', async () => {
    const { sessionJwt } = await loggedInMember(emu());
    expect(decodeProtectedHeader(sessionJwt)).toEqual({ alg: 'RS256', typ: 'JWT', kid: emu().admin.currentKid() });
  });

  it('carries every registered claim with the values the SDKs verify', async () => {
    const e = emu();
    const before = Math.floor(e.clock.now() / 1000);
    const { sessionJwt, member, org, auth } = await loggedInMember(e);
    const after = Math.floor(e.clock.now() / 1000);
    const c = decodeJwt(sessionJwt);
    expect(c.iss).toBe(`stytch.com/${e.projectId}`);
    expect(e.issuer).toBe(`stytch.com/${e.projectId}`);
    expect(c.aud).toEqual([e.projectId]);
    expect(c.sub).toBe(member.member_id);
    expect(c.iat).toBeGreaterThanOrEqual(before);
    expect(c.iat).toBeLessThanOrEqual(after);
    expect(c.nbf).toBe(c.iat);
    expect(c.exp).toBe(c.iat! + 300);
    const allowed = new Set(['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti', 'https://stytch.com/session', 'https://stytch.com/organization']);
    expect(Object.keys(c).filter((k) => !allowed.has(k))).toEqual([]);
    expect(c['https://stytch.com/organization']).toEqual({ organization_id: org.organization_id, slug: org.organization_slug });
    const session = c['https://stytch.com/session'] as JsonBody;
    expect(Object.keys(session).sort()).toEqual(['attributes', 'authentication_factors', 'expires_at', 'id', 'last_accessed_at', 'roles', 'started_at']);
    const ms = auth.member_session;
    expect(session.id).toBe(ms.member_session_id);
    expect(session.id).toMatch(/^session-test-/u);
    for (const k of ['started_at', 'last_accessed_at', 'expires_at']) {
      expect(session[k]).toMatch(RFC3339);
      expect(Date.parse(session[k])).toBe(Date.parse(ms[k]));
    }
    expect(Date.parse(session.expires_at) - Date.parse(session.started_at)).toBe(60 * 60_000);
    expect(session.attributes).toBeTypeOf('object');
    expect(session.authentication_factors).toEqual(ms.authentication_factors);
    expect(session.authentication_factors[0]).toMatchObject({ type: 'magic_link', delivery_method: 'email', email_factor: { email_address: member.email_address } });
    expect(session.roles).toEqual(ms.roles);
    expect(session.roles).toContain('stytch_member');
  });

  it('puts custom claims at the top level', () => {
    const e = emu();
    const org = newOrg(e);
    const m = e.admin.createMember(org.organization_id, { email_address: newEmail(), status: 'active' });
    const s = e.admin.createSession({ member_id: m.member_id, custom_claims: { tier: 'gold', n: 3 } });
    const c = decodeJwt(s.session_jwt);
    expect(c.tier).toBe('gold');
    expect(c.n).toBe(3);
  });

  it('verifies with jose against the JWKS served over HTTP, issuer and audience included', async () => {
    const e = emu();
    const { sessionJwt, member } = await loggedInMember(e);
    expect(e.jwksUrl).toBe(`${e.url}/v1/b2b/sessions/jwks/${e.projectId}`);
    const jwks = createRemoteJWKSet(new URL(e.jwksUrl));
    const { payload } = await jwtVerify(sessionJwt, jwks, {
      issuer: [`stytch.com/${e.projectId}`, e.url],
      audience: e.projectId,
      typ: 'JWT',
      algorithms: ['RS256'],
      currentDate: new Date(e.clock.now()),
    });
    expect(payload.sub).toBe(member.member_id);
  });
});

describe('JWKS and key rotation', () => {
  it('publishes RSA verification keys only, without any private part', async () => {
    const { keys } = await fetchJwks();
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', key_ops: ['verify'] });
      expect(k.kid).toBeTypeOf('string');
      expect(k.n).toBeTypeOf('string');
      expect(k.e).toBe('AQAB');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(secret);
    }
    expect(keys.map((k) => k.kid)).toContain(emu().admin.currentKid());
  });

  it('keeps the old key published after a rotation, so old JWTs still verify', async () => {
    const e = emu();
    const { sessionJwt: oldJwt } = await loggedInMember(e);
    const oldKid = e.admin.currentKid();
    const { kid: newKid } = e.admin.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    expect(e.admin.currentKid()).toBe(newKid);
    const jwks = await fetchJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));

    const { sessionJwt: newJwt } = await loggedInMember(e);
    expect(decodeProtectedHeader(newJwt).kid).toBe(newKid);
    const local = createLocalJWKSet(jwks);
    const opts = { issuer: e.issuer, audience: e.projectId, currentDate: new Date(e.clock.now()) };
    await expect(jwtVerify(oldJwt, local, opts)).resolves.toBeTruthy();
    await expect(jwtVerify(newJwt, local, opts)).resolves.toBeTruthy();
    // The API still accepts a JWT signed with the retired-but-published key.
    expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: oldJwt }));
  });

  it('drops the old key when rotating with keepOld: false, and removeKey unpublishes a key', async () => {
    const e = emu();
    const first = e.admin.rotateKeys().kid;
    const second = e.admin.rotateKeys({ keepOld: false }).kid;
    let kids = (await fetchJwks()).keys.map((k) => k.kid);
    expect(kids).toEqual([second]);
    const third = e.admin.rotateKeys().kid;
    e.admin.removeKey(second);
    kids = (await fetchJwks()).keys.map((k) => k.kid);
    expect(kids).toContain(third);
    expect(kids).not.toContain(second);
    expect(kids).not.toContain(first);
  });

  it('signs arbitrary payloads with the current key for negative tests (admin.signJwt)', async () => {
    const e = emu();
    const token = e.admin.signJwt({ sub: 'member-test-x', aud: [e.projectId], iss: 'someone-else' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: e.admin.currentKid() });
    const { payload } = await jwtVerify(token, createLocalJWKSet(await fetchJwks()));
    expect(payload.iss).toBe('someone-else');
  });
});
