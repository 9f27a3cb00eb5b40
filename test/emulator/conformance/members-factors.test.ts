/**
 * Per-call permissions of the member calls other than update (reference A6.2): each needs one
 * `stytch.member` action, some also accept `stytch.self` when a member acts on themselves.
 * Also the retired-email unlink rules (A11.3) and members.get, which has no documented
 * permission (kept unchecked [INF]).
 */
import { describe, expect, it } from 'vitest';
import { callApi, expectOk } from '../support.js';
import { actor, expectRefused, expectStytch, newEmail, newOrg, useConformance } from './support.js';

const { emu, sdk } = useConformance();

const PASSWORD = 'a long enough test passphrase 42';
type Opts = { authorization: { session_token: string } };
/** The fields of a member these calls use. */
type Member = { member_id: string; email_address: string; member_password_id: string };

/** Each call, the stytch.member action it needs, whether stytch.self is accepted, and how to make its target ready. */
const CALLS: {
  name: string;
  action: string;
  selfOk: boolean;
  source: string;
  prepare?: (orgId: string, m: Member) => Promise<void>;
  call: (orgId: string, m: Member, opts: Opts) => Promise<unknown>;
}[] = [
  {
    name: 'members.delete',
    action: 'delete',
    selfOk: true,
    source: 'A6.2: delete on stytch.member, or stytch.self when deleting oneself (docs delete-member)',
    call: (orgId, m, opts) => sdk().organizations.members.delete({ organization_id: orgId, member_id: m.member_id }, opts),
  },
  {
    name: 'members.deleteMFAPhoneNumber',
    action: 'update.info.delete.mfa-phone',
    selfOk: true,
    source: 'A6.2: update.info.delete.mfa-phone, self alternative (docs delete-member-mfa-phone-number)',
    prepare: async (orgId, m) => {
      await sdk().organizations.members.update({ organization_id: orgId, member_id: m.member_id, mfa_phone_number: `+1415556${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}` });
    },
    call: (orgId, m, opts) => sdk().organizations.members.deleteMFAPhoneNumber({ organization_id: orgId, member_id: m.member_id }, opts),
  },
  {
    name: 'members.deleteTOTP',
    action: 'update.info.delete.mfa-totp',
    selfOk: true,
    source: 'A6.2: update.info.delete.mfa-totp, self alternative (browser organizations.ts / members.ts)',
    prepare: async (orgId, m) => {
      await sdk().totps.create({ organization_id: orgId, member_id: m.member_id });
    },
    call: (orgId, m, opts) => sdk().organizations.members.deleteTOTP({ organization_id: orgId, member_id: m.member_id }, opts),
  },
  {
    name: 'members.deletePassword',
    action: 'update.info.delete.password',
    selfOk: true,
    source: 'A6.2: update.info.delete.password, self alternative (browser)',
    call: (orgId, m, opts) => sdk().organizations.members.deletePassword({ organization_id: orgId, member_password_id: m.member_password_id }, opts),
  },
  {
    name: 'members.startEmailUpdate',
    action: 'update.info.email',
    selfOk: true,
    source: "A6.2: update.info.email; the browser's self variant is annotated update.info.email on stytch.self",
    call: (orgId, m, opts) => sdk().organizations.members.startEmailUpdate({ organization_id: orgId, member_id: m.member_id, email_address: newEmail('next') }, opts),
  },
  {
    name: 'members.unlinkRetiredEmail',
    action: 'update.info.unlink.retired-email',
    selfOk: true,
    source: 'A6.2: update.info.unlink.retired-email, self alternative (browser)',
    prepare: async (orgId, m) => {
      await sdk().organizations.members.update({ organization_id: orgId, member_id: m.member_id, email_address: newEmail('moved') });
    },
    call: (orgId, m, opts) => sdk().organizations.members.unlinkRetiredEmail({ organization_id: orgId, member_id: m.member_id, email_address: m.email_address }, opts),
  },
  {
    name: 'sessions.revoke({ member_id })',
    action: 'revoke-sessions',
    selfOk: true,
    source: 'A6.2: stytch.member revoke-sessions (browser sessions.ts revokeForMember); stytch.self revoke-sessions in the admin-portal map',
    call: (_orgId, m, opts) => sdk().sessions.revoke({ member_id: m.member_id }, opts),
  },
];

