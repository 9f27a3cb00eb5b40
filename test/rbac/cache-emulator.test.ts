import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import type { RbacPolicy } from '../../src/client/types.js';
import { StytchUnavailableError } from '../../src/errors.js';
import { evaluateAuthorization } from '../../src/rbac/evaluate.js';
import { policyFetchers } from '../../src/rbac/fetchers.js';
import { PolicyCache } from '../../src/rbac/policy-cache.js';
import type { PolicyCacheOptions } from '../../src/rbac/policy-cache.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';

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
afterEach(() => settleFaults(emu()));

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

describe('PolicyCache failure backoff against the emulator', () => {
  // The emulator clock follows real time; a frozen copy makes the backoff boundaries exact.
  let clock: { now: () => number; advance: (ms: number) => void };
  beforeEach(() => {
    let time = emu().clock.now();
    clock = {
      now: () => time,
      advance: (ms) => {
        time += ms;
        emu().clock.advance(ms);
      },
    };
  });

  it('after a failed policy fetch, lookups within the backoff fail at once with a 503 and make no call', async () => {
    const cache = newCache({ now: clock.now, failureBackoffMs: 1_000 });
    const org = orgIds[5]!;
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(1);
    for (let i = 0; i < 20; i++) await expect(cache.get(org)).rejects.toMatchObject({ code: 'upstream_unavailable', status: 503 });
    const error = await Promise.all(Array.from({ length: 20 }, () => cache.get(org))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StytchUnavailableError);
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503, retryAfterSeconds: 1 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(1);
  });

  it('fetches again on the first lookup after the backoff, and serves the policy once Stytch answers', async () => {
    const cache = newCache({ now: clock.now, failureBackoffMs: 1_000 });
    const org = orgIds[5]!;
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 1);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    clock.advance(999);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(1);
    clock.advance(1);
    expect(memberMay(await cache.get(org), org, 'read')).toBe(true);
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(2);
  });

  it('doubles the backoff on every further failure up to maxFailureBackoffMs', async () => {
    const cache = newCache({ now: clock.now, failureBackoffMs: 1_000, maxFailureBackoffMs: 4_000 });
    const org = orgIds[5]!;
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    const attemptsAfter = async (ms: number): Promise<number> => {
      clock.advance(ms);
      await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
      return emu().calls.count(POLICY_ENDPOINT);
    };
    expect(await attemptsAfter(0)).toBe(1); // backoff now 1 s
    expect(await attemptsAfter(1_000)).toBe(2); // now 2 s
    expect(await attemptsAfter(1_999)).toBe(2);
    expect(await attemptsAfter(1)).toBe(3); // now 4 s
    expect(await attemptsAfter(3_999)).toBe(3);
    expect(await attemptsAfter(1)).toBe(4); // capped at 4 s
    expect(await attemptsAfter(3_999)).toBe(4);
    expect(await attemptsAfter(1)).toBe(5);
  });

  it('resets the backoff after a successful fetch', async () => {
    const cache = newCache({ now: clock.now, ttlMs: 60_000, staleIfErrorMs: 0, failureBackoffMs: 1_000, maxFailureBackoffMs: 30_000 });
    const org = orgIds[5]!;
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 2);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    clock.advance(1_000);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 }); // backoff now 2 s
    clock.advance(2_000);
    await cache.get(org);
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(3);
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    clock.advance(60_000);
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(4);
    clock.advance(1_000); // back to the initial 1 s, not 4 s
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(5);
  });

  it('backs off one organization policy without holding back the others', async () => {
    const cache = newCache({ now: clock.now, failureBackoffMs: 1_000 });
    const [failing, healthy] = [orgIds[6]!, orgIds[7]!];
    await cache.get(healthy);
    emu().calls.clear();
    emu().faults.next(`GET /v1/b2b/rbac/organizations/${failing}`, { status: 503 }, 100);
    await expect(cache.get(failing)).rejects.toMatchObject({ status: 503 });
    await expect(cache.get(failing)).rejects.toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(emu().calls.count(ORG_POLICY_ENDPOINT)).toBe(1);
    await expect(cache.get(orgIds[8]!)).resolves.toMatchObject({ orgPolicy: expect.any(Object) as object });
    await expect(cache.get(healthy)).resolves.toMatchObject({ orgPolicy: expect.any(Object) as object });
    expect(emu().calls.count(ORG_POLICY_ENDPOINT)).toBe(2);
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(0);
  });

  it('still serves a stale policy within the stale window while backing off', async () => {
    const cache = newCache({ now: clock.now, ttlMs: 300_000, staleIfErrorMs: 600_000, failureBackoffMs: 60_000, maxFailureBackoffMs: 60_000 });
    const org = orgIds[9]!;
    await cache.get(org);
    emu().faults.next(POLICY_ENDPOINT, { status: 503 }, 100);
    clock.advance(300_000);
    expect(memberMay(await cache.get(org), org, 'read')).toBe(true); // stale, refresh fails in the background
    await settle(cache);
    for (let i = 0; i < 5; i++) expect(memberMay(await cache.get(org), org, 'read')).toBe(true);
    expect(cache.lookup(org)).toBeDefined();
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(2);
    clock.advance(600_000); // past the stale window; the backoff of the failed refresh is over
    await expect(cache.get(org)).rejects.toMatchObject({ status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBeGreaterThanOrEqual(3);
    const calls = emu().calls.count(POLICY_ENDPOINT);
    await expect(cache.get(org)).rejects.toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(emu().calls.count(POLICY_ENDPOINT)).toBe(calls);
  });
});
