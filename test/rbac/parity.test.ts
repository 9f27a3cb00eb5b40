/**
 * Property-based parity: for random policies (project + organization custom roles), member roles
 * and checks, the local evaluator decides exactly like
 *   1. the emulator's remote `authorization_check` (HTTP `sessions/authenticate`), and
 *   2. the official `stytch` SDK's `sessions.authenticateJwtLocal` with an `authorization_check`.
 *
 * The SDK caches policies for 5 minutes per client instance, so every run builds a fresh SDK
 * client: otherwise runs 2..n would be judged against the policy of run 1.
 */
import fc from 'fast-check';
import stytch from 'stytch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import type { AuthorizationCheck, OrgPolicy, RbacPolicy, RbacRole } from '../../src/client/types.js';
import { StytchApiError } from '../../src/errors.js';
import { evaluateAuthorization } from '../../src/rbac/evaluate.js';
import { useEmulator } from '../helpers/emulator.js';

// Small alphabets so random roles and checks collide often; prototype-like ids on purpose (#62).
const ROLE_IDS = ['stytch_member', 'editor', 'viewer', 'Editor', '__proto__', 'constructor', 'hasOwnProperty'];
const RESOURCES = ['documents', 'images', 'stytch.self', '__proto__', 'constructor', 'toString'];
const ACTIONS = ['read', 'write', 'Read', 'delete', 'update.info', 'hasOwnProperty', 'valueOf'];

const permissionArb = fc.record({
  resource_id: fc.constantFrom(...RESOURCES),
  actions: fc.uniqueArray(fc.constantFrom(...ACTIONS, '*'), { maxLength: 3 }),
});
const roleArb: fc.Arbitrary<RbacRole> = fc.record({
  role_id: fc.constantFrom(...ROLE_IDS),
  description: fc.constant(''),
  permissions: fc.array(permissionArb, { maxLength: 3 }),
});
const policyArb: fc.Arbitrary<RbacPolicy> = fc.record({
  roles: fc.array(roleArb, { maxLength: 5 }),
  resources: fc.constant(RESOURCES.map((resource_id) => ({ resource_id, description: '', actions: ACTIONS }))),
});
const orgPolicyArb: fc.Arbitrary<OrgPolicy> = fc.record({ roles: fc.array(roleArb, { maxLength: 3 }) });

type Outcome = { authorized: boolean; grantingRoles: string[]; reason?: 'tenancy_mismatch' | 'permission_denied' };

const emu = useEmulator();
let client: StytchB2BClient;
let orgA: string;
let orgB: string;
let memberCount = 0;

beforeAll(() => {
  client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {}, retry: { maxRetries: 0 } });
  orgA = emu().admin.createOrganization({ organization_name: 'Parity A', organization_slug: 'parity-a' }).organization_id;
  orgB = emu().admin.createOrganization({ organization_name: 'Parity B', organization_slug: 'parity-b' }).organization_id;
  // The SDK warns on every client built with a custom `env`; that is expected here.
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes("custom 'env' value")) return;
    warn(...args);
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await client.close();
});

async function remoteOutcome(sessionToken: string, check: AuthorizationCheck): Promise<Outcome> {
  try {
    const response = await client.sessions.authenticate({ session_token: sessionToken, authorization_check: check });
    return { authorized: response.verdict?.authorized === true, grantingRoles: [...(response.verdict?.granting_roles ?? [])].sort() };
  } catch (error) {
    if (error instanceof StytchApiError && error.status === 403) {
      return { authorized: false, grantingRoles: [], reason: error.errorType === 'session_authorization_tenancy_error' ? 'tenancy_mismatch' : 'permission_denied' };
    }
    throw error;
  }
}

async function sdkOutcome(sessionJwt: string, check: AuthorizationCheck): Promise<Outcome> {
  const sdk = new stytch.B2BClient({ project_id: emu().projectId, secret: emu().secret, env: `${emu().url}/` });
  try {
    await sdk.sessions.authenticateJwtLocal({ session_jwt: sessionJwt, authorization_check: check, current_date: new Date(emu().clock.now()) });
    return { authorized: true, grantingRoles: [] };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'tenancy_mismatch') return { authorized: false, grantingRoles: [], reason: 'tenancy_mismatch' };
    if (code === 'invalid_permissions') return { authorized: false, grantingRoles: [], reason: 'permission_denied' };
    throw error;
  }
}

describe('local evaluator parity', () => {
  it('decides like the emulator authorization_check and the official SDK authenticateJwtLocal for random policies', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        orgPolicyArb,
        orgPolicyArb,
        fc.uniqueArray(fc.constantFrom(...ROLE_IDS.filter((r) => r !== 'stytch_member')), { maxLength: 3 }),
        fc.record({ org: fc.constantFrom('own', 'other', 'unknown'), resource_id: fc.constantFrom(...RESOURCES), action: fc.constantFrom(...ACTIONS, '*') }),
        async (policy, orgPolicyA, orgPolicyB, memberRoles, pick) => {
          const admin = emu().admin;
          admin.setProjectPolicy(policy);
          admin.setOrgPolicy(orgA, orgPolicyA);
          admin.setOrgPolicy(orgB, orgPolicyB);
          const member = admin.createMember(orgA, { email_address: `parity-${++memberCount}@example.com`, roles: memberRoles });
          const session = admin.createSession({ member_id: member.member_id });
          const organizationId = pick.org === 'own' ? orgA : pick.org === 'other' ? orgB : 'organization-test-00000000-0000-4000-8000-000000000000';
          const check: AuthorizationCheck = { organization_id: organizationId, resource_id: pick.resource_id, action: pick.action };

          const local = evaluateAuthorization({
            policy: admin.getProjectPolicy(),
            orgPolicy: orgPolicyA,
            subjectRoles: session.member_session.roles,
            subjectOrganizationId: session.member_session.organization_id,
            check,
          });
          const localOutcome: Outcome = { authorized: local.authorized, grantingRoles: [...local.grantingRoles].sort() };
          if (local.reason !== undefined) localOutcome.reason = local.reason as Outcome['reason'];

          expect(localOutcome).toEqual(await remoteOutcome(session.session_token, check));
          const sdk = await sdkOutcome(session.session_jwt, check);
          expect({ authorized: local.authorized, reason: local.reason }).toEqual({ authorized: sdk.authorized, reason: sdk.reason });
        },
      ),
      { numRuns: 250, interruptAfterTimeLimit: 60_000 },
    );
  }, 90_000);
});
