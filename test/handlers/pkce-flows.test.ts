/**
 * PKCE per flow: each started flow has its own cookie (`stytch_flow_<id>`, the id on the link as
 * `?flow=<id>`), so parallel tabs, "send the link again" and stale tabs all work, a failed
 * callback leaves other flows alone, and links minted without a challenge (invitations) complete
 * in a browser that never started anything, through an explicit confirmation.
 */
import { describe, expect, it } from 'vitest';
import type { CookieJarClient } from '../helpers/cookie-jar.js';
import { decodeFlowRecord } from '../../src/session/flow-record.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, openForeignLink, resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useStytchClient, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const stytch = useStytchClient(emu);

function flowNames(browser: CookieJarClient): string[] {
  return [...browser.cookies.keys()].filter((name) => name.startsWith('stytch_flow_'));
}

async function sendLink(browser: CookieJarClient, email: string, organizationId: string): Promise<string> {
  const res = await browser.post('/auth/login/email', { json: { email_address: email, organization_id: organizationId } });
  expect(res.status).toBe(202);
  return linkPath(emu().outbox.latest({ to: email })?.link);
}

async function memberOf(browser: CookieJarClient): Promise<string | undefined> {
  const res = await browser.get('/auth/session');
  return res.status === 200 ? (res.body.memberId as string) : undefined;
}

async function invite(organizationId: string, email: string): Promise<string> {
  await stytch().magicLinks.email.invite({ organization_id: organizationId, email_address: email, invite_redirect_url: `${app.origin}/auth/callback` });
  return linkPath(emu().outbox.latest({ to: email, kind: 'invite_magic_link' })?.link);
}

