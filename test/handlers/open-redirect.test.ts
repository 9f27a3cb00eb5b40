/**
 * Catalogue #92-#95: the open-redirect corpus through every route that takes a redirect target.
 * The Location must always be the default page (or, for a few harmless look-alikes, a path that
 * stays on the app's origin), and no payload may add a response header.
 */
import { decodeFlowRecord, encodeFlowRecord } from '../../src/session/flow-record.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, loginWithMagicLink, seedMember, uniqueEmail, useTestApp } from './harness.js';
import { HARMLESS_LOOKALIKES, OPEN_REDIRECT_PAYLOADS } from './open-redirect-payloads.js';

const emu = useEmulator();
const app = useTestApp(emu);
let member: ReturnType<typeof seedMember>;
let jitOrgId: string;

beforeAll(() => {
  member = seedMember(emu());
  // Every payload logs in as its own new member (JIT by domain), so parallel logins never share a link.
  jitOrgId = emu().admin.createOrganization({ organization_name: 'Corpus', email_allowed_domains: ['example.com'], email_jit_provisioning: 'RESTRICTED' }).organization_id;
});

const CHUNK = 100;
const chunks: string[][] = [];
for (let i = 0; i < OPEN_REDIRECT_PAYLOADS.length; i += CHUNK) chunks.push(OPEN_REDIRECT_PAYLOADS.slice(i, i + CHUNK));

function expectHome(res: JarResponse, fallback: string, payload: string) {
  expect(res.status, payload).toBe(303);
  expect(res.location, payload).toBe(fallback);
  expect(Object.keys(res.headers).filter((h) => h.toLowerCase() === 'location')).toHaveLength(1);
  expect(res.setCookies.some((line) => /attacker|x=1/.test(line)), payload).toBe(false);
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe(`open-redirect corpus (${OPEN_REDIRECT_PAYLOADS.length} payloads)`, () => {
  it('has at least 200 payloads', () => {
    expect(OPEN_REDIRECT_PAYLOADS.length).toBeGreaterThanOrEqual(200);
  });

  it.each(chunks.map((c, i) => [i, c] as const))('catalogue #92: login start → callback lands on afterLoginUrl (chunk %i)', async (_i, payloads) => {
    await inBatches(payloads, 20, async (payload) => {
      const res = await loginWithMagicLink(emu(), app.browser(), uniqueEmail('corpus'), jitOrgId, { return_to: payload });
      expectHome(res, '/dashboard', payload);
    });
  });

  it.each(chunks.map((c, i) => [i, c] as const))('catalogue #94: a return_to cookie tampered after login start is re-validated on use (chunk %i)', async (_i, payloads) => {
    await inBatches(payloads, 20, async (payload) => {
      const browser = app.browser();
      const email = uniqueEmail('tamper');
      await browser.post('/auth/login/email', { json: { email_address: email, organization_id: jitOrgId } });
      const link = linkPath(emu().outbox.latest({ to: email })?.link);
      const [name, cookie] = [...browser.cookies].find(([n]) => n.startsWith('stytch_flow_')) ?? ['', { value: '' }];
      const record = decodeFlowRecord(cookie.value);
      if (record === undefined) throw new Error('no flow cookie');
      browser.setCookie(name, encodeFlowRecord({ ...record, returnTo: payload }));
      expectHome(await browser.get(link), '/dashboard', payload);
    });
  });

  it.each(chunks.map((c, i) => [i, c] as const))('catalogue #94: a return_to on the callback URL is ignored (chunk %i)', async (_i, payloads) => {
    await inBatches(payloads, 20, async (payload) => {
      const browser = app.browser();
      const email = uniqueEmail('query');
      await browser.post('/auth/login/email', { json: { email_address: email, organization_id: jitOrgId } });
      const link = linkPath(emu().outbox.latest({ to: email })?.link);
      expectHome(await browser.get(`${link}&return_to=${encodeURIComponent(payload)}&redirect=${encodeURIComponent(payload)}`), '/dashboard', payload);
    });
  });

  it.each(chunks.map((c, i) => [i, c] as const))('catalogue #92: logout lands on afterLogoutUrl (chunk %i)', async (_i, payloads) => {
    await inBatches(payloads, 25, async (payload) => {
      const res = await app.browser().post('/auth/logout', { form: { return_to: payload } });
      expectHome(res, '/login', payload);
    });
  });

  it('catalogue #92: email update (form) lands on afterLoginUrl for every payload', async () => {
    const browser = app.browser();
    await loginWithMagicLink(emu(), browser, member.email, member.org.organization_id);
    let n = 0;
    await inBatches(OPEN_REDIRECT_PAYLOADS, 25, async (payload) => {
      n += 1;
      const res = await browser.post('/auth/email/update', { form: { email_address: `renamed-${n}-${Date.now()}@example.com`, return_to: payload } });
      expectHome(res, '/dashboard', payload);
    });
  }, 60_000); // one upstream call per payload: slow on a loaded machine

  it('catalogue #95: CR/LF payloads add no header and no cookie', async () => {
    const browser = app.browser();
    const res = await loginWithMagicLink(emu(), browser, member.email, member.org.organization_id, { return_to: '/x\r\nSet-Cookie: stytch_session=attacker' });
    expectHome(res, '/dashboard', 'crlf');
    expect(browser.cookie('stytch_session')).not.toBe('attacker');
  });

  it('keeps harmless look-alikes on the same origin', async () => {
    for (const payload of HARMLESS_LOOKALIKES) {
      const res = await loginWithMagicLink(emu(), app.browser(), member.email, member.org.organization_id, { return_to: payload });
      expect(new URL(res.location ?? '', app.origin).origin).toBe(app.origin);
      expect(res.location?.startsWith('//')).toBe(false);
    }
  });
});
