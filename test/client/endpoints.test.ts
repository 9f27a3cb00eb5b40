/**
 * Every client method against a scripted server: the right verb, path, query and body on the
 * wire, the answer passed through, and a Stytch error body surfacing as a StytchApiError.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/index.js';
import { StytchApiError } from '../../src/errors.js';
import { PROJECT_ID, SECRET, json, startScriptedServer } from './support.js';
import type { ScriptedServer } from './support.js';

interface Case {
  name: string;
  call: (c: StytchB2BClient) => Promise<unknown>;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** A form-urlencoded body sent without the project's Basic auth (the OAuth2 token endpoint). */
  form?: Record<string, string>;
}

const O = 'organization-test-1';
const M = 'member-test-1';
const IST = 'ist-1';

const cases: Case[] = [
  { name: 'sessions.authenticate', call: (c) => c.sessions.authenticate({ session_jwt: 'j', authorization_check: { organization_id: O, resource_id: 'doc', action: 'read' } }), method: 'POST', path: '/v1/b2b/sessions/authenticate', body: { session_jwt: 'j', authorization_check: { organization_id: O, resource_id: 'doc', action: 'read' } } },
  { name: 'sessions.revoke', call: (c) => c.sessions.revoke({ member_session_id: 's' }), method: 'POST', path: '/v1/b2b/sessions/revoke', body: { member_session_id: 's' } },
  { name: 'sessions.exchange', call: (c) => c.sessions.exchange({ organization_id: O, session_token: 't' }), method: 'POST', path: '/v1/b2b/sessions/exchange', body: { organization_id: O, session_token: 't' } },
  { name: 'sessions.get', call: (c) => c.sessions.get({ organization_id: O, member_id: M }), method: 'GET', path: `/v1/b2b/sessions?organization_id=${O}&member_id=${M}` },
  { name: 'sessions.getJWKS', call: (c) => c.sessions.getJWKS({ project_id: 'project-test-other' }), method: 'GET', path: '/v1/b2b/sessions/jwks/project-test-other' },
  { name: 'rbac.policy', call: (c) => c.rbac.policy(), method: 'GET', path: '/v1/b2b/rbac/policy' },
  { name: 'rbac.organizations.getOrgPolicy', call: (c) => c.rbac.organizations.getOrgPolicy({ organization_id: O }), method: 'GET', path: `/v1/b2b/rbac/organizations/${O}` },
  { name: 'magicLinks.authenticate', call: (c) => c.magicLinks.authenticate({ magic_links_token: 'ml', session_duration_minutes: 60 }), method: 'POST', path: '/v1/b2b/magic_links/authenticate', body: { magic_links_token: 'ml', session_duration_minutes: 60 } },
  { name: 'magicLinks.email.loginOrSignup', call: (c) => c.magicLinks.email.loginOrSignup({ organization_id: O, email_address: 'a@acme.co' }), method: 'POST', path: '/v1/b2b/magic_links/email/login_or_signup', body: { organization_id: O, email_address: 'a@acme.co' } },
  { name: 'magicLinks.email.invite', call: (c) => c.magicLinks.email.invite({ organization_id: O, email_address: 'b@acme.co', roles: ['editor'] }), method: 'POST', path: '/v1/b2b/magic_links/email/invite', body: { organization_id: O, email_address: 'b@acme.co', roles: ['editor'] } },
  { name: 'magicLinks.email.discovery.send', call: (c) => c.magicLinks.email.discovery.send({ email_address: 'a@acme.co' }), method: 'POST', path: '/v1/b2b/magic_links/email/discovery/send', body: { email_address: 'a@acme.co' } },
  { name: 'magicLinks.discovery.authenticate', call: (c) => c.magicLinks.discovery.authenticate({ discovery_magic_links_token: 'd' }), method: 'POST', path: '/v1/b2b/magic_links/discovery/authenticate', body: { discovery_magic_links_token: 'd' } },
  { name: 'otps.email.loginOrSignup', call: (c) => c.otps.email.loginOrSignup({ organization_id: O, email_address: 'a@acme.co' }), method: 'POST', path: '/v1/b2b/otps/email/login_or_signup', body: { organization_id: O, email_address: 'a@acme.co' } },
  { name: 'otps.email.authenticate', call: (c) => c.otps.email.authenticate({ organization_id: O, email_address: 'a@acme.co', code: '123456' }), method: 'POST', path: '/v1/b2b/otps/email/authenticate', body: { organization_id: O, email_address: 'a@acme.co', code: '123456' } },
  { name: 'otps.email.discovery.send', call: (c) => c.otps.email.discovery.send({ email_address: 'a@acme.co' }), method: 'POST', path: '/v1/b2b/otps/email/discovery/send', body: { email_address: 'a@acme.co' } },
  { name: 'otps.email.discovery.authenticate', call: (c) => c.otps.email.discovery.authenticate({ email_address: 'a@acme.co', code: '1' }), method: 'POST', path: '/v1/b2b/otps/email/discovery/authenticate', body: { email_address: 'a@acme.co', code: '1' } },
  { name: 'otps.sms.send', call: (c) => c.otps.sms.send({ organization_id: O, member_id: M, intermediate_session_token: IST }), method: 'POST', path: '/v1/b2b/otps/sms/send', body: { organization_id: O, member_id: M, intermediate_session_token: IST } },
  { name: 'otps.sms.authenticate', call: (c) => c.otps.sms.authenticate({ organization_id: O, member_id: M, code: '1', intermediate_session_token: IST }), method: 'POST', path: '/v1/b2b/otps/sms/authenticate', body: { organization_id: O, member_id: M, code: '1', intermediate_session_token: IST } },
  { name: 'totps.create', call: (c) => c.totps.create({ organization_id: O, member_id: M }), method: 'POST', path: '/v1/b2b/totp', body: { organization_id: O, member_id: M } },
  { name: 'totps.authenticate', call: (c) => c.totps.authenticate({ organization_id: O, member_id: M, code: '1' }), method: 'POST', path: '/v1/b2b/totp/authenticate', body: { organization_id: O, member_id: M, code: '1' } },
  { name: 'recoveryCodes.recover', call: (c) => c.recoveryCodes.recover({ organization_id: O, member_id: M, recovery_code: 'r' }), method: 'POST', path: '/v1/b2b/recovery_codes/recover', body: { organization_id: O, member_id: M, recovery_code: 'r' } },
  { name: 'recoveryCodes.get', call: (c) => c.recoveryCodes.get({ organization_id: O, member_id: M }), method: 'GET', path: `/v1/b2b/recovery_codes/${O}/${M}` },
  { name: 'recoveryCodes.rotate', call: (c) => c.recoveryCodes.rotate({ organization_id: O, member_id: M }), method: 'POST', path: '/v1/b2b/recovery_codes/rotate', body: { organization_id: O, member_id: M } },
  { name: 'discovery.organizations.list', call: (c) => c.discovery.organizations.list({ intermediate_session_token: IST }), method: 'POST', path: '/v1/b2b/discovery/organizations', body: { intermediate_session_token: IST } },
  { name: 'discovery.organizations.create', call: (c) => c.discovery.organizations.create({ intermediate_session_token: IST, organization_name: 'Acme' }), method: 'POST', path: '/v1/b2b/discovery/organizations/create', body: { intermediate_session_token: IST, organization_name: 'Acme' } },
  { name: 'discovery.intermediateSessions.exchange', call: (c) => c.discovery.intermediateSessions.exchange({ intermediate_session_token: IST, organization_id: O }), method: 'POST', path: '/v1/b2b/discovery/intermediate_sessions/exchange', body: { intermediate_session_token: IST, organization_id: O } },
  { name: 'organizations.create', call: (c) => c.organizations.create({ organization_name: 'Acme', organization_slug: 'acme' }), method: 'POST', path: '/v1/b2b/organizations', body: { organization_name: 'Acme', organization_slug: 'acme' } },
  { name: 'organizations.get', call: (c) => c.organizations.get({ organization_id: O }), method: 'GET', path: `/v1/b2b/organizations/${O}` },
  { name: 'organizations.update', call: (c) => c.organizations.update({ organization_id: O, mfa_policy: 'REQUIRED_FOR_ALL' }), method: 'PUT', path: `/v1/b2b/organizations/${O}`, body: { mfa_policy: 'REQUIRED_FOR_ALL' } },
  { name: 'organizations.delete', call: (c) => c.organizations.delete({ organization_id: O }), method: 'DELETE', path: `/v1/b2b/organizations/${O}`, body: {} },
  { name: 'organizations.search', call: (c) => c.organizations.search({ limit: 10, query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: ['acme'] }] } }), method: 'POST', path: '/v1/b2b/organizations/search', body: { limit: 10, query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: ['acme'] }] } } },
  { name: 'organizations.members.create', call: (c) => c.organizations.members.create({ organization_id: O, email_address: 'c@acme.co', roles: ['editor'] }), method: 'POST', path: `/v1/b2b/organizations/${O}/members`, body: { email_address: 'c@acme.co', roles: ['editor'] } },
  { name: 'organizations.members.get', call: (c) => c.organizations.members.get({ organization_id: O, email_address: 'c@acme.co' }), method: 'GET', path: `/v1/b2b/organizations/${O}/member?email_address=c%40acme.co` },
  { name: 'organizations.members.update', call: (c) => c.organizations.members.update({ organization_id: O, member_id: M, name: 'C' }), method: 'PUT', path: `/v1/b2b/organizations/${O}/members/${M}`, body: { name: 'C' } },
  { name: 'organizations.members.delete', call: (c) => c.organizations.members.delete({ organization_id: O, member_id: M }), method: 'DELETE', path: `/v1/b2b/organizations/${O}/members/${M}`, body: {} },
  { name: 'organizations.members.reactivate', call: (c) => c.organizations.members.reactivate({ organization_id: O, member_id: M }), method: 'PUT', path: `/v1/b2b/organizations/${O}/members/${M}/reactivate`, body: {} },
  { name: 'organizations.members.search', call: (c) => c.organizations.members.search({ organization_ids: [O] }), method: 'POST', path: '/v1/b2b/organizations/members/search', body: { organization_ids: [O] } },
  { name: 'organizations.members.startEmailUpdate', call: (c) => c.organizations.members.startEmailUpdate({ organization_id: O, member_id: M, email_address: 'new@acme.co' }), method: 'POST', path: `/v1/b2b/organizations/${O}/members/${M}/start_email_update`, body: { email_address: 'new@acme.co' } },
  { name: 'organizations.members.deleteMFAPhoneNumber', call: (c) => c.organizations.members.deleteMFAPhoneNumber({ organization_id: O, member_id: M }), method: 'DELETE', path: `/v1/b2b/organizations/${O}/members/mfa_phone_numbers/${M}`, body: {} },
  { name: 'organizations.members.deleteTOTP', call: (c) => c.organizations.members.deleteTOTP({ organization_id: O, member_id: M }), method: 'DELETE', path: `/v1/b2b/organizations/${O}/members/${M}/totp`, body: {} },
  { name: 'organizations.members.deletePassword', call: (c) => c.organizations.members.deletePassword({ organization_id: O, member_password_id: 'member-password-test-1' }), method: 'DELETE', path: `/v1/b2b/organizations/${O}/members/passwords/member-password-test-1`, body: {} },
  { name: 'organizations.members.unlinkRetiredEmail', call: (c) => c.organizations.members.unlinkRetiredEmail({ organization_id: O, member_id: M, email_address: 'old@acme.co' }), method: 'POST', path: `/v1/b2b/organizations/${O}/members/${M}/unlink_retired_email`, body: { email_address: 'old@acme.co' } },
  { name: 'passwords.authenticate', call: (c) => c.passwords.authenticate({ organization_id: O, email_address: 'a@acme.co', password: 'pw' }), method: 'POST', path: '/v1/b2b/passwords/authenticate', body: { organization_id: O, email_address: 'a@acme.co', password: 'pw' } },
  { name: 'passwords.strengthCheck', call: (c) => c.passwords.strengthCheck({ password: 'pw', email_address: 'a@acme.co' }), method: 'POST', path: '/v1/b2b/passwords/strength_check', body: { password: 'pw', email_address: 'a@acme.co' } },
  { name: 'passwords.migrate', call: (c) => c.passwords.migrate({ organization_id: O, email_address: 'a@acme.co', hash: '$2a$10$x', hash_type: 'bcrypt' }), method: 'POST', path: '/v1/b2b/passwords/migrate', body: { organization_id: O, email_address: 'a@acme.co', hash: '$2a$10$x', hash_type: 'bcrypt' } },
  { name: 'passwords.email.resetStart', call: (c) => c.passwords.email.resetStart({ organization_id: O, email_address: 'a@acme.co', code_challenge: 'cc' }), method: 'POST', path: '/v1/b2b/passwords/email/reset/start', body: { organization_id: O, email_address: 'a@acme.co', code_challenge: 'cc' } },
  { name: 'passwords.email.reset', call: (c) => c.passwords.email.reset({ password_reset_token: 'rt', password: 'pw', code_verifier: 'cv' }), method: 'POST', path: '/v1/b2b/passwords/email/reset', body: { password_reset_token: 'rt', password: 'pw', code_verifier: 'cv' } },
  { name: 'passwords.email.requireReset', call: (c) => c.passwords.email.requireReset({ email_address: 'a@acme.co', organization_id: O }), method: 'POST', path: '/v1/b2b/passwords/email/require_reset', body: { email_address: 'a@acme.co', organization_id: O } },
  { name: 'passwords.existingPassword.reset', call: (c) => c.passwords.existingPassword.reset({ organization_id: O, email_address: 'a@acme.co', existing_password: 'old', new_password: 'new' }), method: 'POST', path: '/v1/b2b/passwords/existing_password/reset', body: { organization_id: O, email_address: 'a@acme.co', existing_password: 'old', new_password: 'new' } },
  { name: 'passwords.sessions.reset', call: (c) => c.passwords.sessions.reset({ organization_id: O, password: 'pw', session_token: 't' }), method: 'POST', path: '/v1/b2b/passwords/session/reset', body: { organization_id: O, password: 'pw', session_token: 't' } },
  { name: 'passwords.discovery.authenticate', call: (c) => c.passwords.discovery.authenticate({ email_address: 'a@acme.co', password: 'pw' }), method: 'POST', path: '/v1/b2b/passwords/discovery/authenticate', body: { email_address: 'a@acme.co', password: 'pw' } },
  { name: 'passwords.discovery.email.resetStart', call: (c) => c.passwords.discovery.email.resetStart({ email_address: 'a@acme.co', pkce_code_challenge: 'cc' }), method: 'POST', path: '/v1/b2b/passwords/discovery/email/reset/start', body: { email_address: 'a@acme.co', pkce_code_challenge: 'cc' } },
  { name: 'passwords.discovery.email.reset', call: (c) => c.passwords.discovery.email.reset({ password_reset_token: 'rt', password: 'pw', pkce_code_verifier: 'cv' }), method: 'POST', path: '/v1/b2b/passwords/discovery/email/reset', body: { password_reset_token: 'rt', password: 'pw', pkce_code_verifier: 'cv' } },
  { name: 'oauth.authenticate', call: (c) => c.oauth.authenticate({ oauth_token: 'o' }), method: 'POST', path: '/v1/b2b/oauth/authenticate', body: { oauth_token: 'o' } },
  { name: 'oauth.discovery.authenticate', call: (c) => c.oauth.discovery.authenticate({ discovery_oauth_token: 'o' }), method: 'POST', path: '/v1/b2b/oauth/discovery/authenticate', body: { discovery_oauth_token: 'o' } },
  { name: 'sso.authenticate', call: (c) => c.sso.authenticate({ sso_token: 's' }), method: 'POST', path: '/v1/b2b/sso/authenticate', body: { sso_token: 's' } },
  { name: 'sso.getConnections', call: (c) => c.sso.getConnections({ organization_id: O }), method: 'GET', path: `/v1/b2b/sso/${O}` },
  { name: 'sso.deleteConnection', call: (c) => c.sso.deleteConnection({ organization_id: O, connection_id: 'c1' }), method: 'DELETE', path: `/v1/b2b/sso/${O}/connections/c1`, body: {} },
  { name: 'sso.saml.createConnection', call: (c) => c.sso.saml.createConnection({ organization_id: O, display_name: 'Okta' }), method: 'POST', path: `/v1/b2b/sso/saml/${O}`, body: { display_name: 'Okta' } },
  { name: 'sso.saml.updateConnection', call: (c) => c.sso.saml.updateConnection({ organization_id: O, connection_id: 'c1', display_name: 'Okta' }), method: 'PUT', path: `/v1/b2b/sso/saml/${O}/connections/c1`, body: { display_name: 'Okta' } },
  { name: 'sso.saml.updateByURL', call: (c) => c.sso.saml.updateByURL({ organization_id: O, connection_id: 'c1', metadata_url: 'https://idp.example/m' }), method: 'PUT', path: `/v1/b2b/sso/saml/${O}/connections/c1/url`, body: { metadata_url: 'https://idp.example/m' } },
  { name: 'sso.saml.deleteVerificationCertificate', call: (c) => c.sso.saml.deleteVerificationCertificate({ organization_id: O, connection_id: 'c1', certificate_id: 'k1' }), method: 'DELETE', path: `/v1/b2b/sso/saml/${O}/connections/c1/verification_certificates/k1`, body: {} },
  { name: 'sso.saml.deleteEncryptionPrivateKey', call: (c) => c.sso.saml.deleteEncryptionPrivateKey({ organization_id: O, connection_id: 'c1', private_key_id: 'k1' }), method: 'DELETE', path: `/v1/b2b/sso/saml/${O}/connections/c1/encryption_private_keys/k1`, body: {} },
  { name: 'sso.oidc.createConnection', call: (c) => c.sso.oidc.createConnection({ organization_id: O, display_name: 'Okta' }), method: 'POST', path: `/v1/b2b/sso/oidc/${O}`, body: { display_name: 'Okta' } },
  { name: 'sso.oidc.updateConnection', call: (c) => c.sso.oidc.updateConnection({ organization_id: O, connection_id: 'c1', display_name: 'Okta' }), method: 'PUT', path: `/v1/b2b/sso/oidc/${O}/connections/c1`, body: { display_name: 'Okta' } },
  { name: 'sso.external.createConnection', call: (c) => c.sso.external.createConnection({ organization_id: O, external_organization_id: 'o2', external_connection_id: 'c2' }), method: 'POST', path: `/v1/b2b/sso/external/${O}`, body: { external_organization_id: 'o2', external_connection_id: 'c2' } },
  { name: 'sso.external.updateConnection', call: (c) => c.sso.external.updateConnection({ organization_id: O, connection_id: 'c1', display_name: 'X' }), method: 'PUT', path: `/v1/b2b/sso/external/${O}/connections/c1`, body: { display_name: 'X' } },
  { name: 'm2m.clients.create', call: (c) => c.m2m.clients.create({ scopes: ['read:documents'], client_name: 'Nightly sync' }), method: 'POST', path: '/v1/m2m/clients', body: { scopes: ['read:documents'], client_name: 'Nightly sync' } },
  { name: 'm2m.clients.get', call: (c) => c.m2m.clients.get({ client_id: 'm2m-client-test-1' }), method: 'GET', path: '/v1/m2m/clients/m2m-client-test-1' },
  { name: 'm2m.clients.search', call: (c) => c.m2m.clients.search({ limit: 5, query: { operator: 'OR', operands: [{ filter_name: 'scopes', filter_value: ['read:documents'] }] } }), method: 'POST', path: '/v1/m2m/clients/search', body: { limit: 5, query: { operator: 'OR', operands: [{ filter_name: 'scopes', filter_value: ['read:documents'] }] } } },
  { name: 'm2m.clients.update', call: (c) => c.m2m.clients.update({ client_id: 'm2m-client-test-1', status: 'inactive', scopes: ['read:documents'] }), method: 'PUT', path: '/v1/m2m/clients/m2m-client-test-1', body: { status: 'inactive', scopes: ['read:documents'] } },
  { name: 'm2m.clients.delete', call: (c) => c.m2m.clients.delete({ client_id: 'm2m-client-test-1' }), method: 'DELETE', path: '/v1/m2m/clients/m2m-client-test-1', body: {} },
  { name: 'm2m.clients.secrets.rotateStart', call: (c) => c.m2m.clients.secrets.rotateStart({ client_id: 'm2m-client-test-1' }), method: 'POST', path: '/v1/m2m/clients/m2m-client-test-1/secrets/rotate/start', body: {} },
  { name: 'm2m.clients.secrets.rotate', call: (c) => c.m2m.clients.secrets.rotate({ client_id: 'm2m-client-test-1' }), method: 'POST', path: '/v1/m2m/clients/m2m-client-test-1/secrets/rotate', body: {} },
  { name: 'm2m.clients.secrets.rotateCancel', call: (c) => c.m2m.clients.secrets.rotateCancel({ client_id: 'm2m-client-test-1' }), method: 'POST', path: '/v1/m2m/clients/m2m-client-test-1/secrets/rotate/cancel', body: {} },
  { name: 'm2m.token', call: (c) => c.m2m.token({ client_id: 'm2m-client-test-1', client_secret: 'shh', scopes: ['read:documents', 'write:documents'] }), method: 'POST', path: `/v1/public/${PROJECT_ID}/oauth2/token`, form: { client_id: 'm2m-client-test-1', client_secret: 'shh', grant_type: 'client_credentials', scope: 'read:documents write:documents' } },
];

