/**
 * Security review, weakness 3: an organization's members could be enumerated from the login
 * start. A known address got `202 {"status":"email_sent"}` and an unknown one
 * `403 email_jit_provisioning_not_allowed` (Stytch's answer passed through). Now every "no such
 * member / may not join" answer is the same 202 as a sent link, with the same cookie, after the
 * same awaited upstream call; the real reason is logged at debug level and counted.
 */
import { describe, expect, it } from 'vitest';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { resetEmulatorBeforeEach, routeCalls, seedMember, uniqueEmail, useTestApp } from '../handlers/harness.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);
const SEND = 'POST /v1/b2b/magic_links/email/login_or_signup';

/** What an observer of the answer sees: status, body, Location and the cookies' names and lengths. */
function visible(res: JarResponse) {
  return {
    status: res.status,
    body: res.body,
    location: res.location,
    cookies: res.setCookies.map((line) => {
      const [pair = '', ...attrs] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      return { name: name.replace(/^stytch_flow_[pn][A-Za-z0-9_-]{22}$/, 'stytch_flow_<id>'), length: value.length, attrs: attrs.map((a) => a.trim()).join(';') };
    }),
  };
}

describe('security: no member enumeration from the login start', () => {
  it('weakness 3: an unknown address in an organization without JIT gets the same 202, cookie and body as a member', async () => {
    const { org, email } = seedMember(emu());
    const known = await app.browser().post('/auth/login/email', { json: { email_address: email, organization_id: org.organization_id } });
    const unknownEmail = uniqueEmail('nobody');
    const unknown = await app.browser().post('/auth/login/email', { json: { email_address: unknownEmail, organization_id: org.organization_id } });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual({ status: 'email_sent' });
    expect(visible(unknown)).toEqual(visible(known));
    // Both sends really reached Stytch (awaited on both paths); only the member got a link.
    expect(routeCalls(emu())).toEqual([SEND, SEND]);
    expect(emu().outbox.latest({ to: unknownEmail })).toBeUndefined();
  });

  it('weakness 3: a form post gets the same 303 for both', async () => {
    const { org, email } = seedMember(emu());
    const known = await app.browser().post('/auth/login/email', { form: { email_address: email, organization_id: org.organization_id } });
    const unknown = await app.browser().post('/auth/login/email', { form: { email_address: uniqueEmail('nobody'), organization_id: org.organization_id } });
    expect(known.location).toBe('/login?status=email_sent');
    expect(visible(unknown)).toEqual(visible(known));
  });

  it('weakness 3: an address outside the allowed domains of a RESTRICTED organization is hidden too', async () => {
    const org = emu().admin.createOrganization({ organization_name: 'Restricted', email_allowed_domains: ['allowed.example'], email_jit_provisioning: 'RESTRICTED' });
    const res = await app.browser().post('/auth/login/email', { json: { email_address: uniqueEmail('outsider'), organization_id: org.organization_id } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'email_sent' });
  });

  it('weakness 3: the hidden answer waits for Stytch like a real send (no early answer to time)', async () => {
    const { org } = seedMember(emu());
    emu().faults.next(SEND, { delayMs: 300 });
    const started = Date.now();
    const res = await app.browser().post('/auth/login/email', { json: { email_address: uniqueEmail('slow'), organization_id: org.organization_id } });
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emu().calls.count(SEND)).toBe(1);
  });

  it('weakness 3: the real reason is logged at debug level without the address, and counted in metrics', async () => {
    const { org } = seedMember(emu());
    const before = app.metrics().hiddenStartRefusals.email_jit_provisioning_not_allowed ?? 0;
    const address = uniqueEmail('counted');
    await app.browser().post('/auth/login/email', { json: { email_address: address, organization_id: org.organization_id } });
    expect(app.metrics().hiddenStartRefusals.email_jit_provisioning_not_allowed).toBe(before + 1);
    const line = app.logs.find((l) => l.event === 'stytch.routes.login_start_refused' && l.organizationId === org.organization_id);
    expect(line).toMatchObject({ reason: 'email_jit_provisioning_not_allowed', organizationId: org.organization_id });
    expect(JSON.stringify(app.logs)).not.toContain(address);
  });

  it('an unknown organization, an outage and a rate limit are still told (they name no person)', async () => {
    const missing = await app.browser().post('/auth/login/email', { json: { email_address: uniqueEmail('x'), organization_id: 'organization-test-00000000-0000-4000-8000-000000000000' } });
    expect(missing.status).toBe(404);
    const { org } = seedMember(emu());
    emu().faults.next(SEND, { status: 503 });
    const down = await app.browser().post('/auth/login/email', { json: { email_address: uniqueEmail('y'), organization_id: org.organization_id } });
    expect(down.status).toBe(503);
    expect(down.setCookies).toEqual([]);
  });
});
