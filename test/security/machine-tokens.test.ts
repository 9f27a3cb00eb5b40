/* eslint-disable @typescript-eslint/no-explicit-any -- token payloads are arbitrary JSON here */
/**
 * Hostile machine tokens: every one is refused locally, with no call to Stytch (the JWKS is
 * warmed first, so the call log must stay empty). Session/machine confusion both ways, a
 * session claim smuggled into an access token, wrong issuer and audience, malformed `scope`,
 * expiry and algorithm confusion.
 */
import { createPublicKey } from 'node:crypto';
import express from 'express';
import { beforeEach, describe, expect, it } from 'vitest';
import { SESSION_CLAIM } from '../../src/client/types.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { requireScope } from '../../src/middleware/require-scope.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { useEmulator } from '../helpers/emulator.js';
import { DOCUMENTS_POLICY, connectedAppToken, m2mToken } from '../helpers/machine.js';
import { headerOf, mintAlgNone, mintForged, mintHs256, payloadOf, resign } from '../helpers/tokens.js';
import { emulatorOptions, get, listen, newSession, onCleanup } from '../middleware/support.js';

const emu = useEmulator({ policy: DOCUMENTS_POLICY });
beforeEach(() => {
  emu().faults.clear();
});

async function app(options: StytchAuthOptions) {
  const auth = stytchAuth(emulatorOptions(emu(), options));
  onCleanup(() => auth.close());
  const a = express();
  a.use(auth);
  a.get('/me', (req, res) => {
    const who = getStytchAuth(req);
    res.json({ status: who.status, ...(who.status === 'signed_out' ? { reason: who.reason } : {}) });
  });
  a.get('/api', requireAuth({ acceptsToken: ['session', 'm2m', 'connected_app'] }), (_req, res) => res.json({ ok: true }));
  a.get('/scoped', requireScope('read:documents'), (_req, res) => res.json({ ok: true }));
  const { url } = await listen(a);
  return url;
}

/** Warm the JWKS with a genuine token, then clear the call log: from here no call may happen. */
async function warmed(url: string, token: string, path = '/api'): Promise<void> {
  expect((await get(`${url}${path}`, { bearer: token })).status).toBe(200);
  emu().calls.clear();
}

async function expectRefusedLocally(url: string, token: string, path = '/api'): Promise<void> {
  const res = await get(`${url}${path}`, { bearer: token });
  expect(res.status).toBe(401);
  expect(emu().calls.count()).toBe(0);
}

