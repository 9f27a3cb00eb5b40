import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { OrgPolicy, RbacPolicy } from '../../src/client/types.js';
import { ConfigError, StytchUnavailableError } from '../../src/errors.js';
import { createCan } from '../../src/rbac/can.js';
import { evaluateAuthorization } from '../../src/rbac/evaluate.js';
import { PolicyCache } from '../../src/rbac/policy-cache.js';

/** Heap in use after a full GC (exposes `gc` for this process only; no process-wide flag needed). */
function usedHeapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function projectPolicy(action: string): RbacPolicy {
  return { resources: [], roles: [{ role_id: 'editor', description: '', permissions: [{ resource_id: 'documents', actions: [action] }] }] };
}

function orgPolicy(orgId: string): OrgPolicy {
  return { roles: [{ role_id: `custom-${orgId}`, description: '', permissions: [{ resource_id: 'reports', actions: ['read'] }] }] };
}

/** A fake upstream with call counters, a switch to make it fail, and an injectable clock. */
function harness(options: Partial<ConstructorParameters<typeof PolicyCache>[0]> = {}) {
  let time = 1_000_000;
  let projectAction = 'edit';
  let failWith: Error | undefined;
  const calls = { project: 0, org: new Map<string, number>() };
  const warnings: object[] = [];
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const cache = new PolicyCache({
    fetchProjectPolicy: async () => {
      calls.project++;
      await tick();
      if (failWith !== undefined) throw failWith;
      return projectPolicy(projectAction);
    },
    fetchOrgPolicy: async (id) => {
      calls.org.set(id, (calls.org.get(id) ?? 0) + 1);
      await tick();
      if (failWith !== undefined) throw failWith;
      return orgPolicy(id);
    },
    now: () => time,
    logger: { warn: (obj) => warnings.push(obj) },
    ...options,
  });
  return {
    cache,
    calls,
    warnings,
    tick,
    advance: (ms: number) => void (time += ms),
    setAction: (action: string) => void (projectAction = action),
    fail: (error: Error = new StytchUnavailableError('upstream_network', 'down')) => void (failWith = error),
    recover: () => void (failWith = undefined),
    orgCalls: () => [...calls.org.values()].reduce((a, b) => a + b, 0),
  };
}

const allows = (snapshot: { policy: RbacPolicy; orgPolicy: OrgPolicy }, action: string) =>
  evaluateAuthorization({ ...snapshot, subjectRoles: ['editor'], subjectOrganizationId: 'org-1', check: { organization_id: 'org-1', resource_id: 'documents', action } }).authorized;

