/**
 * Adversarial review: the magic-link callback. The email-update exception to PKCE (start_email_update
 * takes no challenge) must only ever complete the email change of the member who asked for it.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, loginWithMagicLink, resetEmulatorBeforeEach, seedMember, signInNewMember, uniqueEmail, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

const signedIn = () => signInNewMember(emu(), app);

describe('review: callback email-update exception', () => {
  it("review: a victim with a pending email update who opens an attacker's PKCE-less link is not signed in as the attacker", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    // The victim started an email change: their browser now holds the email-update marker.
    expect((await victim.browser.post('/auth/email/update', { json: { email_address: uniqueEmail('victim-new') } })).status).toBe(202);
    // The attacker gets a PKCE-less magic-link token for their own account the same way.
    const attackerNext = uniqueEmail('attacker-new');
    expect((await attacker.browser.post('/auth/email/update', { json: { email_address: attackerNext } })).status).toBe(202);
    const attackerLink = linkPath(emu().outbox.latest({ kind: 'email_update_magic_link', to: attackerNext })?.link);
    const victimJwt = victim.browser.cookie('stytch_session_jwt');

    // Login CSRF: the attacker's page navigates the victim's browser to the attacker's link.
    const res = await victim.browser.get(attackerLink);

    // The victim's browser waits for its own email-update flow: a link from elsewhere is refused.
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('login_flow_mismatch');
    expect(res.setCookies.some((line) => /^stytch_session(_jwt)?=[^;]+;/.test(line))).toBe(false);
    expect(victim.browser.cookie('stytch_session_jwt')).toBe(victimJwt);
    const me = await victim.browser.get('/auth/session');
    expect(me.body.memberId).toBe(victim.member.member_id);
  });

  it('review: the member who started the email update still completes it from the emailed link', async () => {
    const victim = await signedIn();
    const next = uniqueEmail('own-new');
    expect((await victim.browser.post('/auth/email/update', { json: { email_address: next } })).status).toBe(202);
    const res = await victim.browser.get(linkPath(emu().outbox.latest({ kind: 'email_update_magic_link', to: next })?.link));
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect(emu().admin.getMember(victim.member.member_id)?.email_address).toBe(next);
  });
});

describe('review: callback binding to the login this browser started', () => {
  it("review: a browser in the middle of its own login that opens an attacker's PKCE-less link is not signed in as the attacker", async () => {
    const attacker = await signedIn();
    const attackerNext = uniqueEmail('attacker-next');
    expect((await attacker.browser.post('/auth/email/update', { json: { email_address: attackerNext } })).status).toBe(202);
    const attackerLink = linkPath(emu().outbox.latest({ kind: 'email_update_magic_link', to: attackerNext })?.link);

    // The victim asked for a link to their own address: this browser holds a PKCE verifier.
    const victim = seedMember(emu());
    const browser = app.browser();
    expect((await browser.post('/auth/login/email', { json: { email_address: victim.email, organization_id: victim.org.organization_id } })).status).toBe(202);

    // Login CSRF: the attacker's page navigates the victim's browser to the attacker's link.
    const res = await browser.get(attackerLink);

    expect(res.status).toBe(400);
    expect(res.setCookies.some((line) => /^stytch_session(_jwt)?=[^;]+;/.test(line))).toBe(false);
    expect((await browser.get('/auth/session')).status).toBe(401);
  });

  it.each(['oauth', 'sso', 'discovery_oauth'] as const)(
    "review: a browser in the middle of its own login that opens an attacker's %s callback is not signed in as the attacker",
    async (type) => {
      const attacker = seedMember(emu());
      const token =
        type === 'sso'
          ? emu().admin.issueSsoToken({ member_id: attacker.member.member_id })
          : emu().admin.issueOAuthToken({ email_address: attacker.email, ...(type === 'oauth' ? { organization_id: attacker.org.organization_id } : {}) });
      const victim = seedMember(emu());
      const browser = app.browser();
      expect((await browser.post('/auth/login/email', { json: { email_address: victim.email, organization_id: victim.org.organization_id } })).status).toBe(202);

      const res = await browser.get(`/auth/callback?stytch_token_type=${type}&token=${encodeURIComponent(token)}`);

      expect(res.status).toBe(400);
      expect(res.setCookies.some((line) => /^stytch_(session|session_jwt|intermediate_session_token)=[^;]+;/.test(line))).toBe(false);
      expect((await browser.get('/auth/session')).status).toBe(401);
    },
  );

  it('review: the link for the address this browser asked for still signs it in, whatever the letter case', async () => {
    const victim = seedMember(emu());
    const browser = app.browser();
    const res = await loginWithMagicLink(emu(), browser, victim.email.toUpperCase(), victim.org.organization_id);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dashboard');
    expect((await browser.get('/auth/session')).body.memberId).toBe(victim.member.member_id);
  });
});