describe('PKCE per flow', () => {
  it('two tabs each complete their own login: two flow cookies, each link consumes only its own', async () => {
    const a = seedMember(emu());
    const b = seedMember(emu());
    const browser = app.browser();
    const linkA = await sendLink(browser, a.email, a.org.organization_id);
    const linkB = await sendLink(browser, b.email, b.org.organization_id);
    expect(flowNames(browser)).toHaveLength(2);
    expect((await browser.get(linkB)).location).toBe('/dashboard');
    expect(await memberOf(browser)).toBe(b.member.member_id);
    expect(flowNames(browser)).toHaveLength(1);
    expect((await browser.get(linkA)).location).toBe('/dashboard');
    expect(await memberOf(browser)).toBe(a.member.member_id);
    expect(flowNames(browser)).toHaveLength(0);
  });

  it('"send the link again" reuses the pending flow: same flow id, same challenge, and the older link completes', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = app.browser();
    const first = await sendLink(browser, email, org.organization_id);
    const verifier = decodeFlowRecord(browser.cookie(flowNames(browser)[0] ?? '') ?? '')?.verifier;
    const second = await sendLink(browser, email, org.organization_id);
    expect(first).not.toBe(second);
    expect(flowNames(browser)).toHaveLength(1);
    expect(new URL(first, app.origin).searchParams.get('flow')).toBe(new URL(second, app.origin).searchParams.get('flow'));
    // Same verifier, hence the same challenge sent with both links.
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeFlowRecord(browser.cookie(flowNames(browser)[0] ?? '') ?? '')?.verifier).toBe(verifier);
    // The older link works in this browser; the newer one then is a stale tab (signed in, no upstream call).
    expect((await browser.get(first)).location).toBe('/dashboard');
    expect(await memberOf(browser)).toBe(member.member_id);
    emu().calls.clear();
    const stale = await browser.get(second);
    expect(stale.status).toBe(303);
    expect(stale.location).toBe('/dashboard');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('the newer of two links completes too', async () => {
    const { org, email, member } = seedMember(emu());
    const browser = app.browser();
    await sendLink(browser, email, org.organization_id);
    const second = await sendLink(browser, email, org.organization_id);
    expect((await browser.get(second)).location).toBe('/dashboard');
    expect(await memberOf(browser)).toBe(member.member_id);
  });

  it("a failed callback does not destroy another flow's verifier", async () => {
    const a = seedMember(emu());
    const b = seedMember(emu());
    const browser = app.browser();
    const linkA = await sendLink(browser, a.email, a.org.organization_id);
    await sendLink(browser, b.email, b.org.organization_id);
    const flowA = new URL(linkA, app.origin).searchParams.get('flow') ?? '';
    // B's flow id with a dead token: Stytch refuses it; A's flow cookie is untouched.
    const linkB = new URL(linkPath(emu().outbox.latest({ to: b.email })?.link), app.origin);
    linkB.searchParams.set('token', 'not-a-real-token-at-all');
    const failed = await browser.get(linkB.pathname + linkB.search);
    expect(failed.status).toBe(404);
    expect(failed.setCookies.some((line) => line.startsWith(`stytch_flow_${flowA}=`))).toBe(false);
    expect(flowNames(browser)).toHaveLength(2);
    expect((await browser.get(linkA)).location).toBe('/dashboard');
    expect(await memberOf(browser)).toBe(a.member.member_id);
  });

  it('a link whose flow was started with a challenge is refused elsewhere with 0 upstream calls, and still works where it started', async () => {
    const { org, email } = seedMember(emu());
    const starter = app.browser();
    const link = await sendLink(starter, email, org.organization_id);
    emu().calls.clear();
    const other = app.browser();
    const res = await other.get(link);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('pkce_verifier_missing');
    expect(routeCalls(emu())).toEqual([]);
    expect((await starter.get(link)).location).toBe('/dashboard');
  });

  it('a link carrying a malformed or repeated flow id is 400 invalid_flow with 0 upstream calls', async () => {
    for (const query of ['&flow=abc', '&flow=%3Cx%3E', `&flow=p${'a'.repeat(22)}&flow=p${'b'.repeat(22)}`]) {
      const res = await app.browser().get(`/auth/callback?stytch_token_type=multi_tenant_magic_links&token=abcdefghijkl${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_flow');
    }
    expect(routeCalls(emu())).toEqual([]);
  });

  it('a browser holds at most five flows: a sixth start drops the oldest', async () => {
    const browser = app.browser();
    for (let i = 0; i < 6; i += 1) {
      const seeded = seedMember(emu());
      await sendLink(browser, seeded.email, seeded.org.organization_id);
    }
    expect(flowNames(browser)).toHaveLength(5);
  });
});

describe('links minted without a challenge', () => {
  it("opening an invitation (a mail scanner's GET) spends nothing: a Continue page whose POST redeems it", async () => {
    const { org } = seedMember(emu());
    const email = uniqueEmail('scanned');
    const link = await invite(org.organization_id, email);
    emu().calls.clear();
    for (const scanner of [app.browser(), app.browser()]) {
      const page = await scanner.get(link);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Continue signing in?');
      expect(page.headers['referrer-policy']).toBe('strict-origin');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(scanner.cookie('stytch_join_pending')).toBeUndefined();
    }
    expect(routeCalls(emu())).toEqual([]);
    // The person it was for still accepts it.
    const joinPage = await openForeignLink(app.browser(), link);
    expect(joinPage.status).toBe(200);
    expect(joinPage.text).toContain(`Join ${org.organization_name}?`);
  });

  it('the Continue POST is CSRF-checked and refuses a malformed token with no upstream call', async () => {
    const browser = app.browser();
    emu().calls.clear();
    const forged = await browser.post('/auth/join', { form: { action: 'continue', token: 'abcdefghijkl' }, origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('csrf_rejected');
    const junk = await browser.post('/auth/join', { json: { action: 'continue', token: '<script>' } });
    expect(junk.status).toBe(400);
    expect(junk.body.error.code).toBe('invalid_token');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('an invitation opened in a fresh browser asks "Join <org>?" and only the POST signs in', async () => {
    const { org } = seedMember(emu(), { orgName: 'Invite & <Co>' });
    const email = uniqueEmail('invitee');
    const link = await invite(org.organization_id, email);
    const browser = app.browser();
    const page = await openForeignLink(browser, link);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // Not no-referrer: browsers would then post the Join form with `Origin: null`, refused as CSRF.
    // strict-origin still never sends the link's path or token.
    expect(page.headers['referrer-policy']).toBe('strict-origin');
    expect(page.text).toContain('Join Invite &#38; &#60;Co&#62;?');
    expect(page.text).not.toContain('<Co>');
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(browser.cookies.get('stytch_join_pending')?.attributes.httponly).toBe(true);
    const joined = await browser.post('/auth/join', { form: { action: 'join' } });
    expect(joined.status).toBe(303);
    expect(joined.location).toBe('/dashboard');
    const me = await browser.get('/auth/session');
    expect(me.status).toBe(200);
    expect(me.body.organizationId).toBe(org.organization_id);
    expect(browser.cookie('stytch_join_pending')).toBeUndefined();
  });

  it('declining the invitation revokes the held session and signs nobody in', async () => {
    const { org } = seedMember(emu());
    const email = uniqueEmail('decliner');
    const browser = app.browser();
    await openForeignLink(browser, await invite(org.organization_id, email));
    const res = await browser.post('/auth/join', { json: { action: 'decline' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'declined' });
    expect(routeCalls(emu())).toContain('POST /v1/b2b/sessions/revoke');
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect((await browser.post('/auth/join', { json: { action: 'join' } })).body.error.code).toBe('join_not_pending');
  });

  it('the join POST is CSRF-checked: a cross-site post is 403 csrf_rejected and the held session stays unused', async () => {
    const { org } = seedMember(emu());
    const browser = app.browser();
    await openForeignLink(browser, await invite(org.organization_id, uniqueEmail('csrf')));
    const res = await browser.post('/auth/join', { form: { action: 'join' }, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_rejected');
    expect(browser.cookie('stytch_session')).toBeUndefined();
    expect(browser.cookie('stytch_join_pending')).toBeDefined();
  });

  it('the join POST refuses a missing action with 400 and a forged held value as nothing pending', async () => {
    const browser = app.browser();
    expect((await browser.post('/auth/join', { json: {} })).body.error.code).toBe('invalid_action');
    browser.setCookie('stytch_join_pending', 'not-base64-json');
    const res = await browser.post('/auth/join', { json: { action: 'join' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('join_not_pending');
  });
});
