import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import type { JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, newEmail, newOrg } from './support.js';

const emu = useEmulator();

function setup() {
  const e = emu();
  const org = newOrg(e);
  const oldEmail = newEmail('old');
  const member = e.admin.createMember(org.organization_id, { email_address: oldEmail, status: 'active' });
  return { e, org, member, oldEmail };
}

const startPath = (orgId: string, memberId: string) => `/v1/b2b/organizations/${orgId}/members/${memberId}/start_email_update`;

describe('member email update', () => {
  it('sends a verification link to the new address and completes through magic_links/authenticate', async () => {
    const { e, org, member, oldEmail } = setup();
    const newAddress = newEmail('new');
    const started = expectOk(await callApi(e, 'POST', startPath(org.organization_id, member.member_id), { email_address: newAddress }));
    expect(started.member_id).toBe(member.member_id);
    // Nothing changes until the new address is verified.
    expect(e.admin.getMember(member.member_id)?.email_address).toBe(oldEmail);

    const msg = e.outbox.latest({ to: newAddress });
    expect(msg?.kind).toBe('email_update_magic_link');
    expect(msg?.memberId).toBe(member.member_id);
    const done = expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: msg!.token }));
    expect(done.member.member_id).toBe(member.member_id);
    expect(done.member.email_address).toBe(newAddress);
    expect(done.member.retired_email_addresses.map((r: JsonBody) => r.email_address)).toContain(oldEmail);
    expect(e.admin.getMember(member.member_id)?.email_address).toBe(newAddress);
  });

  it('refuses to give the retired address to another member', async () => {
    const { e, org, member, oldEmail } = setup();
    const newAddress = newEmail('new');
    expectOk(await callApi(e, 'POST', startPath(org.organization_id, member.member_id), { email_address: newAddress }));
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: e.outbox.latest({ to: newAddress })!.token }));

    const other = e.admin.createMember(org.organization_id, { email_address: newEmail('other'), status: 'active' });
    const res = await callApi(e, 'POST', startPath(org.organization_id, other.member_id), { email_address: oldEmail });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectStytchError(res, res.status);
  });

  it('refuses an address another member already uses', async () => {
    const { e, org, member } = setup();
    const taken = newEmail('taken');
    e.admin.createMember(org.organization_id, { email_address: taken, status: 'active' });
    const res = await callApi(e, 'POST', startPath(org.organization_id, member.member_id), { email_address: taken });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectStytchError(res, res.status);
  });

  it('expires the verification link after 5 minutes', async () => {
    const { e, org, member, oldEmail } = setup();
    const newAddress = newEmail('new');
    expectOk(await callApi(e, 'POST', startPath(org.organization_id, member.member_id), { email_address: newAddress }));
    const token = e.outbox.latest({ to: newAddress })!.token!;
    e.clock.advance(5 * 60_000 + 1_000);
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: token }), 401, 'unable_to_auth_magic_link');
    expect(e.admin.getMember(member.member_id)?.email_address).toBe(oldEmail);
  });

  it('answers 404 member_not_found for an unknown member', async () => {
    const { e, org } = setup();
    const res = await callApi(e, 'POST', startPath(org.organization_id, 'member-test-00000000-0000-4000-8000-000000000000'), { email_address: newEmail() });
    expectStytchError(res, 404, 'member_not_found');
  });
});
