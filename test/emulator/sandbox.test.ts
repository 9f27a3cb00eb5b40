import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError } from './support.js';

// Reference 8.1: the B2B magic-link sandbox values of a Stytch test project.
const SANDBOX_EMAIL = 'sandbox@stytch.com';
const SANDBOX_ORG = 'organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b';
const emu = useEmulator();

describe('sandbox values (reference 8.1)', () => {
  it('accepts login_or_signup for the sandbox email and organization without sending an email', async () => {
    const e = emu();
    const before = e.outbox.list().length;
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { email_address: SANDBOX_EMAIL, organization_id: SANDBOX_ORG }));
    expect(e.outbox.list()).toHaveLength(before);
  });

  it('accepts invite for the sandbox email and organization without sending an email', async () => {
    const e = emu();
    const before = e.outbox.list().length;
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/invite', { email_address: SANDBOX_EMAIL, organization_id: SANDBOX_ORG }));
    expect(e.outbox.list()).toHaveLength(before);
  });

  it('accepts discovery send for the sandbox email without sending an email', async () => {
    const e = emu();
    const before = e.outbox.list().length;
    expectOk(await callApi(e, 'POST', '/v1/b2b/magic_links/email/discovery/send', { email_address: SANDBOX_EMAIL }));
    expect(e.outbox.list()).toHaveLength(before);
  });

  it('authenticates the sandbox success token with 200, repeatedly', async () => {
    for (let i = 0; i < 2; i++) {
      const res = expectOk(await callApi(emu(), 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: 'DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=' }));
      expect(res.member_authenticated).toBeTypeOf('boolean');
    }
  });

  it('answers the sandbox used-link token with 401 unable_to_auth_magic_link', async () => {
    const res = await callApi(emu(), 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: '3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=' });
    expectStytchError(res, 401, 'unable_to_auth_magic_link');
  });

  it('answers the sandbox unknown-link token with 404 magic_link_not_found', async () => {
    const res = await callApi(emu(), 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: 'CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=' });
    expectStytchError(res, 404, 'magic_link_not_found');
  });
});
