import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, newEmail, newOrg, sendLoginLink } from './support.js';

const emu = useEmulator();

describe('HTTP control plane', () => {
  it('requires the project Basic credentials', async () => {
    expectStytchError(await callApi(emu(), 'GET', '/__emulator/outbox', undefined, { auth: false }), 401, 'unauthorized_credentials');
    expectStytchError(await callApi(emu(), 'POST', '/__emulator/reset', {}, { auth: false }), 401, 'unauthorized_credentials');
  });

  it('lists the outbox over HTTP', async () => {
    const e = emu();
    const org = newOrg(e);
    const email = newEmail();
    e.admin.createMember(org.organization_id, { email_address: email, status: 'active' });
    const token = await sendLoginLink(e, org.organization_id, email);
    const res = await callApi(e, 'GET', '/__emulator/outbox');
    expect(res.status).toBe(200);
    expect(res.text).toContain(token);
  });

  it('advances and sets the clock over HTTP', async () => {
    const e = emu();
    const before = e.clock.now();
    expect((await callApi(e, 'POST', '/__emulator/clock', { advance_ms: 3_600_000 })).status).toBe(200);
    expect(e.clock.now()).toBeGreaterThanOrEqual(before + 3_600_000);
    const target = Date.UTC(2045, 1, 2);
    expect((await callApi(e, 'POST', '/__emulator/clock', { set_ms: target })).status).toBe(200);
    expect(e.clock.now()).toBeGreaterThanOrEqual(target);
    expect(e.clock.now()).toBeLessThan(target + 5_000);
  });

  it('scripts and clears faults over HTTP', async () => {
    const e = emu();
    expect((await callApi(e, 'POST', '/__emulator/faults', { endpoint: 'GET /v1/b2b/rbac/policy', fault: { status: 503 }, times: 1 })).status).toBe(200);
    expect((await callApi(e, 'GET', '/v1/b2b/rbac/policy')).status).toBe(503);
    expect((await callApi(e, 'POST', '/__emulator/faults', { endpoint: 'GET /v1/b2b/rbac/policy', fault: { status: 503 }, times: 3 })).status).toBe(200);
    expect((await callApi(e, 'DELETE', '/__emulator/faults')).status).toBe(200);
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
  });

  it('reads and clears the call log over HTTP, without recording itself', async () => {
    const e = emu();
    expect((await callApi(e, 'DELETE', '/__emulator/calls')).status).toBe(200);
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
    const res = await callApi(e, 'GET', '/__emulator/calls');
    expect(res.status).toBe(200);
    expect(res.text).toContain('GET /v1/b2b/rbac/policy');
    expect(res.text).not.toContain('__emulator');
    expect(e.calls.count()).toBe(1);
  });

  it('rotates keys and replaces the policy over HTTP', async () => {
    const e = emu();
    const oldKid = e.admin.currentKid();
    expect((await callApi(e, 'POST', '/__emulator/keys/rotate', {})).status).toBe(200);
    expect(e.admin.currentKid()).not.toBe(oldKid);
    const policy = { roles: [{ role_id: 'stytch_member', description: 'm', permissions: [] }], resources: [], scopes: [] };
    expect((await callApi(e, 'PUT', '/__emulator/policy', policy)).status).toBe(200);
    expect(expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy')).policy.roles.map((r: JsonBody) => r.role_id)).toEqual(['stytch_member']);
  });

  it('resets state over HTTP', async () => {
    const e = emu();
    const org = newOrg(e);
    expect((await callApi(e, 'POST', '/__emulator/reset', {})).status).toBe(200);
    expect(e.admin.getOrganization(org.organization_id)).toBeUndefined();
    expect(e.outbox.list()).toEqual([]);
  });
});
