/**
 * `magicLinks.email.invite` (reference A5; SDK doc comment of `invite` in
 * types/lib/b2b/magic_links_email.d.ts and of `email_invites` in organizations.d.ts).
 */
import { describe, expect, it } from 'vitest';
import { actor, expectRefused, expectStytch, newEmail, newOrg, useConformance } from './support.js';

const { emu, sdk } = useConformance({ redirectUrls: { invite: 'http://127.0.0.1:3000/invite' } });

describe('magicLinks.email.invite: member states (A5.2)', () => {
  it('creates an invited member for a new address and sends the invite', async () => {
    // A5.2 table: no member with that email → member created with status invited.
    const org = newOrg(emu());
    const email = newEmail('invitee');
    const res = await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: email });
    expect(res.member).toMatchObject({ email_address: email, status: 'invited' });
    expect(emu().outbox.latest({ to: email })?.kind).toBe('invite_magic_link');
  });

  it('moves a pending member to invited, re-invites an invited one', async () => {
    // A5.2 table: pending → invited; invited → a new invite is sent.
    const org = newOrg(emu());
    const email = newEmail('pending');
    const created = await sdk().organizations.members.create({ organization_id: org.organization_id, email_address: email, create_member_as_pending: true });
    expect(created.member.status).toBe('pending');
    expect((await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: email })).member).toMatchObject({ member_id: created.member_id, status: 'invited' });
    emu().outbox.clear();
    expect((await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: email })).member.status).toBe('invited');
    expect(emu().outbox.latest({ to: email })?.kind).toBe('invite_magic_link');
  });

  it('refuses to invite an active member [name INF: member_already_active, 400]', async () => {
    // A5.2: "active → error" (name not given by the docs).
    const org = newOrg(emu());
    const m = emu().admin.createMember(org.organization_id, { email_address: newEmail(), status: 'active' });
    await expectStytch(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: m.email_address }), 400, 'member_already_active');
  });

  it('an invite link activates the member (magic_links.d.ts authenticate: pending/invited → active)', async () => {
    // A5.2: authenticating the invite link moves invited → active and verifies the email [INF for the email].
    const org = newOrg(emu());
    const email = newEmail('accept');
    await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: email });
    const token = emu().outbox.latest({ to: email })!.token!;
    const auth = await sdk().magicLinks.authenticate({ magic_links_token: token });
    expect(auth.member).toMatchObject({ status: 'active', email_address_verified: true });
  });
});

describe('magicLinks.email.invite: the organization email_invites setting (A5.2)', () => {
  it('NOT_ALLOWED disables invites [name INF: email_invites_not_allowed, 403]', async () => {
    // organizations.d.ts `email_invites`: "NOT_ALLOWED – disable email invites".
    const org = newOrg(emu(), { email_invites: 'NOT_ALLOWED' });
    await expectStytch(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail() }), 403, 'email_invites_not_allowed');
  });

  it('RESTRICTED accepts only the allowed domains, else invalid_email_for_invites [403 INF]', async () => {
    // `email_invites`: "RESTRICTED – only new Members with verified emails that comply with
    // email_allowed_domains can be invited"; name android-enum (A5.2).
    const org = newOrg(emu(), { email_invites: 'RESTRICTED', email_allowed_domains: ['allowed.example'] });
    await expectStytch(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail() }), 403, 'invalid_email_for_invites');
    const ok = await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: `in-${Date.now()}@allowed.example` });
    expect(ok.member.status).toBe('invited');
  });

  it('ALL_ALLOWED accepts any address', async () => {
    // `email_invites`: "ALL_ALLOWED – any new Member can be invited to join via email."
    const org = newOrg(emu(), { email_invites: 'ALL_ALLOWED' });
    expect((await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail() })).member.status).toBe('invited');
  });
});

describe('magicLinks.email.invite: member-session headers (A5.4)', () => {
  it('needs create on stytch.member, and refuses a member of another organization', async () => {
    // A5.4: `create` on `stytch.member`; "If the session lacks the permission or the member's org differs
    // from organization_id, the API answers 403" (docs send-invite-email).
    const org = newOrg(emu());
    const plain = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['search'] }]);
    const inviter = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['create'] }]);
    const outsider = actor(emu(), newOrg(emu()).organization_id, [{ resource_id: 'stytch.member', actions: ['*'] }], { roles: ['stytch_admin'] });
    await expectRefused(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail() }, plain.as));
    await expectRefused(sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail() }, outsider.as));
    const res = await sdk().magicLinks.email.invite({ organization_id: org.organization_id, email_address: newEmail(), invited_by_member_id: inviter.member.member_id }, inviter.asJwt);
    expect(res.member.status).toBe('invited');
  });
});
