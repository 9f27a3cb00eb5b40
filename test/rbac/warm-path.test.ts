/**
 * The warm path shares decisions between requests (one memoised decision per session and
 * policy): nothing one request does to what it reads may leak into another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { getAuthorizationVerdict, requirePermission } from '../../src/middleware/require-permission.js';
import { useEmulator } from '../helpers/emulator.js';
import { rawRequest, startGuardApp } from './support.js';
import type { GuardApp } from './support.js';

const emu = useEmulator();
let app: GuardApp;
let orgId: string;
let editor: string;
let viewer: string;

beforeAll(async () => {
  emu().admin.setProjectPolicy({
    resources: [{ resource_id: 'documents', description: '', actions: ['read', 'write'] }],
    roles: [
      { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
      { role_id: 'editor', description: '', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
      { role_id: 'viewer', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    ],
  });
  orgId = emu().admin.createOrganization({ organization_name: 'Warm', organization_slug: 'warm' }).organization_id;
  const token = (role: string) =>
    emu().admin.createSession({ member_id: emu().admin.createMember(orgId, { email_address: `${role}@warm.example`, roles: [role] }).member_id }).session_jwt;
  editor = token('editor');
  viewer = token('viewer');
  app = await startGuardApp(emu(), (server) => {
    server.get('/tamper', requirePermission('documents', 'read'), (req, res) => {
      const verdict = getAuthorizationVerdict(req)!;
      const sameObject = verdict === getAuthorizationVerdict(req);
      const seen = structuredClone(verdict);
      verdict.grantingRoles.push('stytch_admin');
      verdict.authorized = false;
      verdict.check.resourceId = 'tampered';
      res.json({ seen, sameObject, after: getAuthorizationVerdict(req) });
    });
    server.get('/write', requirePermission('documents', 'write'), (req, res) => {
      res.json({ verdict: getAuthorizationVerdict(req), member: getStytchAuth(req).isAuthenticated });
    });
  });
});

afterAll(async () => {
  await app?.close();
});

describe('warm-path decisions shared between requests', () => {
  it('gives each request its own mutable verdict, untouched by what earlier requests did to theirs', async () => {
    const expected = { authorized: true, grantingRoles: ['editor'], mode: 'local', check: { organizationId: orgId, resourceId: 'documents', action: 'read' } };
    const first = await rawRequest(app.url, '/tamper', { token: editor });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ seen: expected, sameObject: true, after: { authorized: false, check: { resourceId: 'tampered' } } });
    const second = await rawRequest(app.url, '/tamper', { token: editor });
    expect(second.json).toMatchObject({ seen: expected, sameObject: true });
  });

  it('keeps refusing a member the permission on every repeat of the same warm request', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(app.url, '/write', { token: viewer });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'permission_denied' } });
    }
    const granted = await rawRequest(app.url, '/write', { token: editor });
    expect(granted.status).toBe(200);
    expect(granted.json.verdict).toEqual({ authorized: true, grantingRoles: ['editor'], mode: 'local', check: { organizationId: orgId, resourceId: 'documents', action: 'write' } });
  });
});