describe('PolicyCache', () => {
  it('catalogue #57: 100 concurrent lookups on a cold cache for one organization make 1 project fetch and 1 org fetch', async () => {
    const h = harness();
    const results = await Promise.all(Array.from({ length: 100 }, () => h.cache.get('org-1')));
    expect(h.calls.project).toBe(1);
    expect(h.calls.org.get('org-1')).toBe(1);
    expect(new Set(results.map((r) => r.policy)).size).toBe(1);
  });

  it('catalogue #57: 100 concurrent lookups across 10 organizations make 1 project fetch and 1 fetch per organization', async () => {
    const h = harness();
    await Promise.all(Array.from({ length: 100 }, (_, i) => h.cache.get(`org-${i % 10}`)));
    expect(h.calls.project).toBe(1);
    expect(h.calls.org.size).toBe(10);
    expect([...h.calls.org.values()].every((n) => n === 1)).toBe(true);
  });

  it('serves a fresh policy from memory without fetching again', async () => {
    const h = harness();
    await h.cache.get('org-1');
    h.advance(299_999);
    await h.cache.get('org-1');
    expect(h.calls.project).toBe(1);
    expect(h.orgCalls()).toBe(1);
  });

  it('past the TTL serves the cached policy at once and refreshes it in the background (stale-while-revalidate)', async () => {
    const h = harness();
    expect(allows(await h.cache.get('org-1'), 'edit')).toBe(true);
    h.setAction('publish');
    h.advance(300_000);
    const stale = await h.cache.get('org-1');
    expect(allows(stale, 'edit')).toBe(true);
    await Promise.all([h.cache.get('org-1'), h.cache.get('org-1')]);
    expect(h.calls.project).toBe(2);
    await h.tick();
    await h.tick();
    const fresh = await h.cache.get('org-1');
    expect(allows(fresh, 'edit')).toBe(false);
    expect(allows(fresh, 'publish')).toBe(true);
  });

  it('catalogue #58a: fails closed with a 503 when nothing is cached and the fetch fails', async () => {
    const h = harness();
    h.fail();
    const error = await h.cache.get('org-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StytchUnavailableError);
    expect(error).toMatchObject({ code: 'upstream_network', status: 503 });
  });

  it('wraps a non-typed fetch failure into upstream_unavailable (503)', async () => {
    const h = harness();
    h.fail(new Error('socket hang up'));
    await expect(h.cache.get('org-1')).rejects.toMatchObject({ code: 'upstream_unavailable', status: 503 });
  });

  it('refuses a malformed project policy instead of caching it', async () => {
    const cache = new PolicyCache({ fetchProjectPolicy: () => Promise.resolve({ roles: 'nope' } as never), fetchOrgPolicy: () => Promise.resolve({ roles: [] }) });
    await expect(cache.get('org-1')).rejects.toMatchObject({ code: 'upstream_bad_response', status: 502 });
  });

  it('treats a missing org_policy as an organization without custom roles', async () => {
    const cache = new PolicyCache({ fetchProjectPolicy: () => Promise.resolve(projectPolicy('edit')), fetchOrgPolicy: () => Promise.resolve(undefined) });
    expect((await cache.get('org-1')).orgPolicy.roles).toEqual([]);
  });

  it('catalogue #58b: within the stale window an outage serves the last good policy with a warning and a metric', async () => {
    const h = harness({ staleIfErrorMs: 60_000 });
    await h.cache.get('org-1');
    h.fail();
    h.advance(300_000 + 1_000);
    expect(allows(await h.cache.get('org-1'), 'edit')).toBe(true);
    await h.tick();
    await h.tick();
    expect(allows(await h.cache.get('org-1'), 'edit')).toBe(true);
    expect(h.cache.stats().staleServedOnError).toBeGreaterThanOrEqual(1);
    expect(h.warnings[0]).toMatchObject({ event: 'rbac_policy_stale', errorCode: 'upstream_network' });
    expect(JSON.stringify(h.warnings)).not.toMatch(/secret/i);
  });

  it('catalogue #58c: past the stale window an outage fails closed with a 503', async () => {
    const h = harness({ staleIfErrorMs: 60_000 });
    await h.cache.get('org-1');
    h.fail();
    h.advance(300_000 + 60_000);
    await expect(h.cache.get('org-1')).rejects.toMatchObject({ code: 'upstream_network', status: 503 });
    expect(h.cache.lookup('org-1')).toBeUndefined();
    expect(h.cache.stats().unavailable).toBe(1);
  });

  it('backs off background refreshes after a failure instead of hammering Stytch', async () => {
    const h = harness({ refreshCooldownMs: 5_000 });
    await h.cache.get('org-1');
    h.fail();
    h.advance(300_000);
    await h.cache.get('org-1');
    await h.tick();
    await h.tick();
    for (let i = 0; i < 20; i++) await h.cache.get('org-1');
    expect(h.calls.project).toBe(2);
    h.advance(5_000);
    await h.cache.get('org-1');
    expect(h.calls.project).toBe(3);
  });

  it('recovers after an outage: the next successful refresh clears the degraded state', async () => {
    const h = harness();
    await h.cache.get('org-1');
    h.fail();
    h.advance(300_000);
    await h.cache.get('org-1');
    await h.tick();
    await h.tick();
    h.recover();
    h.setAction('publish');
    h.advance(5_000);
    await h.cache.get('org-1');
    await h.tick();
    await h.tick();
    expect(allows(await h.cache.get('org-1'), 'publish')).toBe(true);
  });

  it('catalogue #59: keeps at most maxOrganizations org policies over 100,000 distinct organizations, with flat heap', async () => {
    const h = harness({ maxOrganizations: 1_000 });
    const heapAfterWarmUp = { bytes: 0 };
    for (let batch = 0; batch < 100; batch++) {
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => h.cache.get(`org-${batch}-${i}`)));
      expect(h.cache.stats().organizationsCached).toBeLessThanOrEqual(1_000);
      if (batch === 9) heapAfterWarmUp.bytes = usedHeapAfterGc();
    }
    h.calls.org.clear(); // the harness's own per-org counter map is not the cache under test
    const growth = usedHeapAfterGc() - heapAfterWarmUp.bytes;
    expect(h.cache.stats().inflight).toBe(0);
    // 90,000 more organizations than the bound: an unbounded cache would grow by tens of MB.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  });

  it('catalogue #59: eviction never changes a decision, it only causes a refetch', async () => {
    const h = harness({ maxOrganizations: 2 });
    const decideCustom = (s: { policy: RbacPolicy; orgPolicy: OrgPolicy }, org: string) =>
      evaluateAuthorization({ ...s, subjectRoles: [`custom-${org}`], subjectOrganizationId: org, check: { organization_id: org, resource_id: 'reports', action: 'read' } }).authorized;
    const before = decideCustom(await h.cache.get('org-a'), 'org-a');
    await h.cache.get('org-b');
    await h.cache.get('org-c');
    expect(h.cache.lookup('org-a')).toBeUndefined();
    const after = decideCustom(await h.cache.get('org-a'), 'org-a');
    expect([before, after]).toEqual([true, true]);
    expect(h.calls.org.get('org-a')).toBe(2);
  });

  it('freezes fetched policies so a caller cannot make the raw policy drift from its compiled form', async () => {
    const h = harness();
    const snapshot = await h.cache.get('org-1');
    expect(() => snapshot.policy.roles[0]!.permissions[0]!.actions.push('delete')).toThrow(TypeError);
    expect(allows(snapshot, 'delete')).toBe(false);
  });

  it('survives a throwing logger during an outage', async () => {
    const h = harness({ logger: { warn: () => { throw new Error('logger down'); } } });
    await h.cache.get('org-1');
    h.fail();
    h.advance(300_000);
    expect(allows(await h.cache.get('org-1'), 'edit')).toBe(true);
    await h.tick();
    await h.tick();
    expect(allows(await h.cache.get('org-1'), 'edit')).toBe(true);
  });

  it('peek never fetches and answers only from a usable cache', async () => {
    const h = harness();
    expect(h.cache.lookup('org-1')).toBeUndefined();
    expect(h.calls.project).toBe(0);
    await h.cache.get('org-1');
    expect(h.cache.lookup('org-1')).toBeDefined();
    expect(h.cache.lookup('')).toBeUndefined();
  });

  describe('revalidateForRoles (a role created after the policies were cached)', () => {
    it('refetches both policies, single-flight, when a role is defined by neither and the copies are old enough', async () => {
      const h = harness();
      await h.cache.get('org-1');
      expect(h.cache.revalidateForRoles('org-1', ['editor', 'custom-org-1'])).toBeUndefined(); // all defined
      expect(h.cache.revalidateForRoles('org-1', ['newcomer'])).toBeUndefined(); // younger than 5 s
      h.advance(5_000);
      const first = h.cache.revalidateForRoles('org-1', ['editor', 'newcomer']);
      const joined = h.cache.revalidateForRoles('org-1', ['newcomer']);
      expect(first).toBeDefined();
      expect(joined).toBeDefined();
      const [a, b] = await Promise.all([first, joined]);
      expect(a).toEqual(b);
      expect(h.calls.project).toBe(2);
      expect(h.orgCalls()).toBe(2);
      expect(h.cache.stats().unknownRoleRefetches).toBe(2);
      // The fresh copies are young again: the next unknown role waits for the floor.
      expect(h.cache.revalidateForRoles('org-1', ['newcomer'])).toBeUndefined();
    });

    it('never fetches for an organization with nothing cached, and is off with 0', async () => {
      const h = harness();
      expect(h.cache.revalidateForRoles('org-2', ['newcomer'])).toBeUndefined();
      expect(h.calls.project).toBe(0);
      const off = harness({ unknownRoleRefetchMs: 0 });
      await off.cache.get('org-1');
      off.advance(60_000);
      expect(off.cache.revalidateForRoles('org-1', ['newcomer'])).toBeUndefined();
      expect(off.calls.project).toBe(1);
    });

    it('keeps the cached copies when the refetch fails, and cools off before the next try', async () => {
      const h = harness();
      const before = await h.cache.get('org-1');
      h.advance(5_000);
      h.fail();
      await expect(h.cache.revalidateForRoles('org-1', ['newcomer'])).rejects.toMatchObject({ status: 503 });
      expect(h.cache.lookup('org-1')).toEqual(before);
      while (h.cache.stats().inflight > 0) await h.tick(); // the other policy's fetch settles too
      h.recover();
      expect(h.cache.revalidateForRoles('org-1', ['newcomer'])).toBeUndefined(); // cooling off
      h.advance(5_000);
      await expect(h.cache.revalidateForRoles('org-1', ['newcomer'])).resolves.toEqual(before);
    });

    it('names a bad unknownRoleRefetchMs', () => {
      const fetchers = { fetchProjectPolicy: () => Promise.resolve(projectPolicy('x')), fetchOrgPolicy: () => Promise.resolve(undefined) };
      expect(() => new PolicyCache({ ...fetchers, unknownRoleRefetchMs: -1 })).toThrow(/unknownRoleRefetchMs/);
    });
  });

  it('rejects an empty organization id with a typed 400', async () => {
    const h = harness();
    await expect(h.cache.get('')).rejects.toMatchObject({ code: 'invalid_organization_id', status: 400 });
  });

  it('names the bad option when constructed with invalid settings', () => {
    const fetchers = { fetchProjectPolicy: () => Promise.resolve(projectPolicy('x')), fetchOrgPolicy: () => Promise.resolve(undefined) };
    expect(() => new PolicyCache({ ...fetchers, ttlMs: -1 })).toThrow(ConfigError);
    expect(() => new PolicyCache({ ...fetchers, ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => new PolicyCache({ ...fetchers, maxOrganizations: 0 })).toThrow(/maxOrganizations/);
    expect(() => new PolicyCache({ fetchProjectPolicy: undefined } as never)).toThrow(/fetchProjectPolicy/);
  });
  it('names a bad failure backoff option', () => {
    const fetchers = { fetchProjectPolicy: () => Promise.resolve(projectPolicy('x')), fetchOrgPolicy: () => Promise.resolve(undefined) };
    expect(() => new PolicyCache({ ...fetchers, failureBackoffMs: -1 })).toThrow(/failureBackoffMs/);
    expect(() => new PolicyCache({ ...fetchers, failureBackoffMs: Number.NaN })).toThrow(ConfigError);
    expect(() => new PolicyCache({ ...fetchers, maxFailureBackoffMs: Number.POSITIVE_INFINITY })).toThrow(/maxFailureBackoffMs/);
    expect(() => new PolicyCache({ ...fetchers, failureBackoffMs: 5_000, maxFailureBackoffMs: 1_000 })).toThrow(/maxFailureBackoffMs/);
    expect(() => new PolicyCache({ ...fetchers, failureBackoffMs: 0 })).not.toThrow();
  });

  it('with failureBackoffMs 0, every lookup after a failure fetches again', async () => {
    const h = harness({ failureBackoffMs: 0 });
    h.fail();
    await expect(h.cache.get('org-1')).rejects.toMatchObject({ status: 503 });
    await expect(h.cache.get('org-1')).rejects.toMatchObject({ status: 503 });
    expect(h.calls.project).toBe(2);
  });
});

describe('createCan', () => {
  it('fails closed while nothing is cached, then answers from the cache once the background load lands', async () => {
    const h = harness();
    const can = createCan(h.cache, 'org-1', ['editor']);
    expect(can('documents', 'edit')).toBe(false);
    await h.tick();
    await h.tick();
    expect(can('documents', 'edit')).toBe(true);
    expect(can('documents', 'delete')).toBe(false);
    expect(h.calls.project).toBe(1);
  });

  it('uses the organization custom roles of the member organization', async () => {
    const h = harness();
    await h.cache.get('org-1');
    expect(createCan(h.cache, 'org-1', ['custom-org-1'])('reports', 'read')).toBe(true);
    expect(createCan(h.cache, 'org-1', ['custom-org-2'])('reports', 'read')).toBe(false);
  });
});
