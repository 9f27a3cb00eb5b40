/**
 * Opaque Connected-App access tokens: introspected over the network (`POST .../oauth2/introspect`)
 * with the machinery of opaque sessions (single flight, negative cache, circuit breaker), against
 * the emulator over real HTTP; and `requirePermission(..., { mode: 'remote' })` for machines.
 */
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/index.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { requireScope } from '../../src/middleware/require-scope.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { DOCUMENTS_POLICY, m2mToken } from '../helpers/machine.js';
import { emulatorOptions, get, listen, onCleanup } from './support.js';

const emu = useEmulator({ policy: DOCUMENTS_POLICY });
const INTROSPECT = /oauth2\/introspect/;
const INTROSPECT_FAULT = 'POST /v1/public/*/oauth2/introspect';
afterEach(() => {
  settleFaults(emu());
});

interface Partner {
  clientId: string;
  clientSecret: string | undefined;
  organizationId: string;
  organizationSlug: string;
  memberId: string;
  /** A token for this member and app; opaque unless `jwt`. */
  token(scopes: string[], jwt?: boolean): string;
}

/** A Connected App (confidential unless `type` says public) and an editor member who consents to it. */
function partner(emulator: Emulator, type: 'third_party' | 'third_party_public' = 'third_party'): Partner {
  const slug = `op-${Math.random().toString(36).slice(2, 10)}`;
  const org = emulator.admin.createOrganization({ organization_name: slug, organization_slug: slug });
  const member = emulator.admin.createMember(org.organization_id, { email_address: `${slug}@example.com`, roles: ['editor'] });
  const app = emulator.admin.createConnectedApp({ client_name: 'Partner', client_type: type });
  return {
    clientId: app.client_id,
    clientSecret: app.client_secret,
    organizationId: org.organization_id,
    organizationSlug: slug,
    memberId: member.member_id,
    token: (scopes, jwt = false) =>
      emulator.admin.issueConnectedAppToken({ client_id: app.client_id, member_id: member.member_id, scopes, ...(jwt ? {} : { opaque: true }), custom_claims: { tier: 'gold' } }).access_token,
  };
}

async function app(p: Partner, extra: StytchAuthOptions = {}) {
  const auth = stytchAuth(
    emulatorOptions(emu(), {
      acceptsToken: ['session', 'm2m', 'connected_app'],
      connectedApps: { clientId: p.clientId, ...(p.clientSecret === undefined ? {} : { clientSecret: p.clientSecret }) },
      circuitBreaker: { failureThreshold: 2, coolOffMs: 60_000 },
      ...extra,
    }),
  );
  onCleanup(() => auth.close());
  const a = express();
  a.use(auth);
  a.get('/me', (req, res) => {
    const who = getStytchAuth(req);
    if (who.status === 'machine') res.json({ ...who, hasScopes: undefined });
    else res.json({ status: who.status, reason: who.status === 'signed_in' ? undefined : who.reason });
  });
  const machines = { acceptsToken: ['connected_app'] } as const;
  a.get('/read', requireScope('read:documents'), (_req, res) => res.json({ ok: true }));
  a.get('/docs', requirePermission('documents', 'read', machines), (_req, res) => res.json({ ok: true }));
  a.get('/docs/remote', requirePermission('documents', 'read', { ...machines, mode: 'remote' }), (_req, res) => res.json({ ok: true }));
  a.get('/docs/remote/write', requirePermission('documents', 'write', { ...machines, mode: 'remote' }), (_req, res) => res.json({ ok: true }));
  a.get('/orgs/:orgId/docs/remote', requirePermission('documents', 'read', { ...machines, mode: 'remote', organizationParam: 'orgId' }), (_req, res) => res.json({ ok: true }));
  const { url } = await listen(a);
  return { url, auth };
}

