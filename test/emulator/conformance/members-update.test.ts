/**
 * `organizations.members.update`: per-field permissions with member-session headers (reference
 * A6.4; SDK doc comments of `B2BOrganizationsMembersUpdateRequest` in
 * types/lib/b2b/organizations_members.d.ts) and the member rules of A11.2, A11.3 and A11.9.
 */
import { describe, expect, it } from 'vitest';
import { actor, expectRefused, expectStytch, newEmail, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

const MEMBER = 'stytch.member';

/** A field, a valid value, its stytch.member action, and whether stytch.self is accepted for oneself. */
const FIELDS: { field: string; action: string; selfOk: boolean; value: () => unknown; read?: (m: Record<string, unknown>) => unknown }[] = [
  // organizations_members.d.ts `name`: `update.info.name` on stytch.member, or on stytch.self for oneself
  { field: 'name', action: 'update.info.name', selfOk: true, value: () => `Name ${uniq()}` },
  // `untrusted_metadata`: `update.info.untrusted-metadata`, self alternative
  { field: 'untrusted_metadata', action: 'update.info.untrusted-metadata', selfOk: true, value: () => ({ theme: uniq() }) },
  // `mfa_phone_number`: `update.info.mfa-phone`, self alternative
  { field: 'mfa_phone_number', action: 'update.info.mfa-phone', selfOk: true, value: () => `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}` },
  // `mfa_enrolled`: `update.settings.mfa-enrolled`, self alternative
  { field: 'mfa_enrolled', action: 'update.settings.mfa-enrolled', selfOk: true, value: () => true },
  // `default_mfa_method`: `update.settings.default-mfa-method`, self alternative
  { field: 'default_mfa_method', action: 'update.settings.default-mfa-method', selfOk: true, value: () => 'totp' },
  // `is_breakglass`: `update.settings.is-breakglass`, no stytch.self alternative in the doc comment
  { field: 'is_breakglass', action: 'update.settings.is-breakglass', selfOk: false, value: () => true },
  // `roles`: `update.settings.roles`, no stytch.self alternative
  { field: 'roles', action: 'update.settings.roles', selfOk: false, value: () => ['stytch_admin'], read: (m) => (m.roles as { role_id: string }[]).map((r) => r.role_id).includes('stytch_admin') ? ['stytch_admin'] : [] },
  // `external_id`: no RBAC note (A6.4, A16.9): the emulator requires `*` on stytch.member [INF]
  { field: 'external_id', action: '*', selfOk: false, value: () => `ext-${uniq()}` },
];

function target(orgId: string) {
  return emu().admin.createMember(orgId, { email_address: newEmail('target'), status: 'active' });
}

describe('members.update: one stytch.member action per field (A6.4)', () => {
  for (const { field, action, selfOk, value, read } of FIELDS) {
    it(`${field} needs ${action} on stytch.member${selfOk ? ', or stytch.self for oneself' : ', with no self alternative'}`, async () => {
      const org = newOrg(emu());
      const other = target(org.organization_id);
      const plain = actor(emu(), org.organization_id, []);
      const decoy = actor(emu(), org.organization_id, [{ resource_id: MEMBER, actions: [action === 'update.info.name' ? 'update.info.email' : 'update.info.name'] }]);
      const granted = actor(emu(), org.organization_id, [{ resource_id: MEMBER, actions: [action] }]);
      const call = (memberId: string, opts: { authorization: { session_token: string } }) =>
        sdk().organizations.members.update({ organization_id: org.organization_id, member_id: memberId, [field]: value() }, opts);
      // Another member: only the stytch.member action grants it.
      await expectRefused(call(other.member_id, plain.as));
      await expectRefused(call(other.member_id, decoy.as));
      const v = value();
      const res = await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, [field]: v }, granted.as);
      const member = res.member as unknown as Record<string, unknown>;
      expect(read ? read(member) : member[field]).toEqual(v);
      // Oneself: every member holds `*` on stytch.self through stytch_member.
      if (selfOk) await call(plain.member.member_id, plain.as);
      else await expectRefused(call(plain.member.member_id, plain.as));
    });
  }

  it('email_address needs update.info.email on stytch.member, and a member may never change their own [INF 400]', async () => {
    // `email_address`: "permission to perform the `update.info.email` action on the `stytch.member`
    // Resource. Members cannot update their own email address." Name member_cannot_update_their_email_address
    // (android-enum, A6.4); status not documented, the emulator answers 400 (like A11.3's errors).
    const org = newOrg(emu());
    const other = target(org.organization_id);
    const plain = actor(emu(), org.organization_id, []);
    const granted = actor(emu(), org.organization_id, [{ resource_id: MEMBER, actions: ['update.info.email'] }], { roles: ['stytch_admin'] });
    await expectRefused(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, email_address: newEmail('moved') }, plain.as));
    const to = newEmail('moved');
    expect((await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, email_address: to }, granted.as)).member.email_address).toBe(to);
    await expectStytch(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: granted.member.member_id, email_address: newEmail('self') }, granted.as), 400, 'member_cannot_update_their_email_address');
    await expectStytch(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: plain.member.member_id, email_address: newEmail('self') }, plain.as), 400, 'member_cannot_update_their_email_address');
    // With the project secret alone there is no such restriction (A6.1 rule 5).
    await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: plain.member.member_id, email_address: newEmail('self') });
  });

  it('refuses trusted_metadata with a member-session header, for oneself and as an admin [INF 403 cannot_update_trusted_metadata]', async () => {
    // `trusted_metadata`: "If a session header is passed into the request, this field may **not** be passed".
    const org = newOrg(emu());
    const admin = actor(emu(), org.organization_id, [], { roles: ['stytch_admin'] });
    const other = target(org.organization_id);
    for (const memberId of [admin.member.member_id, other.member_id]) {
      await expectStytch(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: memberId, trusted_metadata: { plan: 'pro' } }, admin.as), 403, 'cannot_update_trusted_metadata');
    }
    expect((await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, trusted_metadata: { plan: 'pro' } })).member.trusted_metadata).toEqual({ plan: 'pro' });
  });

  it('refuses an acting member of another organization, even an admin there', async () => {
    // A6.1 rule 3 (tenancy) → 403.
    const org = newOrg(emu());
    const other = target(org.organization_id);
    const outsider = actor(emu(), newOrg(emu()).organization_id, [{ resource_id: MEMBER, actions: ['*'] }], { roles: ['stytch_admin'] });
    await expectRefused(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, name: 'Hijack' }, outsider.as));
  });

  it("'*' on stytch.member grants every field, over the JWT header too", async () => {
    // A6.6: `*` as action wildcard (base 4.4); method_options.js sends session_jwt as X-Stytch-Member-SessionJWT.
    const org = newOrg(emu());
    const other = target(org.organization_id);
    const star = actor(emu(), org.organization_id, [{ resource_id: MEMBER, actions: ['*'] }]);
    const res = await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, name: 'All', is_breakglass: true, roles: [], external_id: `e-${uniq()}` }, star.asJwt);
    expect(res.member).toMatchObject({ name: 'All', is_breakglass: true });
  });
});

