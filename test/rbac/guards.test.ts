import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { ConfigError } from '../../src/errors.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requireFreshAuth } from '../../src/middleware/require-fresh-auth.js';
import { getAuthorizationVerdict, requirePermission } from '../../src/middleware/require-permission.js';
import { requireRole } from '../../src/middleware/require-role.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { rawRequest, startGuardApp } from './support.js';
import type { GuardApp } from './support.js';

const POLICY: RbacPolicy = {
  resources: [
    { resource_id: 'documents', description: '', actions: ['read', 'write', 'delete'] },
    { resource_id: 'images', description: '', actions: ['read', 'write', 'delete'] },
  ],
  roles: [
    { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'stytch_admin', description: '', permissions: [{ resource_id: 'stytch.member', actions: ['*'] }] },
    { role_id: 'viewer', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }, { resource_id: 'images', actions: ['read'] }] },
    { role_id: 'editor', description: '', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { role_id: 'doc_admin', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
    { role_id: 'hasOwnProperty', description: '', permissions: [{ resource_id: '__proto__', actions: ['constructor'] }] },
  ],
};

/** Independent oracle for the matrix: what each member may do in its own organization. */
const GRANTS: Record<string, Record<string, string[]>> = {
  viewer: { documents: ['read'], images: ['read'] },
  editor: { documents: ['read', 'write'] },
  docAdmin: { documents: ['read', 'write', 'delete'] },
  plain: {},
  auditor: { images: ['read', 'write', 'delete'] }, // org A custom role
};
const RESOURCES = ['documents', 'images'];
const ACTIONS = ['read', 'write', 'delete'];

const emu = useEmulator();
let app: GuardApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
const tokens: Record<string, string> = {};
const memberIds: Record<string, string> = {};
let handlerRuns = 0;

function session(orgId: string, name: string, roles: string[], factors?: string[]): void {
  const member = emu().admin.createMember(orgId, { email_address: `${name}-${orgId.slice(-6)}@example.com`, roles });
  memberIds[name] = member.member_id;
  tokens[name] = emu().admin.createSession({ member_id: member.member_id, ...(factors ? { factors } : {}) }).session_jwt;
}

beforeAll(async () => {
  emu().admin.setProjectPolicy(POLICY);
  const a = emu().admin.createOrganization({ organization_name: 'Acme', organization_slug: 'acme' });
  const b = emu().admin.createOrganization({ organization_name: 'Globex', organization_slug: 'globex' });
  orgA = { id: a.organization_id, slug: a.organization_slug };
  orgB = { id: b.organization_id, slug: b.organization_slug };
  emu().admin.setOrgPolicy(orgA.id, { roles: [{ role_id: 'auditor', description: '', permissions: [{ resource_id: 'images', actions: ['*'] }] }] });
  session(orgA.id, 'viewer', ['viewer']);
  session(orgA.id, 'editor', ['editor']);
  session(orgA.id, 'docAdmin', ['doc_admin']);
  session(orgA.id, 'plain', []);
  session(orgA.id, 'auditor', ['auditor']);
  session(orgA.id, 'admin', ['stytch_admin']);
  session(orgA.id, 'mfa', ['editor'], ['magic_link', 'totp']);
  session(orgB.id, 'auditorB', ['auditor', 'doc_admin']);
  session(orgA.id, 'proto', ['hasOwnProperty']);

  app = await startGuardApp(emu(), (server) => {
    const ok = (_req: unknown, res: { json(body: unknown): void }) => {
      handlerRuns++;
      res.json({ ok: true });
    };
    for (const resource of RESOURCES) {
      for (const action of ACTIONS) {
        server.get(`/m/${resource}/${action}/:orgId`, requirePermission(resource, action, { organizationParam: 'orgId' }), ok);
        server.get(`/own/${resource}/${action}`, requirePermission(resource, action), ok);
      }
    }
    server.get('/header/docs', requirePermission('documents', 'read', { organizationId: (req) => req.headers['x-org'] as string | undefined }), ok);
    const reportVerdict = (req: object, res: { json(body: unknown): void }) => {
      handlerRuns++;
      res.json({ verdict: getAuthorizationVerdict(req) });
    };
    for (const resource of RESOURCES) {
      for (const action of ACTIONS) {
        server.get(`/remote/:orgId/${resource}/${action}`, requirePermission(resource, action, { mode: 'remote', organizationParam: 'orgId' }), reportVerdict);
      }
    }
    server.get('/verdict', requirePermission('documents', 'read'), (req, res) => {
      res.json({ verdict: getAuthorizationVerdict(req), can: getStytchAuth(req).isAuthenticated });
    });
    server.get('/proto', requirePermission('__proto__', 'constructor'), ok);
    server.get('/proto/toString', requirePermission('__proto__', 'toString'), ok);
    server.get('/proto-param/:orgId', requirePermission('documents', 'read', { organizationParam: 'constructor' }), ok);
    server.get('/admin', requireRole('stytch_admin'), ok);
    server.get('/orgs/:orgId/admin', requireRole('stytch_admin', 'doc_admin', { organizationParam: 'orgId' }), ok);
    server.post('/billing', requireFreshAuth({ maxAgeSeconds: 300, factors: ['totp'] }), ok);
    server.get('/billing', requireFreshAuth({ maxAgeSeconds: 300, factors: ['totp'] }), ok);
    server.get('/recent', requireFreshAuth({ maxAgeSeconds: 600 }), ok);
    server.get(
      '/compound/:orgId',
      requireRole('editor', { organizationParam: 'orgId' }),
      requireFreshAuth({ factors: ['totp'] }),
      requirePermission('documents', 'write', { organizationParam: 'orgId' }),
      ok,
    );
  });
  // Warm the JWKS, the verified-token cache and the policy cache once per member.
  for (const token of Object.values(tokens)) await rawRequest(app.url, '/own/documents/read', { token });
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  emu().faults.clear();
  emu().calls.clear();
  handlerRuns = 0;
});
afterEach(() => settleFaults(emu()));