let server: ScriptedServer;
let client: StytchB2BClient;

beforeAll(async () => {
  server = await startScriptedServer();
  client = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, retry: { maxRetries: 0 }, env: {} });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
});

describe.each(cases)('$name', ({ call, method, path, body, form }) => {
  it(`sends ${method} ${path.split('?')[0]!} and returns the answer`, async () => {
    server.handle((_req, res) => json(res, 200, { echo: 'ok' }));
    const res = (await call(client)) as { echo: string; status_code: number };
    expect(res.echo).toBe('ok');
    expect(res.status_code).toBe(200);
    const req = server.received[0]!;
    expect(req.method).toBe(method);
    expect(req.path).toBe(path);
    if (method === 'GET') expect(req.body).toBe('');
    else if (form !== undefined) {
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers.authorization).toBeUndefined();
      expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual(form);
    } else {
      expect(req.headers.authorization).toMatch(/^Basic /);
      expect(JSON.parse(req.body)).toEqual(body);
    }
  });

  it('rejects with a StytchApiError carrying Stytch\'s error type', async () => {
    server.handle((_req, res) => json(res, 400, { error_type: 'invalid_argument', error_message: 'Bad.' }));
    await expect(call(client)).rejects.toMatchObject({ constructor: StytchApiError, status: 400, code: 'invalid_argument' });
  });
});

it('covers every public method of the client', () => {
  const found: string[] = [];
  const walk = (obj: object, prefix: string): void => {
    for (let proto = Object.getPrototypeOf(obj) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key !== 'constructor' && key !== 'toJSON' && typeof (obj as Record<string, unknown>)[key] === 'function') found.push(prefix + key);
      }
    }
    for (const [key, value] of Object.entries(obj)) {
      if (typeof value === 'object' && value !== null && key !== 'config') walk(value, `${prefix}${key}.`);
    }
  };
  walk(client, '');
  expect(found.filter((name) => name !== 'close').sort()).toEqual(cases.map((c) => c.name).sort());
});
