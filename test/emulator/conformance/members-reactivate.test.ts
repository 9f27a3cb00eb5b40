/**
 * `organizations.members.reactivate` (reference A11.5; SDK doc comment of `reactivate` in
 * types/lib/b2b/organizations_members.d.ts). Error names are android-enum's; statuses are the
 * emulator's [INF]: 400 for a member in the wrong state, 404 for no member at all.
 */
import { describe, expect, it } from 'vitest';
import { actor, expectRefused, expectStytch, newEmail, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

/** A deleted member whose email was verified (admin-created active members are verified). */
async function deletedMember(orgId: string, extra: { external_id?: string } = {}) {
  const m = emu().admin.createMember(orgId, { email_address: newEmail('gone'), status: 'active', ...extra });
  await sdk().organizations.members.delete({ organization_id: orgId, member_id: m.member_id });
  return m;
}

describe('members.reactivate', () => {
  it('restores a deleted member with a verified email to active', async () => {
    // "Reactivates a deleted Member's status and its associated email status (if applicable) to active".
    const org = newOrg(emu());
    const m = await deletedMember(org.organization_id);
    const res = await sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id });
    expect(res.member).toMatchObject({ member_id: m.member_id, status: 'active', email_address_verified: true });
  });

  it('refuses a member whose email was never verified: email_unverified_for_reactivation', async () => {
    // "This endpoint will only work for Members with at least one verified email where their
    // `email_address_verified` is `true`."
    const org = newOrg(emu());
    const created = await sdk().organizations.members.create({ organization_id: org.organization_id, email_address: newEmail('unverified') });
    expect(created.member.email_address_verified).toBe(false);
    await sdk().organizations.members.delete({ organization_id: org.organization_id, member_id: created.member_id });
    await expectStytch(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: created.member_id }), 400, 'email_unverified_for_reactivation');
  });

  it('refuses a member that is not deleted: no_deleted_member_found_for_reactivation', async () => {
    // A11.5: reactivate restores a deleted member; the name is android-enum's, 400 [INF].
    const org = newOrg(emu());
    const m = emu().admin.createMember(org.organization_id, { email_address: newEmail() });
    await expectStytch(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id }), 400, 'no_deleted_member_found_for_reactivation');
  });

  it('refuses when another member now holds the email: reactivation_email_belongs_to_another_member', async () => {
    // A11.5 (android-enum name, 400 [INF]).
    const org = newOrg(emu());
    const m = await deletedMember(org.organization_id);
    emu().admin.createMember(org.organization_id, { email_address: m.email_address });
    await expectStytch(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id }), 400, 'reactivation_email_belongs_to_another_member');
  });

  it('does not accept an external id in place of the member id', async () => {
    // "Note that this endpoint does not accept an `external_id`. The Stytch `member_id` must be provided."
    const org = newOrg(emu());
    const externalId = `ext-${uniq()}`;
    const m = await deletedMember(org.organization_id, { external_id: externalId });
    await expectStytch(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: externalId }), 404, 'member_not_found');
    expect((await sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id })).member.status).toBe('active');
  });

  it('with member-session headers needs create on stytch.member, with no self alternative', async () => {
    // A6.2: reactivate → `stytch.member` `create` (https://stytch.com/docs/b2b/api/reactivate-member).
    const org = newOrg(emu());
    const m = await deletedMember(org.organization_id);
    const plain = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['delete', 'update.info.name'] }]);
    const creator = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['create'] }]);
    await expectRefused(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id }, plain.as));
    expect((await sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: m.member_id }, creator.as)).member.status).toBe('active');
    const outsider = actor(emu(), newOrg(emu()).organization_id, [{ resource_id: 'stytch.member', actions: ['*'] }]);
    const again = await deletedMember(org.organization_id);
    await expectRefused(sdk().organizations.members.reactivate({ organization_id: org.organization_id, member_id: again.member_id }, outsider.as));
  });
});