describe('members.update: member rules', () => {
  it('refuses a new mfa_phone_number while the member has one; delete it first (A11.2) [INF name]', async () => {
    // organizations_members.d.ts `deleteMFAPhoneNumber`: "To change a Member's phone number, you must first
    // call this endpoint to delete the existing phone number." Error name not documented: the emulator uses
    // android-enum's duplicate_member_phone_number_for_member, 400.
    const org = newOrg(emu());
    const m = emu().admin.createMember(org.organization_id, { email_address: newEmail(), mfa_phone_number: '+14155550101' });
    const update = (phone: string) => sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, mfa_phone_number: phone });
    await expectStytch(update('+14155550102'), 400, 'duplicate_member_phone_number_for_member');
    expect((await update('+14155550101')).member.mfa_phone_number).toBe('+14155550101');
    await sdk().organizations.members.deleteMFAPhoneNumber({ organization_id: org.organization_id, member_id: m.member_id });
    expect((await update('+14155550102')).member.mfa_phone_number).toBe('+14155550102');
  });

  it('changing the email clears the password, needs re-verification and retires the old address (A11.3)', async () => {
    // `email_address`: "This will clear any existing passwords and require re-verification of the new email address."
    const org = newOrg(emu());
    const old = newEmail('old');
    const m = emu().admin.createMember(org.organization_id, { email_address: old, password: 'a long enough test passphrase 42' });
    expect(m.member_password_id).not.toBe('');
    const to = newEmail('new');
    const res = await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: to });
    expect(res.member).toMatchObject({ email_address: to, email_address_verified: false, member_password_id: '' });
    expect(res.member.retired_email_addresses.map((r) => r.email_address)).toEqual([old]);
  });

  it('unlink_email: true deletes the old address instead of retiring it (A11.3)', async () => {
    // `unlink_email`: "the Member's old email address will be deleted instead of retired".
    const org = newOrg(emu());
    const m = emu().admin.createMember(org.organization_id, { email_address: newEmail('old') });
    const res = await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: newEmail('new'), unlink_email: true });
    expect(res.member.retired_email_addresses).toEqual([]);
  });

  it('a retired address is reserved: other members get retired_member_email, the member may switch back (A11.3)', async () => {
    // organizations_members.d.ts `unlinkRetiredEmail`: "A retired email address cannot be used by other Members in
    // the same Organization"; A11.3: the member may switch back to it. Name android-enum, 400 [INF].
    const org = newOrg(emu());
    const old = newEmail('old');
    const m = emu().admin.createMember(org.organization_id, { email_address: old });
    await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: newEmail('new') });
    await expectStytch(sdk().organizations.members.create({ organization_id: org.organization_id, email_address: old }), 400, 'retired_member_email');
    const other = target(org.organization_id);
    await expectStytch(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: other.member_id, email_address: old }), 400, 'retired_member_email');
    await expectStytch(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: old }), 400, 'retired_member_email');
    await expectStytch(sdk().organizations.members.startEmailUpdate({ organization_id: org.organization_id, member_id: other.member_id, email_address: old }), 400, 'retired_member_email');
    // Another organization is not affected.
    await sdk().organizations.members.create({ organization_id: newOrg(emu()).organization_id, email_address: old });
    const back = await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: old });
    expect(back.member.email_address).toBe(old);
    expect(back.member.retired_email_addresses.map((r) => r.email_address)).not.toContain(old);
  });

  it('an active address of another member is duplicate_member_email', async () => {
    // A11.3 errors: duplicate_member_email (android-enum, 400 [INF]).
    const org = newOrg(emu());
    const a = target(org.organization_id);
    const b = target(org.organization_id);
    await expectStytch(sdk().organizations.members.update({ organization_id: org.organization_id, member_id: b.member_id, email_address: a.email_address }), 400, 'duplicate_member_email');
  });

  it('external_id: A-Z a-z 0-9 . _ - |, at most 128 characters, unique in the organization (A11.9) [INF invalid_external_id]', async () => {
    // organizations_members.d.ts `external_id`: "alphanumeric, `.`, `_`, `-`, or `|` characters with a maximum
    // length of 128 characters. External IDs must be unique within an organization".
    const org = newOrg(emu());
    const a = target(org.organization_id);
    const b = target(org.organization_id);
    const upd = (memberId: string, externalId: string) => sdk().organizations.members.update({ organization_id: org.organization_id, member_id: memberId, external_id: externalId });
    await expectStytch(upd(a.member_id, 'has space'), 400, 'invalid_external_id');
    await expectStytch(upd(a.member_id, 'x'.repeat(129)), 400, 'invalid_external_id');
    const id = `A.b_c-d|${uniq()}`;
    expect((await upd(a.member_id, id)).member.external_id).toBe(id);
    expect((await upd(a.member_id, 'y'.repeat(128))).member.external_id).toBe('y'.repeat(128));
    await upd(a.member_id, id);
    await expectStytch(upd(b.member_id, id), 400, 'duplicate_member_external_id');
    // Reusable across organizations; usable in place of member_id.
    const elsewhere = newOrg(emu());
    await sdk().organizations.members.create({ organization_id: elsewhere.organization_id, email_address: newEmail(), external_id: id });
    expect((await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: id, name: 'By external id' })).member.member_id).toBe(a.member_id);
    await expectStytch(sdk().organizations.members.create({ organization_id: org.organization_id, email_address: newEmail(), external_id: 'bad/slash' }), 400, 'invalid_external_id');
  });
});
