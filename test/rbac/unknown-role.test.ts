/**
 * A role created in Stytch after the policies were cached: the session JWT (signed by Stytch)
 * names it, so a refusal that may only be the cache's age has the policies refetched at once
 * (no more often than `unknownRoleRefetchMs`), and the new role works on its first use instead of
 * one TTL later. Against the emulator over HTTP; the policy endpoints' call log is the evidence.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { m2mToken } from '../helpers/machine.js';
import { rawRequest, startGuardApp } from './support.js';
import type { GuardApp } from './support.js';

const POLICY: RbacPolicy = {
  resources: [{ resource_id: 'documents', description: '', actions: ['read', 'write'] }],
  roles: [
    { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { role_id: 'stytch_admin', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
  ],
};
const REVIEWER = { role_id: 'reviewer', description: 'Reviews documents', permissions: [{ resource_id: 'documents', actions: ['write'] }] };
const PROJECT_POLICY = 'GET /v1/b2b/rbac/policy';
const ORG_POLICY = /^GET \/v1\/b2b\/rbac\/organizations\//;

const emu = useEmulator();
let app: GuardApp;
let orgId: string;
let n = 0;

/** A new member of the organization with `roles`, and the JWT of a new session. */
function sessionWith(roles: string[]): string {
  const member = emu().admin.createMember(orgId, { email_address: `m${++n}@unknown-role.example`, roles });
  return emu().admin.createSession({ member_id: member.member_id }).session_jwt;
}

const write = (token: string) => rawRequest(app.url, '/docs/write', { token });

beforeAll(async () => {
  emu().admin.setProjectPolicy(POLICY);
  orgId = emu().admin.createOrganization({ organization_name: 'Unknown Role Corp' }).organization_id;
  app = await startGuardApp(
    emu(),
    (server) => {
      server.get('/docs/write', requirePermission('documents', 'write', { acceptsToken: ['session', 'm2m'] }), (_req, res) => {
        res.json({ ok: true });
      });
    },
    { auth: { acceptsToken: ['session', 'm2m'] } },
  );
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  emu().admin.setProjectPolicy(POLICY);
  emu().admin.setOrgPolicy(orgId, { roles: [] });
});
afterEach(() => settleFaults(emu()));

describe('a role the cached policies do not define', () => {
  it('an organization role created after the cache was filled grants on its first use, with one refetch of each policy', async () => {
    expect((await write(sessionWith([]))).status).toBe(403); // fills the cache
    emu().admin.setOrgPolicy(orgId, { roles: [REVIEWER] });
    const reviewer = sessionWith(['reviewer']);
    emu().clock.advance(6_000); // past the 5 s floor, far inside the 5-minute TTL
    emu().calls.clear();
    const first = await write(reviewer);
    expect(first.status).toBe(200);
    expect(emu().calls.count(ORG_POLICY)).toBe(1);
    expect(emu().calls.count(PROJECT_POLICY)).toBe(1);
    // Cached from now on: no further fetch.
    expect((await write(reviewer)).status).toBe(200);
    expect(emu().calls.count(ORG_POLICY)).toBe(1);
  });

  it('a role no policy defines costs at most one refetch per period, and stays refused', async () => {
    const ghost = sessionWith(['ghost']);
    await write(sessionWith([]));
    emu().clock.advance(6_000);
    emu().calls.clear();
    const answers = await Promise.all(Array.from({ length: 20 }, () => write(ghost)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 403));
    expect(answers[0]!.json.error?.code).toBe('permission_denied');
    expect(emu().calls.count(ORG_POLICY)).toBe(1);
    expect((await write(ghost)).status).toBe(403);
    expect(emu().calls.count(ORG_POLICY)).toBe(1);
    emu().clock.advance(6_000);
    expect((await write(ghost)).status).toBe(403);
    expect(emu().calls.count(ORG_POLICY)).toBe(2);
  });

  it('a refused member whose roles are all defined causes no refetch', async () => {
    const plain = sessionWith([]);
    await write(plain);
    emu().clock.advance(6_000);
    emu().calls.clear();
    expect((await write(plain)).status).toBe(403);
    expect(emu().calls.count(ORG_POLICY)).toBe(0);
    expect(emu().calls.count(PROJECT_POLICY)).toBe(0);
  });

  it('when the refetch fails the refusal stands (403, not 503), and a later request after the cool-off succeeds', async () => {
    await write(sessionWith([]));
    emu().admin.setOrgPolicy(orgId, { roles: [REVIEWER] });
    const reviewer = sessionWith(['reviewer']);
    emu().clock.advance(6_000);
    emu().faults.next('GET /v1/b2b/rbac/organizations/*', { status: 503 }, 1);
    const refused = await write(reviewer);
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe('permission_denied');
    emu().clock.advance(6_000); // past the 5 s refresh cool-off
    expect((await write(reviewer)).status).toBe(200);
  });

  it('a scope added to the project policy after it was cached grants an M2M token on its first use; an undefined scope refetches at most once per period', async () => {
    const { token: early } = await m2mToken(emu(), ['other:thing']);
    expect((await write(early)).status).toBe(403); // fills the cache
    emu().admin.setProjectPolicy({ ...POLICY, scopes: [{ scope: 'review:documents', description: '', permissions: [{ resource_id: 'documents', actions: ['write'] }] }] });
    const { token } = await m2mToken(emu(), ['review:documents']);
    emu().clock.advance(6_000);
    emu().calls.clear();
    expect((await write(token)).status).toBe(200);
    expect(emu().calls.count(PROJECT_POLICY)).toBe(1);
    // A scope no policy defines: refused, and the just-refetched policy is not fetched again yet.
    const refused = await write(early);
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe('insufficient_scope');
    expect(emu().calls.count(PROJECT_POLICY)).toBe(1);
  });
});
