import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import type { RbacPolicy } from '../../src/client/types.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { PolicyCache } from '../../src/rbac/policy-cache.js';
import { policyFetchers } from '../../src/rbac/fetchers.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { rawRequest, startGuardApp } from './support.js';
import type { GuardApp } from './support.js';

function policy(editorActions: string[]): RbacPolicy {
  return {
    resources: [{ resource_id: 'documents', description: '', actions: ['read', 'write', 'delete'] }],
    roles: [
      { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
      { role_id: 'editor', description: '', permissions: [{ resource_id: 'documents', actions: editorActions }] },
    ],
  };
}

const TTL_MS = 300_000;
const STALE_IF_ERROR_MS = 600_000;

const emu = useEmulator();
let app: GuardApp;
let policyCache: PolicyCache;
let client: StytchB2BClient;
let orgId: string;
const routes = (server: Parameters<Parameters<typeof startGuardApp>[1]>[0]) => {
  server.get('/write', requirePermission('documents', 'write'), (_req, res) => {
    res.send('ok');
  });
  server.get('/delete', requirePermission('documents', 'delete'), (_req, res) => {
    res.send('ok');
  });
  server.get('/can', (req, res) => {
    const auth = getStytchAuth(req);
    res.json({ write: auth.isAuthenticated && auth.can('documents', 'write') });
  });
};

function editorToken(): { token: string; memberId: string } {
  const member = emu().admin.createMember(orgId, { email_address: `editor-${Math.random().toString(36).slice(2)}@example.com`, roles: ['editor'] });
  return { token: emu().admin.createSession({ member_id: member.member_id, session_duration_minutes: 120 }).session_jwt, memberId: member.member_id };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 100 && policyCache.stats().inflight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

beforeAll(() => {
  client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {}, retry: { maxRetries: 0 } });
  orgId = emu().admin.createOrganization({ organization_name: 'Freshness' }).organization_id;
});

beforeEach(async () => {
  emu().faults.clear();
  emu().admin.setProjectPolicy(policy(['read', 'write']));
  policyCache = new PolicyCache({ ...policyFetchers(client), now: () => emu().clock.now(), ttlMs: TTL_MS, staleIfErrorMs: STALE_IF_ERROR_MS });
  app = await startGuardApp(emu(), routes, { auth: { rbac: { policyCache, preload: false } } });
});
afterEach(() => settleFaults(emu()));

afterEach(async () => {
  await app.close();
});

afterAll(async () => {
  await client.close();
});

describe('policy and role freshness', () => {
  it('honours a policy edited in Stytch within the refresh interval', async () => {
    const { token } = editorToken();
    expect((await rawRequest(app.url, '/delete', { token })).status).toBe(403);
    emu().admin.setProjectPolicy(policy(['read', 'write', 'delete']));
    emu().clock.advance(TTL_MS - 1_000);
    expect((await rawRequest(app.url, '/delete', { token })).status).toBe(403);
    emu().clock.advance(1_000);
    await rawRequest(app.url, '/delete', { token }); // past the TTL: answered from cache, refresh starts
    await settle();
    expect((await rawRequest(app.url, '/delete', { token })).status).toBe(200);
  });

  it('honours a role removed from a member when the session JWT is next refreshed', async () => {
    const { token, memberId } = editorToken();
    expect((await rawRequest(app.url, '/write', { token })).status).toBe(200);
    await client.organizations.members.update({ organization_id: orgId, member_id: memberId, roles: [] });
    // The JWT in hand still carries the role until it is refreshed (at most its 5-minute lifetime).
    expect((await rawRequest(app.url, '/write', { token })).status).toBe(200);
    emu().clock.advance(301_000);
    const res = await rawRequest(app.url, '/write', { token });
    expect([res.status, res.json.error?.code]).toEqual([403, 'permission_denied']);
  });

  it('catalogue #58a: answers 503 when no policy was ever fetched and Stytch is down', async () => {
    const { token } = editorToken();
    emu().faults.next('GET /v1/b2b/rbac/policy', { status: 503 }, 1000);
    const res = await rawRequest(app.url, '/write', { token });
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 (not 502) when Stytch returns a malformed policy', async () => {
    const { token } = editorToken();
    emu().faults.next('GET /v1/b2b/rbac/policy', { malformed: true }, 1000);
    const res = await rawRequest(app.url, '/write', { token });
    expect([res.status, res.json.error?.code]).toEqual([503, 'upstream_unavailable']);
  });

  it('catalogue #58b/c: serves the last good policy within the stale window, then fails closed with 503', async () => {
    const { token } = editorToken();
    expect((await rawRequest(app.url, '/write', { token })).status).toBe(200);
    emu().faults.next('GET /v1/b2b/rbac/policy', { status: 503 }, 1000);
    emu().faults.next('GET /v1/b2b/rbac/organizations/*', { drop: 'before_headers' }, 1000);
    emu().clock.advance(TTL_MS + 60_000);
    expect((await rawRequest(app.url, '/write', { token })).status).toBe(200);
    await settle();
    expect((await rawRequest(app.url, '/write', { token })).status).toBe(200);
    expect(policyCache.stats().staleServedOnError).toBeGreaterThanOrEqual(1);
    emu().clock.advance(STALE_IF_ERROR_MS);
    const res = await rawRequest(app.url, '/write', { token });
    expect(res.status).toBe(503);
    expect((await rawRequest(app.url, '/delete', { token })).status).toBe(503);
  });

  it('auth.can() is false while nothing is cached and answers from the cache once loaded', async () => {
    const { token } = editorToken();
    expect((await rawRequest(app.url, '/can', { token })).json).toEqual({ write: false });
    await settle();
    expect((await rawRequest(app.url, '/can', { token })).json).toEqual({ write: true });
  });
});