describe('member calls: one stytch.member action each (A6.2)', () => {
  for (const c of CALLS) {
    it(`${c.name} needs ${c.action}${c.selfOk ? ', or stytch.self for oneself' : ''} (${c.source})`, async () => {
      const org = newOrg(emu());
      const orgId = org.organization_id;
      const target = emu().admin.createMember(orgId, { email_address: newEmail('target'), status: 'active', password: PASSWORD });
      await c.prepare?.(orgId, target);
      const plain = actor(emu(), orgId, [{ resource_id: 'stytch.member', actions: ['update.info.name'] }], { password: PASSWORD });
      const granted = actor(emu(), orgId, [{ resource_id: 'stytch.member', actions: [c.action] }]);
      await expectRefused(c.call(orgId, target, plain.as));
      await c.call(orgId, target, granted.as);
      await c.prepare?.(orgId, plain.member);
      if (c.selfOk) await c.call(orgId, plain.member, plain.as);
      else await expectRefused(c.call(orgId, plain.member, plain.as));
      // An acting member of another organization is refused whatever they hold (A6.1 rule 3).
      const again = emu().admin.createMember(orgId, { email_address: newEmail('again'), status: 'active', password: PASSWORD });
      await c.prepare?.(orgId, again);
      const outsider = actor(emu(), newOrg(emu()).organization_id, [{ resource_id: 'stytch.member', actions: ['*'] }]);
      await expectRefused(c.call(orgId, again, outsider.as));
    });
  }

  it('members.create needs create on stytch.member', async () => {
    // A6.2: `organizations.members.create` → `stytch.member` `create` (docs create-member).
    const org = newOrg(emu());
    const plain = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['update.info.name'] }]);
    const creator = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['create'] }]);
    await expectRefused(sdk().organizations.members.create({ organization_id: org.organization_id, email_address: newEmail() }, plain.as));
    expect((await sdk().organizations.members.create({ organization_id: org.organization_id, email_address: newEmail() }, creator.as)).member.status).toBe('active');
  });

  it('members.get has no documented permission: with a member header it stays unchecked [INF]', async () => {
    // A6.2 lists no permission for get; the SDK's get takes no options, so the header is sent by hand.
    const org = newOrg(emu());
    const target = emu().admin.createMember(org.organization_id, { email_address: newEmail() });
    const plain = actor(emu(), org.organization_id, []);
    const res = await callApi(emu(), 'GET', `/v1/b2b/organizations/${org.organization_id}/member?member_id=${target.member_id}`, undefined, { headers: { 'x-stytch-member-session': plain.session.session_token } });
    expect(expectOk(res).member.member_id).toBe(target.member_id);
  });
});

describe('members.unlinkRetiredEmail: identifiers (A11.3)', () => {
  it('takes email_id and/or email_address, which must name the same retired email', async () => {
    // organizations_members.d.ts `unlinkRetiredEmail`: the email is identified by its email_id, its
    // email_address, or both, and both must then refer to the same email. Neither: android-enum's
    // retired_email_missing_email_identifiers (400 [INF]); no match: 404 email_not_found (the emulator's).
    const org = newOrg(emu());
    const first = newEmail('first');
    const m = emu().admin.createMember(org.organization_id, { email_address: first });
    await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: newEmail('second') });
    const retired = (await sdk().organizations.members.update({ organization_id: org.organization_id, member_id: m.member_id, email_address: newEmail('third') })).member.retired_email_addresses;
    expect(retired).toHaveLength(2);
    const [a, b] = retired as [{ email_id: string; email_address: string }, { email_id: string; email_address: string }];
    const unlink = (body: { email_id?: string; email_address?: string }) => sdk().organizations.members.unlinkRetiredEmail({ organization_id: org.organization_id, member_id: m.member_id, ...body });
    await expectStytch(unlink({}), 400, 'retired_email_missing_email_identifiers');
    await expectStytch(unlink({ email_id: a.email_id, email_address: b.email_address }), 404, 'email_not_found');
    const res = await unlink({ email_id: a.email_id, email_address: a.email_address });
    expect(res.member.retired_email_addresses.map((r) => r.email_address)).toEqual([b.email_address]);
    // Unlinked, the address is free again for another member of the organization.
    await sdk().organizations.members.create({ organization_id: org.organization_id, email_address: first });
    expect((await unlink({ email_id: b.email_id })).member.retired_email_addresses).toEqual([]);
  });
});