describe('requirePermission', () => {
  it('catalogue #54: permission matrix over roles x resources x actions x organizations (id, slug, other id, other slug)', async () => {
    const failures: string[] = [];
    for (const member of Object.keys(GRANTS)) {
      for (const resource of RESOURCES) {
        for (const action of ACTIONS) {
          for (const [label, org] of [['own id', orgA.id], ['own slug', orgA.slug], ['other id', orgB.id], ['other slug', orgB.slug]] as const) {
            const res = await rawRequest(app.url, `/m/${resource}/${action}/${encodeURIComponent(org)}`, { token: tokens[member] });
            const own = label.startsWith('own');
            const allowed = own && (GRANTS[member]![resource] ?? []).includes(action);
            const expected = allowed ? '200' : own ? '403 permission_denied' : '403 tenancy_mismatch';
            const actual = res.status === 200 ? '200' : `${res.status} ${res.json.error?.code}`;
            if (actual !== expected) failures.push(`${member} ${action} ${resource} in ${label}: expected ${expected}, got ${actual}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers a refusal with 403 JSON, Cache-Control: no-store and no token in the body', async () => {
    const res = await rawRequest(app.url, '/own/documents/delete', { token: tokens.viewer });
    expect(res.status).toBe(403);
    expect(res.json.error?.code).toBe('permission_denied');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toContain(tokens.viewer!.slice(0, 20));
  });

  it('answers 401 when signed out, like requireAuth()', async () => {
    const res = await rawRequest(app.url, '/own/documents/read');
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe('unauthenticated');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('decides a tenancy mismatch by id or by slug with 0 upstream calls', async () => {
    for (const org of [orgB.id, orgB.slug, 'organization-test-unknown', 'ACME']) {
      const res = await rawRequest(app.url, `/m/documents/read/${org}`, { token: tokens.docAdmin });
      expect([res.status, res.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
    }
    expect(emu().calls.count()).toBe(0);
    expect(handlerRuns).toBe(0);
  });

  it('reads the organization from a request function, by id or the session slug', async () => {
    expect((await rawRequest(app.url, '/header/docs', { token: tokens.viewer, headers: { 'x-org': orgA.slug } })).status).toBe(200);
    expect((await rawRequest(app.url, '/header/docs', { token: tokens.viewer, headers: { 'x-org': orgA.id } })).status).toBe(200);
    const other = await rawRequest(app.url, '/header/docs', { token: tokens.viewer, headers: { 'x-org': orgB.id } });
    expect([other.status, other.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
    const missing = await rawRequest(app.url, '/header/docs', { token: tokens.viewer });
    expect([missing.status, missing.json.error?.code]).toEqual([403, 'permission_denied']);
  });

  it('catalogue #56: an organization custom role does not leak to another tenant with the same role id', async () => {
    expect((await rawRequest(app.url, '/own/images/write', { token: tokens.auditor })).status).toBe(200);
    const leaked = await rawRequest(app.url, '/own/images/read', { token: tokens.auditorB });
    expect([leaked.status, leaked.json.error?.code]).toEqual([403, 'permission_denied']);
    expect((await rawRequest(app.url, '/own/documents/delete', { token: tokens.auditorB })).status).toBe(200);
  });

  it('catalogue #62: prototype-like resource, action, role and parameter names behave like any other string', async () => {
    expect((await rawRequest(app.url, '/proto', { token: tokens.proto })).status).toBe(200);
    const other = await rawRequest(app.url, '/proto/toString', { token: tokens.proto });
    expect([other.status, other.json.error?.code]).toEqual([403, 'permission_denied']);
    const noRole = await rawRequest(app.url, '/proto', { token: tokens.docAdmin });
    expect([noRole.status, noRole.json.error?.code]).toEqual([403, 'permission_denied']);
    // `constructor` is not a route parameter here: it must not resolve to Object.prototype.constructor.
    const param = await rawRequest(app.url, `/proto-param/${orgA.id}`, { token: tokens.viewer });
    expect([param.status, param.json.error?.code]).toEqual([403, 'permission_denied']);
    const tenancy = await rawRequest(app.url, '/m/documents/read/__proto__', { token: tokens.viewer });
    expect([tenancy.status, tenancy.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
  });

  it('exposes the local verdict with its granting roles', async () => {
    const res = await rawRequest(app.url, '/verdict', { token: tokens.editor });
    expect(res.json.verdict).toEqual({ authorized: true, grantingRoles: ['editor'], mode: 'local', check: { organizationId: orgA.id, resourceId: 'documents', action: 'read' } });
  });

  it('costs no upstream call on a warm cache', async () => {
    for (let i = 0; i < 20; i++) expect((await rawRequest(app.url, '/own/documents/write', { token: tokens.editor })).status).toBe(200);
    expect(emu().calls.count()).toBe(0);
  });

  it('mode remote asks Stytch with the request credential and exposes its verdict', async () => {
    const res = await rawRequest(app.url, `/remote/${orgA.id}/documents/write`, { token: tokens.editor });
    expect(res.status).toBe(200);
    expect(res.json.verdict).toMatchObject({ authorized: true, grantingRoles: ['editor'], mode: 'remote' });
    expect(emu().calls.count('POST /v1/b2b/sessions/authenticate')).toBe(1);
  });

  it('mode remote maps Stytch 403s to permission_denied and tenancy mismatches to tenancy_mismatch without a call', async () => {
    const denied = await rawRequest(app.url, `/remote/${orgA.slug}/documents/delete`, { token: tokens.editor });
    expect([denied.status, denied.json.error?.code]).toEqual([403, 'permission_denied']);
    expect(emu().calls.count('POST /v1/b2b/sessions/authenticate')).toBe(1);
    emu().calls.clear();
    const other = await rawRequest(app.url, `/remote/${orgB.id}/documents/read`, { token: tokens.editor });
    expect([other.status, other.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
    expect(emu().calls.count()).toBe(0);
  });

  it('mode remote answers 503 when Stytch is down, never an allow', async () => {
    emu().faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 }, 3);
    const res = await rawRequest(app.url, `/remote/${orgA.id}/documents/read`, { token: tokens.editor });
    expect(res.status).toBe(503);
    expect(handlerRuns).toBe(0);
  });

  it('validates its arguments when created, naming the bad one', () => {
    expect(() => requirePermission('', 'read')).toThrow(ConfigError);
    expect(() => requirePermission('', 'read')).toThrow(/resourceId/);
    expect(() => requirePermission('documents', undefined as never)).toThrow(/action/);
    expect(() => requirePermission('documents', 'read', { mode: 'sometimes' as never })).toThrow(/mode/);
    expect(() => requirePermission('documents', 'read', { organizationParam: '' })).toThrow(/organizationParam/);
    expect(() => requirePermission('documents', 'read', { organizationId: 'org' as never })).toThrow(/organizationId/);
  });
});

describe('requireRole', () => {
  it('lets a listed role through and refuses others with 403 permission_denied', async () => {
    expect((await rawRequest(app.url, '/admin', { token: tokens.admin })).status).toBe(200);
    const res = await rawRequest(app.url, '/admin', { token: tokens.docAdmin });
    expect([res.status, res.json.error?.code]).toEqual([403, 'permission_denied']);
  });

  it('accepts any of several roles and checks the route organization', async () => {
    expect((await rawRequest(app.url, `/orgs/${orgA.slug}/admin`, { token: tokens.docAdmin })).status).toBe(200);
    const res = await rawRequest(app.url, `/orgs/${orgA.id}/admin`, { token: tokens.auditorB });
    expect([res.status, res.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
  });

  it('validates its arguments when created, naming the bad one', () => {
    expect(() => requireRole()).toThrow(/roles/);
    expect(() => requireRole('admin', '')).toThrow(/roles\[1\]/);
    expect(() => requireRole('admin', { organizationParam: 7 as never })).toThrow(/organizationParam/);
  });
});

describe('requireFreshAuth', () => {
  it('lets a session with a recent required factor through', async () => {
    expect((await rawRequest(app.url, '/billing', { method: 'POST', token: tokens.mfa })).status).toBe(200);
  });

  it('refuses a session without the factor with 403 step_up_required', async () => {
    const res = await rawRequest(app.url, '/billing', { method: 'POST', token: tokens.editor });
    expect([res.status, res.json.error?.code]).toEqual([403, 'step_up_required']);
  });

  it('redirects a browser navigation to the MFA route with a return_to', async () => {
    const res = await rawRequest(app.url, '/billing?x=1', { token: tokens.editor, headers: { 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/mfa?return_to=%2Fbilling%3Fx%3D1');
  });

  it('refuses once the factor is older than maxAgeSeconds (clock moved, session still alive)', async () => {
    const member = emu().admin.createMember(orgA.id, { email_address: `fresh-${Date.now()}@example.com`, roles: ['editor'] });
    const token = emu().admin.createSession({ member_id: member.member_id, session_duration_minutes: 60 }).session_jwt;
    expect((await rawRequest(app.url, '/recent', { token })).status).toBe(200);
    emu().clock.advance(601_000);
    const res = await rawRequest(app.url, '/recent', { token });
    expect([res.status, res.json.error?.code]).toEqual([403, 'step_up_required']);
  });

  it('validates its options when created, naming the bad one', () => {
    expect(() => requireFreshAuth({})).toThrow(/maxAgeSeconds/);
    expect(() => requireFreshAuth({ maxAgeSeconds: -1 })).toThrow(/maxAgeSeconds/);
    expect(() => requireFreshAuth({ factors: [] })).toThrow(/factors/);
    expect(() => requireFreshAuth({ factors: ['totp', ''] })).toThrow(/factors\[1\]/);
  });
});

describe('compound guards', () => {
  it('catalogue #60: role + MFA factor + organization: one dimension missing or malformed refuses with 403', async () => {
    expect((await rawRequest(app.url, `/compound/${orgA.id}`, { token: tokens.mfa })).status).toBe(200);
    const noFactor = await rawRequest(app.url, `/compound/${orgA.id}`, { token: tokens.editor });
    expect([noFactor.status, noFactor.json.error?.code]).toEqual([403, 'step_up_required']);
    const noRole = await rawRequest(app.url, `/compound/${orgA.id}`, { token: tokens.viewer });
    expect([noRole.status, noRole.json.error?.code]).toEqual([403, 'permission_denied']);
    const otherOrg = await rawRequest(app.url, `/compound/${orgB.id}`, { token: tokens.mfa });
    expect([otherOrg.status, otherOrg.json.error?.code]).toEqual([403, 'tenancy_mismatch']);
    const malformedOrg = await rawRequest(app.url, `/compound/%E0%A4%A`, { token: tokens.mfa });
    expect(malformedOrg.status).toBe(400); // a malformed path escape is refused before any guard runs
    const claimsWithoutFactors = emu().admin.signJwt({
      sub: memberIds.mfa,
      'https://stytch.com/session': { id: 'session-test-x', started_at: new Date(emu().clock.now()).toISOString(), last_accessed_at: new Date(emu().clock.now()).toISOString(), expires_at: new Date(emu().clock.now() + 3_600_000).toISOString(), attributes: {}, authentication_factors: 'totp', roles: ['editor'] },
      'https://stytch.com/organization': { organization_id: orgA.id, slug: orgA.slug },
    });
    const malformed = await rawRequest(app.url, `/compound/${orgA.id}`, { token: claimsWithoutFactors });
    expect([malformed.status, malformed.json.error?.code]).toEqual([401, 'unauthenticated']); // a malformed claim makes the token itself invalid
    expect(handlerRuns).toBe(1);
  });
});
