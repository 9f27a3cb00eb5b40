/**
 * The routes' own short-lived cookies (per-flow verifier and bindings, IST, return_to, pending MFA,
 * join, password reset) are named with `__Host-` on Secure responses when the app set no prefix,
 * so a sibling subdomain cannot toss a flow of its own into this browser. The session cookies keep
 * the names Stytch's frontend SDK uses; plain-HTTP local development keeps plain names.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { linkPath, resetEmulatorBeforeEach, routeCalls, seedMember, startApp, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);
// A Host that is not loopback makes the response Secure (as behind TLS), on this loopback test server.
const SECURE = { host: 'app.example.com' };

const names = (setCookies: string[]) => setCookies.map((line) => line.slice(0, line.indexOf('=')));

describe('security: __Host- names for the routes\' transient cookies', () => {
  it('a Secure login start names its flow cookie __Host-stytch_flow_<id>, Secure, Path=/, no Domain', async () => {
    const { member, org } = seedMember(emu());
    const res = await app.browser().post('/auth/login/email', { json: { email_address: member.email_address, organization_id: org.organization_id }, headers: SECURE });
    expect(res.status).toBe(202);
    const flow = res.setCookies.find((line) => line.startsWith('__Host-stytch_flow_'));
    expect(flow, names(res.setCookies).join(', ')).toBeDefined();
    expect(flow).toMatch(/; Secure/);
    expect(flow).toMatch(/; Path=\//);
    expect(flow).not.toMatch(/Domain=/i);
    expect(names(res.setCookies).some((name) => name.startsWith('stytch_flow_'))).toBe(false);
  });

  it('a tossed plain-named flow cookie is ignored on a Secure callback: no upstream call, the link is refused', async () => {
    const { member, org } = seedMember(emu());
    const victim = app.browser();
    await victim.post('/auth/login/email', { json: { email_address: member.email_address, organization_id: org.organization_id }, headers: SECURE });
    const path = linkPath(emu().outbox.latest({ to: member.email_address })?.link);
    const flowId = new URL(path, app.origin).searchParams.get('flow');
    const hostCookie = [...victim.cookies.keys()].find((name) => name === `__Host-stytch_flow_${flowId}`);
    expect(hostCookie).toBeDefined();
    // What a sibling subdomain could plant: the same flow under the plain name, with its own record.
    const attacker = app.browser();
    attacker.setCookie(`stytch_flow_${flowId}`, victim.cookie(hostCookie!)!);
    emu().calls.clear();
    const res = await attacker.get(path, { headers: SECURE });
    expect([res.status, res.body?.error?.code]).toEqual([400, 'pkce_verifier_missing']);
    expect(routeCalls(emu())).toEqual([]);
  });

  it('plain HTTP on localhost (local development) keeps the plain names', async () => {
    const { member, org } = seedMember(emu());
    const res = await app.browser().post('/auth/login/email', { json: { email_address: member.email_address, organization_id: org.organization_id }, headers: { host: 'localhost' } });
    expect(names(res.setCookies).some((name) => name.startsWith('stytch_flow_'))).toBe(true);
    expect(names(res.setCookies).some((name) => name.startsWith('__Host-'))).toBe(false);
  });

  it('a configured prefix or cookie Path wins over the automatic __Host-', async () => {
    const secured = await startApp(emu(), { auth: { cookies: { prefix: '__Secure-' } } });
    const pathed = await startApp(emu(), { auth: { cookies: { path: '/app' } } });
    try {
      const { member, org } = seedMember(emu());
      const body = { json: { email_address: member.email_address, organization_id: org.organization_id }, headers: SECURE };
      expect(names((await secured.browser().post('/auth/login/email', body)).setCookies).some((n) => n.startsWith('__Secure-stytch_flow_'))).toBe(true);
      expect(names((await pathed.browser().post('/auth/login/email', body)).setCookies).some((n) => n.startsWith('stytch_flow_'))).toBe(true);
    } finally {
      await secured.close();
      await pathed.close();
    }
  });
});
