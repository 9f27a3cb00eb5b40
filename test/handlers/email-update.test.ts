import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, openForeignLink, resetEmulatorBeforeEach, routeCalls, signInNewMember, uniqueEmail, useTestApp } from './harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

async function signedIn() {
  const signed = await signInNewMember(emu(), app);
  emu().calls.clear();
  return signed;
}

describe('POST /email/update', () => {
  it('starts an email change for the signed-in member (202), and the emailed link completes it in this browser', async () => {
    const { browser, member } = await signedIn();
    const next = uniqueEmail('renamed');
    const res = await browser.post('/auth/email/update', { json: { email_address: next } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'email_update_started' });
    expect(routeCalls(emu())).toEqual([`POST /v1/b2b/organizations/${member.organization_id}/members/${member.member_id}/start_email_update`]);
    const message = emu().outbox.latest({ kind: 'email_update_magic_link' });
    expect(message?.link?.startsWith(`${app.origin}/auth/callback?`)).toBe(true);
    const done = await browser.get(linkPath(message?.link));
    expect(done.status).toBe(303);
    expect(done.location).toBe('/dashboard');
    expect(emu().admin.getMember(member.member_id)?.email_address).toBe(next);
  });

  it('answers a form post with a 303 to a validated return_to', async () => {
    const { browser } = await signedIn();
    const res = await browser.post('/auth/email/update', { form: { email_address: uniqueEmail('form'), return_to: '/profile' } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/profile');
  });

  it('is 401 when signed out and 400 for a malformed address, both with 0 upstream calls', async () => {
    const out = await app.browser().post('/auth/email/update', { json: { email_address: uniqueEmail() } });
    expect(out.status).toBe(401);
    expect(out.body.error.code).toBe('unauthenticated');
    const { browser } = await signedIn();
    const bad = await browser.post('/auth/email/update', { json: { email_address: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_email');
    expect(routeCalls(emu())).toEqual([]);
  });

  it('passes through an address already used in the organization as 400 duplicate_member_email', async () => {
    const { browser, org } = await signedIn();
    const taken = emu().admin.createMember(org.organization_id, { email_address: uniqueEmail('taken'), status: 'active' });
    const res = await browser.post('/auth/email/update', { json: { email_address: taken.email_address } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('duplicate_member_email');
  });

  it('an email-update link opened in another browser completes the change but establishes no session by its GET', async () => {
    const { browser } = await signedIn();
    await browser.post('/auth/email/update', { json: { email_address: uniqueEmail('elsewhere') } });
    const link = linkPath(emu().outbox.latest({ kind: 'email_update_magic_link' })?.link);
    const other = app.browser();
    const res = await openForeignLink(other, link);
    // Minted without a challenge, so any browser may redeem it; the other browser is asked first.
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('Join ');
    expect(other.cookie('stytch_session')).toBeUndefined();
    expect(other.cookie('stytch_session_jwt')).toBeUndefined();
  });
});