describe('opaque Connected-App tokens', () => {
  it('introspects an active token once: machine auth with scopes, client id and organization, then a cache hit', async () => {
    const p = partner(emu());
    const { url, auth } = await app(p);
    const token = p.token(['read:documents']);
    emu().calls.clear();
    const first = await get(`${url}/me`, { bearer: token });
    expect(first.body).toMatchObject({
      status: 'machine',
      isAuthenticated: false,
      tokenType: 'connected_app',
      clientId: p.clientId,
      subject: p.memberId,
      scopes: ['read:documents'],
      organizationId: p.organizationId,
      organizationSlug: p.organizationSlug,
      customClaims: { tier: 'gold' },
      verifiedBy: 'network',
      credential: 'bearer',
    });
    // The introspection envelope is not a custom claim.
    expect(first.body.customClaims).toEqual({ tier: 'gold' });
    expect(emu().calls.count(INTROSPECT)).toBe(1);
    const call = emu().calls.list().find((c) => INTROSPECT.test(`${c.method} ${c.path}`));
    expect(call).toBeDefined();
    const second = await get(`${url}/me`, { bearer: token });
    expect(second.body).toMatchObject({ status: 'machine', verifiedBy: 'cache' });
    expect((await get(`${url}/read`, { bearer: token })).status).toBe(200);
    expect((await get(`${url}/docs`, { bearer: token })).status).toBe(200);
    expect(emu().calls.count(INTROSPECT)).toBe(1);
    expect(auth.metrics()).toMatchObject({ networkAuthentications: 1 });
  });

  it('works for a public client (no secret sent)', async () => {
    const p = partner(emu(), 'third_party_public');
    expect(p.clientSecret).toBeUndefined();
    const { url } = await app(p);
    expect((await get(`${url}/me`, { bearer: p.token(['read:documents']) })).body).toMatchObject({ status: 'machine', clientId: p.clientId });
  });

  it('makes one upstream call for concurrent identical tokens', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    emu().calls.clear();
    emu().faults.next(INTROSPECT_FAULT, { delayMs: 150 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(`${url}/read`, { bearer: token })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(emu().calls.count(INTROSPECT)).toBe(1);
  });

  it('refuses a revoked token with 401 and remembers the answer (no second call)', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    emu().admin.revokeAccessToken(token);
    emu().calls.clear();
    const refused = await get(`${url}/read`, { bearer: token });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await get(`${url}/me`, { bearer: token })).body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    expect(emu().calls.count(INTROSPECT)).toBe(1);
  });

  it('refuses an unknown opaque token with 401, negative-cached', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    emu().calls.clear();
    const unknown = 'ca_access_' + 'x'.repeat(43);
    expect((await get(`${url}/read`, { bearer: unknown })).status).toBe(401);
    expect((await get(`${url}/read`, { bearer: unknown })).status).toBe(401);
    expect(emu().calls.count(INTROSPECT)).toBe(1);
  });

  it('answers 503 (never a sign-out) when Stytch fails, and the breaker opens', async () => {
    const p = partner(emu());
    const { url, auth } = await app(p);
    emu().faults.next(INTROSPECT_FAULT, { status: 503 }, 2);
    const a = await get(`${url}/read`, { bearer: p.token(['read:documents']) });
    expect(a.status).toBe(503);
    const b = await get(`${url}/me`, { bearer: p.token(['read:documents']) });
    expect(b.body).toEqual({ status: 'undecided', reason: 'upstream_unavailable' });
    expect(auth.metrics().circuit).toBe('open');
    emu().calls.clear();
    const c = await get(`${url}/read`, { bearer: p.token(['read:documents']) });
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).not.toBeNull();
    expect(emu().calls.count(INTROSPECT)).toBe(0);
  });

  it('answers 503 for a malformed introspection answer and for a rate limit (with Retry-After)', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    emu().faults.next(INTROSPECT_FAULT, { malformed: true });
    expect((await get(`${url}/read`, { bearer: p.token(['read:documents']) })).status).toBe(503);
    emu().faults.next(INTROSPECT_FAULT, { status: 429, retryAfterSeconds: 7 });
    const limited = await get(`${url}/read`, { bearer: p.token(['read:documents']) });
    expect(limited.status).toBe(503);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The rate limit opened the breaker: nothing is asked until it passes.
    emu().calls.clear();
    expect((await get(`${url}/read`, { bearer: p.token(['read:documents']) })).status).toBe(503);
    expect(emu().calls.count(INTROSPECT)).toBe(0);
  });

  it('reuses an active answer for five minutes at most, and no longer than maxTokenAgeSeconds', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    emu().calls.clear();
    expect((await get(`${url}/read`, { bearer: token })).status).toBe(200);
    emu().clock.advance(299_000);
    expect((await get(`${url}/read`, { bearer: token })).status).toBe(200);
    expect(emu().calls.count(INTROSPECT)).toBe(1);
    emu().clock.advance(2_000);
    expect((await get(`${url}/read`, { bearer: token })).status).toBe(200);
    expect(emu().calls.count(INTROSPECT)).toBe(2);

    const short = await app(p, { maxTokenAgeSeconds: 10 });
    const other = p.token(['read:documents']);
    emu().calls.clear();
    expect((await get(`${short.url}/read`, { bearer: other })).status).toBe(200);
    emu().clock.advance(11_000);
    expect((await get(`${short.url}/read`, { bearer: other })).status).toBe(200);
    expect(emu().calls.count(INTROSPECT)).toBe(2);
  });

  it('answers 503 when the emulator is down (connection refused)', async () => {
    const p = partner(emu());
    const { url: deadUrl, server } = await listen((_req, res) => res.end());
    server.close();
    const { url } = await app(p, { baseUrl: deadUrl });
    const res = await get(`${url}/read`, { bearer: p.token(['read:documents']) });
    expect(res.status).toBe(503);
  });

  it('treats refused introspection credentials as undecided (503), not as a bad token', async () => {
    const p = partner(emu());
    const { url } = await app({ ...p, clientSecret: 'not-the-secret' });
    const res = await get(`${url}/me`, { bearer: p.token(['read:documents']) });
    expect(res.body).toEqual({ status: 'undecided', reason: 'upstream_unavailable' });
  });

  it('without connectedApps an opaque bearer token stays malformed, with no network call', async () => {
    const p = partner(emu());
    const auth = stytchAuth(emulatorOptions(emu(), { acceptsToken: ['session', 'connected_app'] }));
    onCleanup(() => auth.close());
    const a = express();
    a.use(auth);
    a.get('/me', (req, res) => res.json(getStytchAuth(req)));
    const { url } = await listen(a);
    emu().calls.clear();
    expect((await get(`${url}/me`, { bearer: p.token(['read:documents']) })).body).toMatchObject({ status: 'signed_out', reason: 'malformed_credentials' });
    expect(emu().calls.count(INTROSPECT)).toBe(0);
  });

  it('refuses a connectedApps option without a client id, with a bad secret, or without connected_app accepted', () => {
    const base = { acceptsToken: ['session', 'connected_app'] } as const;
    expect(() => stytchAuth(emulatorOptions(emu(), { ...base, connectedApps: {} as never }))).toThrow(ConfigError);
    expect(() => stytchAuth(emulatorOptions(emu(), { ...base, connectedApps: { clientId: '' } }))).toThrow(/connectedApps\.clientId/);
    expect(() => stytchAuth(emulatorOptions(emu(), { ...base, connectedApps: { clientId: 'a', clientSecret: '' } }))).toThrow(/connectedApps\.clientSecret/);
    expect(() => stytchAuth(emulatorOptions(emu(), { acceptsToken: ['session', 'm2m'], connectedApps: { clientId: 'a' } }))).toThrow(/connected_app/);
    try {
      stytchAuth(emulatorOptions(emu(), { ...base, connectedApps: { clientId: 'a', clientSecret: 7 as never } }));
    } catch (error) {
      expect(String(error)).not.toContain('7');
    }
  });
});

