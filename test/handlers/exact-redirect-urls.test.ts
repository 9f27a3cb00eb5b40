/**
 * `flowParam: false`, for Stytch projects that match redirect URLs exactly, query included (the
 * reading of Stytch's URL-validation reference; its redirect-URL guide allows extra parameters,
 * which is the default). Against an emulator started with `exactRedirectUrls`, which refuses any
 * redirect URL carrying a query: the default routes' `?flow=<id>` is refused there, and with
 * `flowParam: false` every login still finds its own flow by its bindings.
 */
import { describe, expect, it } from 'vitest';
import type { CookieJarClient } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useStytchClient, useTestApp } from './harness.js';

const emu = useEmulator({ exactRedirectUrls: true });
const strict = useTestApp(emu, { routes: { flowParam: false } });
const withFlowParam = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const stytch = useStytchClient(emu);

async function sendLink(browser: CookieJarClient, email: string, organizationId: string): Promise<string> {
  const res = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: organizationId } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return linkPath(emu().outbox.latest({ to: email })?.link);
}

function flowNames(browser: CookieJarClient): string[] {
  return [...browser.cookies.keys()].filter((name) => name.startsWith('stytch_flow_'));
}

describe('flowParam: false against a project that matches redirect URLs exactly', () => {
  it("the default routes' ?flow= is refused by such a project, and flowParam: false sends the callback URL bare", async () => {
    const { org, email } = seedMember(emu());
    const refused = await withFlowParam.browser().post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('redirect_url_not_allowed');
    const link = await sendLink(strict.browser(), email, org.organization_id);
    expect(link.startsWith('/auth/callback?stytch_token_type=')).toBe(true);
    expect(link).not.toContain('flow=');
  });

  it('a login link signs in the browser that asked for it, and only there', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = strict.browser();
    const link = await sendLink(browser, email, org.organization_id);
    emu().calls.clear();
    const elsewhere = strict.browser();
    const page = await elsewhere.get(link);
    expect(page.status).toBe(200); // a link this browser did not start: the Continue page
    expect(routeCalls(emu())).toEqual([]);
    const res = await browser.get(link);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.memberId).toBe(member.member_id);
    expect(flowNames(browser)).toEqual([]);
  });

  it('two tabs: two pending logins share one verifier, each link completes its own flow and leaves the other', async () => {
    const a = seedMember(emu());
    const b = seedMember(emu());
    const browser = strict.browser();
    const linkA = await sendLink(browser, a.email, a.org.organization_id);
    const linkB = await sendLink(browser, b.email, b.org.organization_id);
    expect(flowNames(browser)).toHaveLength(2);
    expect((await browser.get(linkB)).location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.organizationId).toBe(b.org.organization_id);
    expect(flowNames(browser)).toHaveLength(1);
    expect((await browser.get(linkA)).location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.organizationId).toBe(a.org.organization_id);
    expect(flowNames(browser)).toEqual([]);
  });

  it("an attacker's invitation opened while this browser waits for its own login is refused, and the session it made is revoked", async () => {
    const victim = seedMember(emu());
    const browser = strict.browser();
    const own = await sendLink(browser, victim.email, victim.org.organization_id);
    const attacker = seedMember(emu(), { orgName: 'Attacker Org' });
    await stytch().magicLinks.email.invite({ organization_id: attacker.org.organization_id, email_address: victim.email, invite_redirect_url: `${strict.origin}/auth/callback` });
    const inviteLink = linkPath(emu().outbox.latest({ to: victim.email, kind: 'invite_magic_link' })?.link);
    emu().calls.clear();
    const res = await browser.get(inviteLink);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    // Without the flow id the link had to be redeemed to be told apart; its session is revoked.
    expect(routeCalls(emu())).toContain('POST /v1/b2b/sessions/revoke');
    expect(browser.cookie('stytch_session')).toBeUndefined();
    // The browser's own login is untouched.
    expect((await browser.get(own)).location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.memberId).toBe(victim.member.member_id);
  });

  it('an invitation opened with no login pending still asks first (Continue, then Join)', async () => {
    const { org } = seedMember(emu(), { orgName: 'Strict Invite Co' });
    const email = uniqueEmail('strict-invitee');
    await stytch().magicLinks.email.invite({ organization_id: org.organization_id, email_address: email, invite_redirect_url: `${strict.origin}/auth/callback` });
    const link = linkPath(emu().outbox.latest({ to: email, kind: 'invite_magic_link' })?.link);
    const browser = strict.browser();
    const page = await browser.get(link);
    expect(page.text).toContain('Continue signing in?');
    const token = new URL(link, strict.origin).searchParams.get('token');
    const join = await browser.post('/auth/join', { form: { action: 'continue', token: token ?? '' } });
    expect(join.status).toBe(200);
    expect(join.text).toContain('Join Strict Invite Co?');
  });
});
