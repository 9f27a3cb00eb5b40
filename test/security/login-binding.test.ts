/**
 * Security review, weakness 1: a victim mid-login could be signed into the attacker's member.
 * The victim starts a magic-link login for their own address; the attacker, signed in to their own
 * member in another organization, starts an email update of that member to the victim's address;
 * Stytch mails the victim a link minted without a PKCE challenge. Before the fix, opening it in the
 * victim's browser answered 303 with session cookies for the attacker's member (the callback only
 * compared addresses, which the attacker had just made equal). Every flow is now bound at its start
 * (kind, organization, member) and a callback that ends elsewhere is refused.
 */
import { describe, expect, it } from 'vitest';
import type { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, loginWithMagicLink, openForeignLink, resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useStytchClient, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const stytch = useStytchClient(emu);

function sessionCookiesSet(res: { setCookies: string[] }): boolean {
  return res.setCookies.some((line) => /^stytch_session(_jwt)?=[^;]+;/.test(line));
}

/** The attacker: signed in to their own member in their own organization. */
async function attackerSignedIn() {
  const attacker = seedMember(emu(), { orgName: 'Attacker Org' });
  const browser = app.browser();
  expect((await loginWithMagicLink(emu(), browser, attacker.email, attacker.org.organization_id)).location).toBe('/dashboard');
  return { ...attacker, browser };
}

/** The victim: a login for their own address started in their browser (the link not opened yet). */
async function victimMidLogin() {
  const victim = seedMember(emu(), { orgName: 'Victim Org' });
  const browser: CookieJarClient = app.browser();
  expect((await browser.post('/auth/login/email', { json: { email_address: victim.email, organization_id: victim.org.organization_id } })).status).toBe(202);
  const ownLink = linkPath(emu().outbox.latest({ to: victim.email, kind: 'login_magic_link' })?.link);
  return { ...victim, browser, ownLink };
}

describe('security: every login is bound to what started it', () => {
  it("weakness 1: the attacker's email-update link to the victim's address does not sign the victim's browser in as the attacker", async () => {
    const victim = await victimMidLogin();
    const attacker = await attackerSignedIn();
    const started = await attacker.browser.post('/auth/email/update', { json: { email_address: victim.email } });
    expect(started.status).toBe(202);
    const attackLink = linkPath(emu().outbox.latest({ to: victim.email, kind: 'email_update_magic_link' })?.link);
    emu().calls.clear();

    const res = await victim.browser.get(attackLink);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(sessionCookiesSet(res)).toBe(false);
    expect(victim.browser.cookie('stytch_session')).toBeUndefined();
    // Refused before any upstream call: the attacker's email change was not even completed.
    expect(routeCalls(emu())).toEqual([]);
    // The victim's own login is untouched and still completes as the victim.
    expect((await victim.browser.get(victim.ownLink)).location).toBe('/dashboard');
    expect((await victim.browser.get('/auth/session')).body.memberId).toBe(victim.member.member_id);
  });

  it("weakness 1: the attacker's link grafted onto the victim's own flow id is refused by the organization binding, and the session Stytch made is revoked", async () => {
    const victim = await victimMidLogin();
    const attacker = await attackerSignedIn();
    await attacker.browser.post('/auth/email/update', { json: { email_address: victim.email } });
    const attackLink = new URL(linkPath(emu().outbox.latest({ to: victim.email, kind: 'email_update_magic_link' })?.link), app.origin);
    const victimFlow = new URL(victim.ownLink, app.origin).searchParams.get('flow') ?? '';
    attackLink.searchParams.set('flow', victimFlow);
    emu().calls.clear();

    const res = await victim.browser.get(attackLink.pathname + attackLink.search);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(sessionCookiesSet(res)).toBe(false);
    expect(routeCalls(emu())).toEqual(['POST /v1/b2b/magic_links/authenticate', 'POST /v1/b2b/sessions/revoke']);
    expect((await victim.browser.get(victim.ownLink)).location).toBe('/dashboard');
    expect((await victim.browser.get('/auth/session')).body.memberId).toBe(victim.member.member_id);
  });

  it('a token of another kind on a flow id (an SSO token on a magic-link flow) is refused with 0 upstream calls', async () => {
    const victim = await victimMidLogin();
    const token = emu().admin.issueSsoToken({ member_id: victim.member.member_id });
    const flow = new URL(victim.ownLink, app.origin).searchParams.get('flow') ?? '';
    emu().calls.clear();
    const res = await victim.browser.get(`/auth/callback?stytch_token_type=sso&token=${encodeURIComponent(token)}&flow=${flow}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('an invitation opened while this browser waits for its own login is refused, the invitation stays usable', async () => {
    const victim = await victimMidLogin();
    const other = seedMember(emu(), { orgName: 'Inviting Org' });
    await stytch().magicLinks.email.invite({ organization_id: other.org.organization_id, email_address: victim.email, invite_redirect_url: `${app.origin}/auth/callback` });
    const inviteLink = linkPath(emu().outbox.latest({ to: victim.email, kind: 'invite_magic_link' })?.link);
    emu().calls.clear();
    const res = await victim.browser.get(inviteLink);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(routeCalls(emu())).toEqual([]);
    // The Continue POST checks again: still waiting for its own login, it is refused too.
    const continued = await victim.browser.post('/auth/join', { json: { action: 'continue', token: new URL(inviteLink, app.origin).searchParams.get('token') } });
    expect(continued.status).toBe(400);
    expect(continued.body.error.code).toBe('login_flow_mismatch');
    expect(routeCalls(emu())).toEqual([]);
    // Once the login is done the browser has no pending flow: the invitation asks to join.
    expect((await victim.browser.get(victim.ownLink)).location).toBe('/dashboard');
    const page = await openForeignLink(victim.browser, inviteLink);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Join Inviting Org?');
    expect((await victim.browser.get('/auth/session')).body.memberId).toBe(victim.member.member_id);
  });

  it("an email-update completion opened in the starting browser after a sign-out changes the address and creates no session", async () => {
    const member = await attackerSignedIn();
    const next = uniqueEmail('moved');
    await member.browser.post('/auth/email/update', { json: { email_address: next } });
    const link = linkPath(emu().outbox.latest({ to: next, kind: 'email_update_magic_link' })?.link);
    // Signed out in between (the flow cookie survives a plain cookie loss of the session only).
    member.browser.deleteCookie('stytch_session');
    member.browser.deleteCookie('stytch_session_jwt');
    const res = await member.browser.get(link);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login?status=email_updated');
    expect(sessionCookiesSet(res)).toBe(false);
    expect(emu().admin.getMember(member.member.member_id)?.email_address).toBe(next);
  });

  it('an email-update link for another member carried on this member\'s email-update flow id is refused (member binding)', async () => {
    const a = await attackerSignedIn();
    const b = await attackerSignedIn();
    await a.browser.post('/auth/email/update', { json: { email_address: uniqueEmail('a-new') } });
    const aLink = new URL(linkPath(emu().outbox.latest({ kind: 'email_update_magic_link' })?.link), app.origin);
    const bNext = uniqueEmail('b-new');
    await b.browser.post('/auth/email/update', { json: { email_address: bNext } });
    const bLink = new URL(linkPath(emu().outbox.latest({ to: bNext, kind: 'email_update_magic_link' })?.link), app.origin);
    bLink.searchParams.set('flow', aLink.searchParams.get('flow') ?? '');
    const res = await a.browser.get(bLink.pathname + bLink.search);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect((await a.browser.get('/auth/session')).body.memberId).toBe(a.member.member_id);
  });
});
