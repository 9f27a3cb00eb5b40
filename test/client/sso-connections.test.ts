/**
 * The library client's SSO connection calls against the emulator over real HTTP: the verb and
 * path each one sends, the typed answer, member-session headers, and typed Stytch errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import { StytchApiError } from '../../src/errors.js';
import { TEST_IDP_CERTIFICATE } from '../../src/emulator/sso-metadata.js';
import { useEmulator } from '../helpers/emulator.js';
import { newEmail, newOrg } from '../emulator/support.js';

const emu = useEmulator();
let client: StytchB2BClient;

beforeAll(() => {
  client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {} });
});
afterAll(async () => {
  await client.close();
});
beforeEach(() => {
  emu().calls.clear();
});

const lastEndpoint = (): string => emu().calls.list().at(-1)!.endpoint;

describe('client.sso connection calls', () => {
  it('creates, activates, lists and deletes a SAML connection', async () => {
    const org = newOrg(emu());
    const O = org.organization_id;
    const { connection } = await client.sso.saml.createConnection({ organization_id: O, display_name: 'Okta', identity_provider: 'okta' });
    expect(lastEndpoint()).toBe(`POST /v1/b2b/sso/saml/${O}`);
    const C = connection!.connection_id;
    const updated = await client.sso.saml.updateConnection({ organization_id: O, connection_id: C, idp_entity_id: 'e', idp_sso_url: 'https://idp.example/sso', x509_certificate: TEST_IDP_CERTIFICATE, attribute_mapping: { email: 'email', first_name: 'f', last_name: 'l' } });
    expect(lastEndpoint()).toBe(`PUT /v1/b2b/sso/saml/${O}/connections/${C}`);
    expect(updated.connection!.status).toBe('active');
    const byUrl = await client.sso.saml.updateByURL({ organization_id: O, connection_id: C, metadata_url: 'https://idp.example/metadata' });
    expect(lastEndpoint()).toBe(`PUT /v1/b2b/sso/saml/${O}/connections/${C}/url`);
    expect(byUrl.connection!.idp_sso_url).toBe('https://idp.example/emulator-idp/sso');
    const listed = await client.sso.getConnections({ organization_id: O });
    expect(lastEndpoint()).toBe(`GET /v1/b2b/sso/${O}`);
    expect(listed.saml_connections.map((c) => c.connection_id)).toEqual([C]);
    const cert = listed.saml_connections[0]!.verification_certificates[0]!.certificate_id;
    const refused = await client.sso.saml.deleteVerificationCertificate({ organization_id: O, connection_id: C, certificate_id: cert }).catch((e: unknown) => e);
    expect(lastEndpoint()).toBe(`DELETE /v1/b2b/sso/saml/${O}/connections/${C}/verification_certificates/${cert}`);
    expect(refused).toBeInstanceOf(StytchApiError);
    expect(refused).toMatchObject({ status: 400, errorType: 'cannot_delete_last_sso_verification_key' });
    const missingKey = await client.sso.saml.deleteEncryptionPrivateKey({ organization_id: O, connection_id: C, private_key_id: 'k-1' }).catch((e: unknown) => e);
    expect(lastEndpoint()).toBe(`DELETE /v1/b2b/sso/saml/${O}/connections/${C}/encryption_private_keys/k-1`);
    expect(missingKey).toMatchObject({ status: 404, errorType: 'encryption_private_key_not_found' });
    const deleted = await client.sso.deleteConnection({ organization_id: O, connection_id: C });
    expect(lastEndpoint()).toBe(`DELETE /v1/b2b/sso/${O}/connections/${C}`);
    expect(deleted.connection_id).toBe(C);
    expect(emu().admin.getOrganization(O)!.sso_active_connections).toEqual([]);
  });

  it('creates and updates OIDC and External connections', async () => {
    const owner = newOrg(emu());
    const { connection: oidc } = await client.sso.oidc.createConnection({ organization_id: owner.organization_id, display_name: 'Entra' });
    expect(lastEndpoint()).toBe(`POST /v1/b2b/sso/oidc/${owner.organization_id}`);
    const active = await client.sso.oidc.updateConnection({
      organization_id: owner.organization_id, connection_id: oidc!.connection_id, issuer: 'https://login.example', client_id: 'c', client_secret: 's',
      authorization_url: 'https://login.example/a', token_url: 'https://login.example/t', userinfo_url: 'https://login.example/u', jwks_url: 'https://login.example/j', custom_scopes: 'openid%20groups',
    });
    expect(lastEndpoint()).toBe(`PUT /v1/b2b/sso/oidc/${owner.organization_id}/connections/${oidc!.connection_id}`);
    expect(active.connection).toMatchObject({ status: 'active', custom_scopes: 'openid groups' });
    expect(active.warning).toBeUndefined();
    const org = newOrg(emu());
    const { connection: ext } = await client.sso.external.createConnection({ organization_id: org.organization_id, external_organization_id: owner.organization_id, external_connection_id: oidc!.connection_id });
    expect(lastEndpoint()).toBe(`POST /v1/b2b/sso/external/${org.organization_id}`);
    const renamed = await client.sso.external.updateConnection({ organization_id: org.organization_id, connection_id: ext!.connection_id, display_name: 'Partner' });
    expect(lastEndpoint()).toBe(`PUT /v1/b2b/sso/external/${org.organization_id}/connections/${ext!.connection_id}`);
    expect(renamed.connection!.display_name).toBe('Partner');
    expect(emu().admin.getOrganization(org.organization_id)!.sso_active_connections[0]).toMatchObject({ connection_id: ext!.connection_id, identity_provider: 'generic' });
  });

  it('sends member-session headers and surfaces the 403', async () => {
    const org = newOrg(emu());
    const member = emu().admin.createMember(org.organization_id, { email_address: newEmail() });
    const { session_jwt } = emu().admin.createSession({ member_id: member.member_id });
    const error = await client.sso.saml.createConnection({ organization_id: org.organization_id }, { authorization: { session_jwt } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, errorType: 'session_authorization_error' });
  });

  it('refuses an External connection to its own organization', async () => {
    const org = newOrg(emu());
    const error = await client.sso.external.createConnection({ organization_id: org.organization_id, external_organization_id: org.organization_id, external_connection_id: 'saml-connection-test-x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, errorType: 'external_organization_id_same_as_organization_id' });
  });
});