describe("requirePermission mode 'remote' for machines", () => {
  it('re-introspects a Connected-App token on every request and decides with its fresh scopes', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    expect((await get(`${url}/me`, { bearer: token })).status).toBe(200);
    emu().calls.clear();
    expect((await get(`${url}/docs/remote`, { bearer: token })).status).toBe(200);
    expect((await get(`${url}/docs/remote`, { bearer: token })).status).toBe(200);
    expect(emu().calls.count(INTROSPECT)).toBe(2);
    const denied = await get(`${url}/docs/remote/write`, { bearer: token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('insufficient_scope');
    expect(denied.headers.get('www-authenticate')).toContain('scope="write:documents admin:documents"');
  });

  it('sees a revocation at once (the local cache would not), and then the cached token is refused too', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const jwt = p.token(['read:documents'], true);
    expect((await get(`${url}/docs`, { bearer: jwt })).status).toBe(200);
    emu().admin.revokeAccessToken(jwt);
    // Local verification cannot know about the revocation.
    expect((await get(`${url}/docs`, { bearer: jwt })).status).toBe(200);
    const refused = await get(`${url}/docs/remote`, { bearer: jwt });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    emu().calls.clear();
    // Stytch said inactive: the token is dropped from the cache and negative-cached.
    expect((await get(`${url}/docs`, { bearer: jwt })).status).toBe(401);
    expect(emu().calls.count(INTROSPECT)).toBe(0);
  });

  it('keeps tenancy: a route organization other than the token\'s is refused before any call', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    expect((await get(`${url}/orgs/${p.organizationSlug}/docs/remote`, { bearer: token })).status).toBe(200);
    emu().calls.clear();
    const other = await get(`${url}/orgs/organization-test-other/docs/remote`, { bearer: token });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('tenancy_mismatch');
    expect(emu().calls.count(INTROSPECT)).toBe(0);
  });

  it('answers 503 when the remote introspection fails', async () => {
    const p = partner(emu());
    const { url } = await app(p);
    const token = p.token(['read:documents']);
    expect((await get(`${url}/docs`, { bearer: token })).status).toBe(200);
    emu().faults.next(INTROSPECT_FAULT, { status: 500 });
    expect((await get(`${url}/docs/remote`, { bearer: token })).status).toBe(503);
  });

  it('is refused at construction for M2M tokens: Stytch has no network check for them', () => {
    expect(() => requirePermission('documents', 'read', { mode: 'remote', acceptsToken: ['session', 'm2m'] })).toThrow(ConfigError);
    expect(() => requirePermission('documents', 'read', { mode: 'remote', acceptsToken: ['m2m'] })).toThrow(/M2M/);
    expect(() => requirePermission('documents', 'read', { mode: 'remote', acceptsToken: ['session', 'connected_app'] })).not.toThrow();
  });

  it('answers 500 (a configuration error, logged) for a Connected-App token when stytchAuth() has no connectedApps', async () => {
    const p = partner(emu());
    const logs: Array<Record<string, unknown>> = [];
    const log = (obj: Record<string, unknown>) => void logs.push(obj);
    const logger = { debug: log, info: log, warn: log, error: log };
    const auth = stytchAuth(emulatorOptions(emu(), { acceptsToken: ['session', 'm2m', 'connected_app'], logger }));
    onCleanup(() => auth.close());
    const a = express();
    a.use(auth);
    a.get('/docs/remote', requirePermission('documents', 'read', { mode: 'remote', acceptsToken: ['connected_app'] }), (_req, res) => res.json({ ok: true }));
    const { url } = await listen(a);
    const res = await get(`${url}/docs/remote`, { bearer: p.token(['read:documents'], true) });
    expect(res.status).toBe(500);
    expect(logs.some((l) => l.event === 'remote_machine_check_not_configured')).toBe(true);
    // Said once, not on every such request.
    expect((await get(`${url}/docs/remote`, { bearer: p.token(['read:documents'], true) })).status).toBe(500);
    expect(logs.filter((l) => l.event === "remote_machine_check_not_configured"), JSON.stringify(logs)).toHaveLength(1);
    // An M2M token on that route is refused as a kind the route does not take.
    const { token } = await m2mToken(emu(), ['read:documents']);
    expect((await get(`${url}/docs/remote`, { bearer: token })).status).toBe(401);
  });
});
