import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import type { RbacPolicy } from '../../src/client/types.js';
import { StytchUnavailableError } from '../../src/errors.js';
import { evaluateAuthorization } from '../../src/rbac/evaluate.js';
import { policyFetchers } from '../../src/rbac/fetchers.js';
import { PolicyCache } from '../../src/rbac/policy-cache.js';
import type { PolicyCacheOptions } from '../../src/rbac/policy-cache.js';
import { useEmulator } from '../helpers/emulator.js';

const POLICY_ENDPOINT = 'GET /v1/b2b/rbac/policy';
const ORG_POLICY_ENDPOINT = /^GET \/v1\/b2b\/rbac\/organizations\//;

function policyGranting(action: string): RbacPolicy {
  return {
    resources: [{ resource_id: 'documents', description: '', actions: ['read', 'write', 'publish'] }],
    roles: [
      { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'documents', actions: [action] }] },
      { role_id: 'stytch_admin', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
    ],
  };
}

const emu = useEmulator();
let client: StytchB2BClient;
const orgIds: string[] = [];

beforeAll(() => {
  client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {}, retry: { maxRetries: 0 } });
  for (let i = 0; i < 10; i++) orgIds.push(emu().admin.createOrganization({ organization_name: `Cache org ${i}` }).organization_id);
});

afterAll(async () => {
  await client.close();
});

beforeEach(() => {
  emu().faults.clear();
  emu().admin.setProjectPolicy(policyGranting('read'));
  emu().calls.clear();
});

function newCache(options: Partial<PolicyCacheOptions> = {}): PolicyCache {
  return new PolicyCache({ ...policyFetchers(client), now: () => emu().clock.now(), ...options });
}

function memberMay(snapshot: { policy: RbacPolicy; orgPolicy: { roles: RbacPolicy['roles'] } }, organizationId: string, action: string): boolean {
  return evaluateAuthorization({ ...snapshot, subjectRoles: ['stytch_member'], subjectOrganizationId: organizationId, check: { organization_id: organizationId, resource_id: 'documents', action } }).authorized;
}

async function settle(cache: PolicyCache): Promise<void> {
  for (let i = 0; i < 100 && cache.stats().inflight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('PolicyCache against the emulator', () => {
  it('catalogue #57: a cold cache answers 100 concurrent lookups for one organization with 1 policy call and 1 org-policy call', async () => {
    const cache = newCache();
    await Promise.all(Array.from({ length: 100 }, () => cache.get(orgIds[0]!)));
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(1);
    expect(emu().calls.count(ORG_POLICY_ENDPOINT)).toBe(1);
  });

  it('catalogue #57: a cold cache answers 100 concurrent lookups across 10 organizations with 1 policy call and 10 org-policy calls', async () => {
    const cache = newCache();
    await Promise.all(Array.from({ length: 100 }, (_, i) => cache.get(orgIds[i % 10]!)));
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(1);
    expect(emu().calls.count(ORG_POLICY_ENDPOINT)).toBe(10);
  });

  it('honours a policy edited in Stytch one refresh after the TTL', async () => {
    const cache = newCache({ ttlMs: 300_000 });
    const org = orgIds[0]!;
    expect(memberMay(await cache.get(org), org, 'publish')).toBe(false);
    emu().admin.setProjectPolicy(policyGranting('publish'));
    emu().clock.advance(299_000);
    expect(memberMay(await cache.get(org), org, 'publish')).toBe(false);
    emu().clock.advance(1_000);
    await cache.get(org); // past the TTL: served from cache while the refresh runs
    await settle(cache);
    expect(memberMay(await cache.get(org), org, 'publish')).toBe(true);
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(2);
  });

  it('catalogue #58a: with nothing cached, a policy outage is a 503 and never an allow', async () => {
    const cache = newCache();
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 5);
    const error = await cache.get(orgIds[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StytchUnavailableError);
    expect(error).toMatchObject({ status: 503 });
  });

  it('catalogue #58b: within the stale window an outage serves the last good policy, with a warning and a metric', async () => {
    const warnings: Record<string, unknown>[] = [];
    const cache = newCache({ ttlMs: 300_000, staleIfErrorMs: 600_000, logger: { warn: (obj) => warnings.push(obj) } });
    const org = orgIds[1]!;
    await cache.get(org);
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    emu().faults.next('GET /v1/b2b/rbac/organizations/*', { drop: 'before_headers' }, 100);
    emu().clock.advance(300_000 + 60_000);
    expect(memberMay(await cache.get(org), org, 'read')).toBe(true);
    await settle(cache);
    expect(memberMay(await cache.get(org), org, 'read')).toBe(true);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatchObject({ event: 'rbac_policy_stale' });
    expect(cache.stats()).toMatchObject({ staleServedOnError: expect.any(Number) as number });
    expect(cache.stats().staleServedOnError).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(warnings)).not.toContain(emu().secret);
  });

  it('catalogue #58c: past the stale window the same outage fails closed with a 503', async () => {
    const cache = newCache({ ttlMs: 300_000, staleIfErrorMs: 600_000 });
    const org = orgIds[2]!;
    await cache.get(org);
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    emu().clock.advance(300_000 + 600_000);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(cache.lookup(org)).toBeUndefined();
  });

  it('catalogue #56: an organization custom role does not leak to another tenant holding the same role id', async () => {
    const [orgA, orgB] = [orgIds[3]!, orgIds[4]!];
    emu().admin.setOrgPolicy(orgA, { roles: [{ role_id: 'auditor', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] }] });
    const cache = newCache();
    const decide = async (org: string) =>
      evaluateAuthorization({ ...(await cache.get(org)), subjectRoles: ['stytch_member', 'auditor'], subjectOrganizationId: org, check: { organization_id: org, resource_id: 'documents', action: 'write' } });
    expect((await decide(orgA)).grantingRoles).toEqual(['auditor']);
    expect(await decide(orgB)).toMatchObject({ authorized: false, reason: 'permission_denied' });
  });
});
