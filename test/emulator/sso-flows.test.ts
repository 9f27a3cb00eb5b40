/**
 * SSO and OAuth end to end with the official SDK: connections administered through
 * `sso.saml/oidc/external`, the browser part driven over plain HTTP (GET the public start URL,
 * POST the IdP page's form, read the 303 Location), and the minted tokens authenticated.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as stytch from 'stytch';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { oauthDiscoveryStartUrl, oauthStartUrl, ssoStartUrl } from '../../src/client/public-urls.js';
import { TEST_IDP_CERTIFICATE } from '../../src/emulator/sso-metadata.js';
import { callApi, useEmulator } from '../helpers/emulator.js';
import { newEmail, newOrg } from './support.js';

const APP = 'http://localhost:3999/authenticate';
const emu = useEmulator();
let sdk: stytch.B2BClient;

beforeAll(() => {
  const e = emu();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  sdk = new stytch.B2BClient({ project_id: e.projectId, secret: e.secret, env: `${e.url}/` });
  warn.mockRestore();
});

/** Opens the IdP page at `startUrl`, submits `form`, and returns the 303's Location. */
async function idpLogin(startUrl: string, form: Record<string, string>): Promise<URL> {
  const page = await fetch(startUrl, { redirect: 'manual' });
  const html = await page.text();
  expect(page.status, html).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  const res = await fetch(new URL(action!.replace(/&amp;/g, '&'), startUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  expect(res.status, await res.clone().text()).toBe(303);
  return new URL(res.headers.get('location')!);
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An org with an active SAML connection made through the SDK. */
async function samlOrg(settings: Record<string, unknown> = {}) {
  const org = newOrg(emu(), settings);
  const created = await sdk.sso.saml.createConnection({ organization_id: org.organization_id, display_name: 'Okta', identity_provider: 'okta' });
  const id = created.connection!.connection_id;
  const updated = await sdk.sso.saml.updateConnection({
    organization_id: org.organization_id,
    connection_id: id,
    idp_entity_id: 'https://idp.example/entity',
    idp_sso_url: 'https://idp.example/sso',
    x509_certificate: TEST_IDP_CERTIFICATE,
    attribute_mapping: { email: 'email', full_name: 'name' },
  });
  expect(updated.connection!.status).toBe('active');
  return { org, connectionId: id };
}

const start = (extra: Partial<Parameters<typeof ssoStartUrl>[0]>) => ssoStartUrl({ publicToken: emu().publicToken, baseUrl: emu().url, loginRedirectUrl: APP, signupRedirectUrl: `${APP}?signup=1`, ...extra });

describe('SSO connection administration through the SDK', () => {
  it('makes the first active connection the default and lists it as active', async () => {
    const { org, connectionId } = await samlOrg();
    const read = emu().admin.getOrganization(org.organization_id)!;
    expect(read.sso_default_connection_id).toBe(connectionId);
    expect(read.sso_active_connections).toEqual([{ connection_id: connectionId, display_name: 'Okta', identity_provider: 'okta' }]);
    const listed = await sdk.sso.getConnections({ organization_id: org.organization_id });
    expect(listed.saml_connections.map((c) => c.connection_id)).toEqual([connectionId]);
    expect(listed.saml_connections[0]!.verification_certificates[0]!.issuer).toContain('Stytch Emulator Test IdP');
  });

  it('keeps a connection pending until its IdP settings are complete', async () => {
    const org = newOrg(emu());
    const { connection } = await sdk.sso.saml.createConnection({ organization_id: org.organization_id });
    expect(connection!.status).toBe('pending');
    expect(emu().admin.getOrganization(org.organization_id)!.sso_default_connection_id).toBeNull();
  });

  it('reads a metadata URL as fixed test metadata without fetching it', async () => {
    const org = newOrg(emu());
    const { connection } = await sdk.sso.saml.createConnection({ organization_id: org.organization_id });
    const { connection: after } = await sdk.sso.saml.updateByURL({ organization_id: org.organization_id, connection_id: connection!.connection_id, metadata_url: 'https://idp.example/metadata.xml' });
    expect(after).toMatchObject({ idp_entity_id: 'https://idp.example/emulator-idp/entity', idp_sso_url: 'https://idp.example/emulator-idp/sso', status: 'pending' });
    await expect(sdk.sso.saml.updateByURL({ organization_id: org.organization_id, connection_id: connection!.connection_id, metadata_url: 'not a url' })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_saml_metadata_url' });
  });

  it('refuses to delete the last certificate of an active connection and refuses a malformed certificate', async () => {
    const { org, connectionId } = await samlOrg();
    const [cert] = (await sdk.sso.getConnections({ organization_id: org.organization_id })).saml_connections[0]!.verification_certificates;
    const args = { organization_id: org.organization_id, connection_id: connectionId, certificate_id: cert!.certificate_id };
    await expect(sdk.sso.saml.deleteVerificationCertificate(args)).rejects.toMatchObject({ status_code: 400, error_type: 'cannot_delete_last_sso_verification_key' });
    await expect(sdk.sso.saml.updateConnection({ organization_id: org.organization_id, connection_id: connectionId, x509_certificate: 'garbage' })).rejects.toMatchObject({ error_type: 'invalid_x509_certificate' });
  });

  it('deletes a certificate of a pending connection and an encryption key', async () => {
    const org = newOrg(emu());
    const { connection } = await sdk.sso.saml.createConnection({ organization_id: org.organization_id });
    const ids = { organization_id: org.organization_id, connection_id: connection!.connection_id };
    const { connection: withCert } = await sdk.sso.saml.updateByURL({ ...ids, metadata_url: 'http://127.0.0.1:9/metadata' });
    const certificate_id = withCert!.verification_certificates[0]!.certificate_id;
    expect((await sdk.sso.saml.deleteVerificationCertificate({ ...ids, certificate_id })).certificate_id).toBe(certificate_id);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const { connection: withKey } = await sdk.sso.saml.updateConnection({ ...ids, saml_encryption_private_key: privateKey });
    const private_key_id = withKey!.encryption_private_keys[0]!.private_key_id;
    expect((await sdk.sso.saml.deleteEncryptionPrivateKey({ ...ids, private_key_id })).private_key_id).toBe(private_key_id);
    await expect(sdk.sso.saml.deleteEncryptionPrivateKey({ ...ids, private_key_id })).rejects.toMatchObject({ status_code: 404, error_type: 'encryption_private_key_not_found' });
  });

  it('creates and updates OIDC connections, warning that issuer discovery is offline', async () => {
    const org = newOrg(emu());
    const { connection } = await sdk.sso.oidc.createConnection({ organization_id: org.organization_id, display_name: 'Entra' });
    const partial = await sdk.sso.oidc.updateConnection({ organization_id: org.organization_id, connection_id: connection!.connection_id, issuer: 'https://login.example', client_id: 'c', client_secret: 's' });
    expect(partial.connection!.status).toBe('pending');
    expect(partial.warning).toMatch(/offline/);
    const full = await sdk.sso.oidc.updateConnection({
      organization_id: org.organization_id, connection_id: connection!.connection_id,
      authorization_url: 'https://login.example/authorize', token_url: 'https://login.example/token', userinfo_url: 'https://login.example/userinfo', jwks_url: 'https://login.example/jwks',
    });
    expect(full.connection!.status).toBe('active');
    await expect(sdk.sso.oidc.updateConnection({ organization_id: org.organization_id, connection_id: connection!.connection_id, token_url: 'nope' })).rejects.toMatchObject({ error_type: 'oidc_connection_token_url_invalid_format' });
  });

  it('reuses a connection through an External connection and deletes it with its owner connection', async () => {
    const { org: owner, connectionId } = await samlOrg();
    const org = newOrg(emu());
    const { connection } = await sdk.sso.external.createConnection({ organization_id: org.organization_id, external_organization_id: owner.organization_id, external_connection_id: connectionId, connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }] });
    expect(connection).toMatchObject({ status: 'active', external_connection_implicit_role_assignments: [{ role_id: 'stytch_admin' }] });
    const renamed = await sdk.sso.external.updateConnection({ organization_id: org.organization_id, connection_id: connection!.connection_id, display_name: 'Partner SSO' });
    expect(renamed.connection!.display_name).toBe('Partner SSO');
    expect(emu().admin.getOrganization(org.organization_id)!.sso_default_connection_id).toBe(connection!.connection_id);
    await expect(sdk.sso.external.createConnection({ organization_id: org.organization_id, external_organization_id: owner.organization_id, external_connection_id: connectionId })).rejects.toMatchObject({ error_type: 'duplicate_external_sso_connection' });
    const deleted = await sdk.sso.deleteConnection({ organization_id: owner.organization_id, connection_id: connectionId });
    expect(deleted.connection_id).toBe(connectionId);
    expect((await sdk.sso.getConnections({ organization_id: org.organization_id })).external_connections).toEqual([]);
    expect(emu().admin.getOrganization(owner.organization_id)!.sso_default_connection_id).toBeNull();
  });

  it('checks stytch.sso permissions when a member session is passed', async () => {
    const { org, connectionId } = await samlOrg();
    const plain = emu().admin.createMember(org.organization_id, { email_address: newEmail() });
    const admin = emu().admin.createMember(org.organization_id, { email_address: newEmail(), roles: ['stytch_admin'] });
    const asPlain = { authorization: { session_token: emu().admin.createSession({ member_id: plain.member_id }).session_token } };
    const asAdmin = { authorization: { session_token: emu().admin.createSession({ member_id: admin.member_id }).session_token } };
    await expect(sdk.sso.getConnections({ organization_id: org.organization_id }, asPlain)).rejects.toMatchObject({ status_code: 403, error_type: 'session_authorization_error' });
    await expect(sdk.sso.deleteConnection({ organization_id: org.organization_id, connection_id: connectionId }, asPlain)).rejects.toMatchObject({ status_code: 403 });
    const listed = await sdk.sso.getConnections({ organization_id: org.organization_id }, asAdmin);
    expect(listed.saml_connections).toHaveLength(1);
  });

  it('answers unknown organizations and connections with typed 404s', async () => {
    await expect(sdk.sso.getConnections({ organization_id: 'organization-test-nope' })).rejects.toMatchObject({ status_code: 404, error_type: 'organization_not_found' });
    const org = newOrg(emu());
    await expect(sdk.sso.deleteConnection({ organization_id: org.organization_id, connection_id: 'saml-connection-test-nope' })).rejects.toMatchObject({ status_code: 404, error_type: 'sso_connection_not_found' });
    await expect(sdk.sso.oidc.updateConnection({ organization_id: org.organization_id, connection_id: 'saml-connection-test-nope' })).rejects.toMatchObject({ status_code: 404, error_type: 'oidc_connection_not_found' });
  });

  it('refuses a default connection that is not an active connection of the organization', async () => {
    const org = newOrg(emu());
    await expect(sdk.organizations.update({ organization_id: org.organization_id, sso_default_connection_id: 'saml-connection-test-nope' })).rejects.toMatchObject({ status_code: 400, error_type: 'invalid_sso_default_connection_id' });
  });
});

describe('SSO sign-in through the built-in IdP page', () => {
  it('JIT-provisions a new member and redirects to the signup URL with an sso token', async () => {
    const { org, connectionId } = await samlOrg();
    const email = newEmail('sso');
    const location = await idpLogin(start({ connectionId }), { email_address: email, name: 'Ada Lovelace' });
    expect(`${location.origin}${location.pathname}`).toBe(APP);
    expect(location.searchParams.get('signup')).toBe('1');
    expect(location.searchParams.get('stytch_token_type')).toBe('sso');
    const auth = await sdk.sso.authenticate({ sso_token: location.searchParams.get('token')! });
    expect(auth).toMatchObject({ member_authenticated: true, organization_id: org.organization_id, reset_session: false });
    expect(auth.member).toMatchObject({ email_address: email, name: 'Ada Lovelace', status: 'active' });
    expect(auth.member_session!.authentication_factors[0]).toMatchObject({ type: 'sso', delivery_method: 'sso_saml', saml_sso_factor: { provider_id: connectionId } });
  });

  it('starts from the organization id through its default connection and sends members to the login URL', async () => {
    const { org } = await samlOrg();
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const location = await idpLogin(start({ organizationId: org.organization_id }), { email_address: email });
    expect(location.searchParams.has('signup')).toBe(false);
    const auth = await sdk.sso.authenticate({ sso_token: location.searchParams.get('token')! });
    expect(auth.member_authenticated).toBe(true);
  });

  it('requires the matching PKCE verifier, and the token survives a mismatch', async () => {
    const { connectionId } = await samlOrg();
    const { verifier, challenge } = pkcePair();
    const location = await idpLogin(start({ connectionId, pkceCodeChallenge: challenge }), { email_address: newEmail() });
    const sso_token = location.searchParams.get('token')!;
    await expect(sdk.sso.authenticate({ sso_token })).rejects.toMatchObject({ status_code: 400, error_type: 'pkce_expected_code_verifier' });
    await expect(sdk.sso.authenticate({ sso_token, pkce_code_verifier: pkcePair().verifier })).rejects.toMatchObject({ status_code: 400, error_type: 'pkce_mismatch' });
    const auth = await sdk.sso.authenticate({ sso_token, pkce_code_verifier: verifier });
    expect(auth.member_authenticated).toBe(true);
    await expect(sdk.sso.authenticate({ sso_token, pkce_code_verifier: verifier })).rejects.toMatchObject({ status_code: 401, error_type: 'unable_to_auth_sso_token' });
  });

  it('refuses new members when SSO JIT is off or restricted to other connections', async () => {
    // Invites stay open: all three provisioning settings NOT_ALLOWED is refused (reference A11.6).
    const off = await samlOrg({ sso_jit_provisioning: 'NOT_ALLOWED', email_invites: 'ALL_ALLOWED' });
    const a = await idpLogin(start({ connectionId: off.connectionId }), { email_address: newEmail() });
    await expect(sdk.sso.authenticate({ sso_token: a.searchParams.get('token')! })).rejects.toMatchObject({ status_code: 403, error_type: 'sso_jit_provisioning_not_allowed' });
    const restricted = await samlOrg({ sso_jit_provisioning: 'RESTRICTED' });
    const b = await idpLogin(start({ connectionId: restricted.connectionId }), { email_address: newEmail() });
    await expect(sdk.sso.authenticate({ sso_token: b.searchParams.get('token')! })).rejects.toMatchObject({ status_code: 403, error_type: 'invalid_connection_for_jit_provisioning' });
  });

  it('still accepts tokens minted through the admin API', async () => {
    const org = newOrg(emu());
    const member = emu().admin.createMember(org.organization_id, { email_address: newEmail() });
    const auth = await sdk.sso.authenticate({ sso_token: emu().admin.issueSsoToken({ member_id: member.member_id }) });
    expect(auth.member_id).toBe(member.member_id);
  });

  it('answers bad start requests with typed errors', async () => {
    const e = emu();
    const { connectionId } = await samlOrg();
    const get = (query: string) => callApi(e, 'GET', `/v1/public/sso/start?${query}`, undefined, { auth: false });
    expect((await get(`connection_id=${connectionId}&public_token=public-token-test-wrong`)).body).toMatchObject({ status_code: 401, error_type: 'public_token_not_found' });
    expect((await get(`connection_id=${connectionId}`)).status).toBe(400);
    expect((await get(`public_token=${e.publicToken}`)).body).toMatchObject({ status_code: 400, error_type: 'missing_sso_connection_locator' });
    expect((await get(`connection_id=saml-connection-test-nope&public_token=${e.publicToken}`)).body).toMatchObject({ status_code: 404, error_type: 'sso_connection_not_found' });
    expect((await get(`organization_id=${newOrg(e).organization_id}&public_token=${e.publicToken}`)).body).toMatchObject({ status_code: 400, error_type: 'no_sso_connection_exists_for_organization' });
    const evil = encodeURIComponent('https://evil.example/cb');
    expect((await get(`connection_id=${connectionId}&public_token=${e.publicToken}&login_redirect_url=${evil}`)).body).toMatchObject({ status_code: 400, error_type: 'no_match_for_provided_sso_url' });
    expect((await get(`connection_id=${connectionId}&public_token=${e.publicToken}&signup_redirect_url=javascript:alert(1)`)).body).toMatchObject({ status_code: 400, error_type: 'invalid_signup_sso_url' });
  });

  it('serves a plain, labelled form with no script and escapes connection names', async () => {
    const org = newOrg(emu());
    const { connection } = await sdk.sso.saml.createConnection({ organization_id: org.organization_id, display_name: '<b>Okta</b>' });
    await sdk.sso.saml.updateByURL({ organization_id: org.organization_id, connection_id: connection!.connection_id, metadata_url: 'https://idp.example/m' });
    await sdk.sso.saml.updateConnection({ organization_id: org.organization_id, connection_id: connection!.connection_id, attribute_mapping: { email: 'e', full_name: 'n' } });
    const res = await fetch(start({ connectionId: connection!.connection_id }));
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<label for="email_address">');
    expect(html).toContain('<label for="name">');
    expect(html).toContain('&lt;b&gt;Okta&lt;/b&gt;');
    expect(html).not.toMatch(/<script|<b>/);
  });

  it('exposes the public token on the control plane', async () => {
    const e = emu();
    const res = await callApi(e, 'GET', '/__emulator/project');
    expect(res.body).toMatchObject({ project_id: e.projectId, public_token: e.publicToken });
    expect(e.admin.publicToken()).toBe(e.publicToken);
  });

  it('refuses a second submit of the same IdP page and a malformed email', async () => {
    const { connectionId } = await samlOrg();
    const html = await (await fetch(start({ connectionId }))).text();
    const action = new URL(/action="([^"]+)"/.exec(html)![1]!, emu().url);
    const post = (body: string) => fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    expect((await post('email_address=not-an-email')).status).toBe(400);
    expect((await post(`email_address=${encodeURIComponent(newEmail())}`)).status).toBe(303);
    const again = await post(`email_address=${encodeURIComponent(newEmail())}`);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error_type: 'idp_flow_not_found' });
  });
});