describe('session and machine tokens are never confused', () => {
  it('refuses a session JWT, even an expired one, where only machines are accepted, without calling Stytch', async () => {
    const url = await app({ acceptsToken: ['m2m'] });
    const { token } = await m2mToken(emu(), ['read:documents']);
    await warmed(url, token);
    const s = newSession(emu());
    await expectRefusedLocally(url, s.session_jwt);
    expect((await get(`${url}/api`, { bearer: s.session_jwt })).body.error.code).toBe('token_type_not_accepted');
    expect((await get(`${url}/me`, { bearer: s.session_jwt })).body).toEqual({ status: 'signed_out', reason: 'token_type_not_accepted' });
    const expired = resign(emu(), { ...payloadOf(s.session_jwt), exp: Math.floor(emu().clock.now() / 1000) - 10 });
    await expectRefusedLocally(url, expired);
    const cookie = await get(`${url}/api`, { cookie: `stytch_session=${s.session_token}; stytch_session_jwt=${expired}` });
    expect(cookie.status).toBe(401);
    expect(emu().calls.count()).toBe(0);
  });

  it('refuses an M2M token where only sessions are accepted (the default), without calling Stytch', async () => {
    const url = await app({});
    const s = newSession(emu());
    await warmed(url, s.session_jwt);
    const { token } = await m2mToken(emu(), ['read:documents']);
    emu().calls.clear();
    await expectRefusedLocally(url, token);
  });

  it('refuses a machine token that carries a session claim, even a well-formed one, where both kinds are accepted', async () => {
    const url = await app({ acceptsToken: ['session', 'm2m', 'connected_app'] });
    const { token } = await m2mToken(emu(), ['read:documents']);
    await warmed(url, token);
    const s = newSession(emu());
    const smuggled = resign(emu(), { ...payloadOf(token), [SESSION_CLAIM]: payloadOf(s.session_jwt)[SESSION_CLAIM], 'https://stytch.com/organization': payloadOf(s.session_jwt)['https://stytch.com/organization'] });
    await expectRefusedLocally(url, smuggled);
    expect((await get(`${url}/me`, { bearer: smuggled })).body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    // The same for a session JWT with a scope added: neither a member nor a machine.
    await expectRefusedLocally(url, resign(emu(), { ...payloadOf(s.session_jwt), scope: 'read:documents' }));
  });
});

describe('machine claim rules', () => {
  let url: string;
  let token: string;
  beforeEach(async () => {
    url = await app({ acceptsToken: ['m2m', 'connected_app'] });
    token = (await m2mToken(emu(), ['read:documents', 'write:documents'])).token;
    await warmed(url, token);
  });

  const variants: [string, (p: Record<string, any>) => void][] = [
    ['a wrong issuer', (p) => (p.iss = 'stytch.com/project-test-other')],
    ['an issuer with a trailing slash', (p) => (p.iss = `${p.iss}/`)],
    ['a wrong audience', (p) => (p.aud = ['project-test-other'])],
    ['no audience', (p) => delete p.aud],
    ['scope as an array', (p) => (p.scope = ['read:documents'])],
    ['scope with a double space', (p) => (p.scope = 'read:documents  write:documents')],
    ['scope with a leading space', (p) => (p.scope = ' read:documents')],
    ['scope with a trailing space', (p) => (p.scope = 'read:documents ')],
    ['scope separated by a tab', (p) => (p.scope = 'read:documents\twrite:documents')],
    ['scope with a newline', (p) => (p.scope = 'read:documents\nwrite:documents')],
    ['scope as a number', (p) => (p.scope = 1)],
    ['a null scope', (p) => (p.scope = null)],
    ['no sub', (p) => delete p.sub],
    ['an empty sub', (p) => (p.sub = '')],
    ['an exp in the past', (p) => (p.exp = p.iat - 1)],
    ['an exp as a string', (p) => (p.exp = String(p.exp))],
    ['an nbf in the future', (p) => (p.nbf = p.iat + 600)],
    ['an iat in the future', (p) => (p.iat = p.iat + 600)],
    ['a malformed organization claim', (p) => (p['https://stytch.com/organization'] = { organization_id: 42 })],
    ['a __proto__ claim', (p) => Object.defineProperty(p, '__proto__', { value: { isAdmin: true }, enumerable: true })],
  ];

  it.each(variants)('refuses a well-signed M2M token with %s', async (_name, change) => {
    const payload = structuredClone(payloadOf(token));
    change(payload);
    await expectRefusedLocally(url, resign(emu(), payload));
    await expectRefusedLocally(url, resign(emu(), payload), '/scoped');
  });

  it('refuses a Connected-App token without its organization claim', async () => {
    const ca = connectedAppToken(emu(), ['read:documents']);
    expect((await get(`${url}/api`, { bearer: ca.token })).status).toBe(200);
    emu().calls.clear();
    const payload = payloadOf(ca.token);
    delete payload['https://stytch.com/organization'];
    await expectRefusedLocally(url, resign(emu(), payload));
  });

  it('refuses a token once it expires on the clock, cached or not, without calling Stytch', async () => {
    emu().clock.advance(3601_000);
    expect((await get(`${url}/api`, { bearer: token })).status).toBe(401);
    expect((await get(`${url}/me`, { bearer: token })).body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    // An hour on, the JWKS may be refreshed; nothing else is called.
    expect(emu().calls.list().filter((call) => !call.path.startsWith('/v1/b2b/sessions/jwks/'))).toEqual([]);
  });
});

describe('algorithm confusion on machine tokens', () => {
  let url: string;
  let token: string;
  beforeEach(async () => {
    url = await app({ acceptsToken: ['m2m'] });
    token = (await m2mToken(emu(), ['read:documents'])).token;
    await warmed(url, token);
  });

  it('refuses HS256 signed with the published public key', async () => {
    const res = await fetch(emu().jwksUrl);
    const jwk = ((await res.json()) as { keys: Record<string, string>[] }).keys[0]!;
    const pem = createPublicKey({ key: { kty: 'RSA', n: jwk.n!, e: jwk.e! }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    emu().calls.clear();
    await expectRefusedLocally(url, mintHs256({ kid: headerOf(token).kid }, payloadOf(token), pem));
    await expectRefusedLocally(url, mintHs256({ kid: headerOf(token).kid }, payloadOf(token), JSON.stringify(jwk)));
  });

  it('refuses alg none, an unpublished RSA key, PS256 and RS512 with the real kid', async () => {
    const kid = headerOf(token).kid;
    await expectRefusedLocally(url, mintAlgNone('none', payloadOf(token)));
    await expectRefusedLocally(url, mintForged({ kid }, payloadOf(token)));
    await expectRefusedLocally(url, mintForged({ kid }, payloadOf(token), 'PS256'));
    await expectRefusedLocally(url, mintForged({ kid }, payloadOf(token), 'RS512'));
  });

  it('refuses a genuine signature without typ: JWT, as the SDK does', async () => {
    await expectRefusedLocally(url, resign(emu(), payloadOf(token), { typ: undefined }));
    await expectRefusedLocally(url, resign(emu(), payloadOf(token), { typ: 'at+jwt' }));
  });
});

describe('opaque bearer tokens with Connected-App introspection configured', () => {
  it('introspects only token-shaped values: junk, oversized and session-cookie opaque tokens never reach Stytch', async () => {
    const slug = `sec-${Math.random().toString(36).slice(2, 10)}`;
    const org = emu().admin.createOrganization({ organization_name: slug, organization_slug: slug });
    const member = emu().admin.createMember(org.organization_id, { email_address: `${slug}@example.com`, roles: ['editor'] });
    const ca = emu().admin.createConnectedApp({ client_name: 'Partner' });
    const opaque = emu().admin.issueConnectedAppToken({ client_id: ca.client_id, member_id: member.member_id, scopes: ['read:documents'], opaque: true }).access_token;
    const url = await app({ acceptsToken: ['session', 'connected_app'], connectedApps: { clientId: ca.client_id, clientSecret: ca.client_secret! } });
    emu().calls.clear();
    for (const junk of ['a.b', 'short', `${'x'.repeat(9000)}`, 'tok%20en', 'tok"en']) {
      const res = await get(`${url}/me`, { bearer: junk });
      expect(res.body, junk.slice(0, 20)).toEqual({ status: 'signed_out', reason: 'malformed_credentials' });
    }
    // An opaque Connected-App token in the session cookie is a session token to introspect nowhere.
    expect((await get(`${url}/scoped`, { cookie: `stytch_session=${opaque}` })).status).toBe(401);
    expect(emu().calls.count(/oauth2\/introspect/)).toBe(0);
  });

  it('the official SDK introspects the emulator\'s opaque token like our middleware does', async () => {
    const stytch = await import('stytch');
    const slug = `sdk-${Math.random().toString(36).slice(2, 10)}`;
    const org = emu().admin.createOrganization({ organization_name: slug, organization_slug: slug });
    const member = emu().admin.createMember(org.organization_id, { email_address: `${slug}@example.com`, roles: ['editor'] });
    const ca = emu().admin.createConnectedApp({ client_name: 'Partner' });
    const opaque = emu().admin.issueConnectedAppToken({ client_id: ca.client_id, member_id: member.member_id, scopes: ['read:documents'], opaque: true }).access_token;
    const sdk = new stytch.B2BClient({ project_id: emu().projectId, secret: emu().secret, env: `${emu().url}/` });
    const answer = await sdk.idp.introspectTokenNetwork({ token: opaque, client_id: ca.client_id, client_secret: ca.client_secret! });
    expect(answer).toMatchObject({ subject: member.member_id, scope: 'read:documents', organization: { organization_id: org.organization_id, slug } });
    const url = await app({ acceptsToken: ['session', 'connected_app'], connectedApps: { clientId: ca.client_id, clientSecret: ca.client_secret! } });
    expect((await get(`${url}/scoped`, { bearer: opaque })).status).toBe(200);
    emu().admin.revokeAccessToken(opaque);
    await expect(sdk.idp.introspectTokenNetwork({ token: opaque, client_id: ca.client_id, client_secret: ca.client_secret! })).rejects.toThrow();
  });
});