describe('OAuth sign-in through the built-in IdP page', () => {
  const oauth = (extra: Partial<Parameters<typeof oauthStartUrl>[0]> & Pick<Parameters<typeof oauthStartUrl>[0], 'provider'>) =>
    oauthStartUrl({ publicToken: emu().publicToken, baseUrl: emu().url, loginRedirectUrl: APP, signupRedirectUrl: APP, ...extra });

  it('logs a member in with Google and returns the requested scopes', async () => {
    const org = newOrg(emu());
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const location = await idpLogin(oauth({ provider: 'google', organizationSlug: org.organization_slug, customScopes: ['openid', 'email'], providerParams: { prompt: 'select_account' } }), { email_address: email, email_verified: 'true' });
    expect(location.searchParams.get('stytch_token_type')).toBe('oauth');
    const auth = await sdk.oauth.authenticate({ oauth_token: location.searchParams.get('token')! });
    expect(auth).toMatchObject({ member_authenticated: true, provider_type: 'google', provider_values: { scopes: ['openid', 'email'] } });
    expect(auth.member_session!.authentication_factors[0]).toMatchObject({ type: 'oauth', delivery_method: 'oauth_google' });
  });

  it('asks for another primary factor after GitHub, and a magic link with the IST completes it', async () => {
    const org = newOrg(emu());
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const location = await idpLogin(oauth({ provider: 'github', organizationId: org.organization_id }), { email_address: email, email_verified: 'true' });
    const auth = await sdk.oauth.authenticate({ oauth_token: location.searchParams.get('token')! });
    expect(auth).toMatchObject({ member_authenticated: false, session_token: '', session_jwt: '', primary_required: { allowed_auth_methods: ['magic_link', 'email_otp'] } });
    await sdk.magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
    const done = await sdk.magicLinks.authenticate({ magic_links_token: emu().outbox.latest({ to: email })!.token!, intermediate_session_token: auth.intermediate_session_token });
    expect(done.member_authenticated).toBe(true);
    expect(done.member_session!.authentication_factors.map((f) => f.delivery_method).sort()).toEqual(['email', 'oauth_github']);
  });

  it('asks for another primary factor when Google did not verify the email', async () => {
    const org = newOrg(emu());
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const location = await idpLogin(oauth({ provider: 'google', organizationId: org.organization_id }), { email_address: email });
    const auth = await sdk.oauth.authenticate({ oauth_token: location.searchParams.get('token')! });
    expect(auth.member_authenticated).toBe(false);
    expect(auth.primary_required).not.toBeNull();
  });

  it('JIT-provisions by allowed domain or OAuth tenant and refuses others with the documented names', async () => {
    const domain = `${newEmail().split('@')[0]}.example`;
    const org = newOrg(emu(), { email_jit_provisioning: 'RESTRICTED', email_allowed_domains: [domain] });
    const ok = await idpLogin(oauth({ provider: 'microsoft', organizationId: org.organization_id }), { email_address: `new@${domain}`, email_verified: 'true' });
    expect((await sdk.oauth.authenticate({ oauth_token: ok.searchParams.get('token')! })).member_authenticated).toBe(true);
    const bad = await idpLogin(oauth({ provider: 'microsoft', organizationId: org.organization_id }), { email_address: newEmail(), email_verified: 'true' });
    await expect(sdk.oauth.authenticate({ oauth_token: bad.searchParams.get('token')! })).rejects.toMatchObject({ status_code: 403, error_type: 'invalid_email_for_jit_provisioning' });

    const closed = newOrg(emu());
    const none = await idpLogin(oauth({ provider: 'google', organizationId: closed.organization_id }), { email_address: newEmail(), email_verified: 'true' });
    await expect(sdk.oauth.authenticate({ oauth_token: none.searchParams.get('token')! })).rejects.toMatchObject({ status_code: 403, error_type: 'email_jit_provisioning_not_allowed' });

    const tenantOrg = newOrg(emu(), { oauth_tenant_jit_provisioning: 'RESTRICTED', allowed_oauth_tenants: { slack: ['T123'] } });
    const joined = await idpLogin(oauth({ provider: 'slack', organizationId: tenantOrg.organization_id }), { email_address: newEmail(), tenant_id: 'T123' });
    const pending = await sdk.oauth.authenticate({ oauth_token: joined.searchParams.get('token')! });
    expect(pending).toMatchObject({ member_authenticated: false, primary_required: { allowed_auth_methods: ['magic_link', 'email_otp'] } });
    const other = await idpLogin(oauth({ provider: 'slack', organizationId: tenantOrg.organization_id }), { email_address: newEmail(), tenant_id: 'T999' });
    await expect(sdk.oauth.authenticate({ oauth_token: other.searchParams.get('token')! })).rejects.toMatchObject({ status_code: 403, error_type: 'invalid_oauth_tenant_for_jit_provisioning' });
  });

  it('refuses an OAuth token without its PKCE verifier', async () => {
    const org = newOrg(emu());
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const { verifier, challenge } = pkcePair();
    const location = await idpLogin(oauth({ provider: 'google', organizationId: org.organization_id, pkceCodeChallenge: challenge }), { email_address: email, email_verified: 'true' });
    const oauth_token = location.searchParams.get('token')!;
    await expect(sdk.oauth.authenticate({ oauth_token, pkce_code_verifier: pkcePair().verifier })).rejects.toMatchObject({ status_code: 400, error_type: 'pkce_mismatch' });
    expect((await sdk.oauth.authenticate({ oauth_token, pkce_code_verifier: verifier })).member_authenticated).toBe(true);
  });

  it('runs discovery OAuth and answers with an IST and the discovered organizations', async () => {
    const org = newOrg(emu());
    const email = newEmail();
    emu().admin.createMember(org.organization_id, { email_address: email });
    const { verifier, challenge } = pkcePair();
    const url = oauthDiscoveryStartUrl({ publicToken: emu().publicToken, baseUrl: emu().url, provider: 'hubspot', discoveryRedirectUrl: APP, pkceCodeChallenge: challenge });
    const location = await idpLogin(url, { email_address: email, name: 'Grace', tenant_id: 'hub-7' });
    expect(location.searchParams.get('stytch_token_type')).toBe('discovery_oauth');
    const auth = await sdk.oauth.discovery.authenticate({ discovery_oauth_token: location.searchParams.get('token')!, pkce_code_verifier: verifier });
    expect(auth).toMatchObject({ email_address: email, provider_type: 'hubspot', provider_tenant_ids: ['hub-7'], full_name: 'Grace' });
    expect(auth.intermediate_session_token).not.toBe('');
    expect(auth.discovered_organizations.map((d) => d.organization!.organization_id)).toContain(org.organization_id);
  });

  it('answers unknown providers, organizations and tokens with typed errors', async () => {
    const e = emu();
    const get = (path: string) => callApi(e, 'GET', path, undefined, { auth: false });
    expect((await get(`/v1/b2b/public/oauth/myspace/start?public_token=${e.publicToken}&slug=x`)).body).toMatchObject({ status_code: 400, error_type: 'invalid_oauth_provider' });
    expect((await get(`/v1/b2b/public/oauth/google/start?public_token=${e.publicToken}&slug=no-such-org`)).body).toMatchObject({ status_code: 404, error_type: 'organization_not_found' });
    expect((await get(`/v1/b2b/public/oauth/google/start?public_token=${e.publicToken}`)).body).toMatchObject({ status_code: 400, error_type: 'missing_oauth_organization_locator' });
    expect((await get('/v1/b2b/public/oauth/google/discovery/start?public_token=nope')).body).toMatchObject({ status_code: 401, error_type: 'public_token_not_found' });
    const evil = encodeURIComponent('https://evil.example/');
    expect((await get(`/v1/b2b/public/oauth/google/discovery/start?public_token=${e.publicToken}&discovery_redirect_url=${evil}`)).body).toMatchObject({ status_code: 400, error_type: 'no_match_for_provided_oauth_url' });
    await expect(sdk.oauth.authenticate({ oauth_token: 'nope' })).rejects.toMatchObject({ status_code: 404, error_type: 'oauth_token_not_found' });
  });
});
