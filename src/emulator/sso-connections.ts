/**
 * SSO connection administration (addendum A3.1, A3.5-A3.8): SAML, OIDC and External connections,
 * and the organization fields kept in step with them (`sso_active_connections`,
 * `sso_default_connection_id`).
 */
import { createPrivateKey } from 'node:crypto';
import type {
  ExternalConnection,
  GroupRoleAssignment,
  OIDCConnection,
  RoleAssignment,
  SAMLConnection,
} from '../client/api-types.js';
import type { Organization } from '../client/types.js';
import { isLoopbackUrl } from './sso-redirects.js';
import { badRequest, notFound } from './http-errors.js';
import { newId, rfc3339 } from './ids.js';
import { TEST_IDP_CERTIFICATE, fakeSamlMetadata, parseCertificate } from './sso-metadata.js';
import type { SsoConnectionRecord } from './sso-types.js';
import type { EmulatorState } from './state.js';
import { isPlainObject, optBool, optObject, optString, reqString, type Body } from './validate.js';

const MAX_VERIFICATION_CERTIFICATES = 5;
const DEFAULT_NAMEID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

type Kind = SsoConnectionRecord['kind'];

const NOT_FOUND: Record<Kind, [string, string]> = {
  saml: ['saml_connection_not_found', 'The SAML connection could not be found.'],
  oidc: ['oidc_connection_not_found', 'The OIDC connection could not be found.'],
  external: ['external_connection_not_found', 'The External connection could not be found.'],
};

/** The connections of one organization, oldest first. */
export function connectionsOf(state: EmulatorState, organizationId: string): SsoConnectionRecord[] {
  return [...state.ssoConnections.values()].filter((r) => r.connection.organization_id === organizationId);
}

/** Any connection of the organization by id; 404 `sso_connection_not_found` otherwise. */
export function requireConnection(state: EmulatorState, org: Organization, connectionId: string): SsoConnectionRecord {
  const record = state.ssoConnections.get(connectionId);
  if (!record || record.connection.organization_id !== org.organization_id) throw notFound('sso_connection_not_found', 'The SSO connection could not be found.');
  return record;
}

function requireKind<K extends Kind>(state: EmulatorState, org: Organization, connectionId: string, kind: K): Extract<SsoConnectionRecord, { kind: K }> {
  const record = state.ssoConnections.get(connectionId);
  if (!record || record.kind !== kind || record.connection.organization_id !== org.organization_id) throw notFound(NOT_FOUND[kind][0], NOT_FOUND[kind][1]);
  return record as Extract<SsoConnectionRecord, { kind: K }>;
}

/** The SAML/OIDC connection a login through `record` really uses (External ones point elsewhere). */
export function underlyingConnection(state: EmulatorState, record: SsoConnectionRecord): Extract<SsoConnectionRecord, { kind: 'saml' | 'oidc' }> | undefined {
  if (record.kind !== 'external') return record;
  const target = state.ssoConnections.get(record.connection.external_connection_id);
  return target && target.kind !== 'external' ? target : undefined;
}

export function isActive(state: EmulatorState, record: SsoConnectionRecord): boolean {
  if (record.kind !== 'external') return record.connection.status === 'active';
  return underlyingConnection(state, record)?.connection.status === 'active';
}

function identityProviderOf(state: EmulatorState, record: SsoConnectionRecord): string {
  return underlyingConnection(state, record)?.connection.identity_provider ?? 'generic';
}

/**
 * Recomputes the organization's `sso_active_connections` and keeps `sso_default_connection_id`
 * pointing at an active connection: the first connection to become active becomes the default
 * (addendum A3.8), and when the default goes away the oldest remaining active connection takes
 * over, or the field is cleared. External connections count as active when their underlying
 * connection is (they can be used to log in; the reference lists SAML/OIDC only, so this is
 * the emulator's reading).
 */
export function syncOrganization(state: EmulatorState, organizationId: string): void {
  const org = state.organizations.get(organizationId);
  if (!org) return;
  const active = connectionsOf(state, organizationId).filter((r) => isActive(state, r));
  org.sso_active_connections = active.map((r) => ({
    connection_id: r.connection.connection_id,
    display_name: r.connection.display_name,
    identity_provider: identityProviderOf(state, r),
  }));
  const current = org.sso_default_connection_id;
  if (!current || !active.some((r) => r.connection.connection_id === current)) {
    org.sso_default_connection_id = active[0]?.connection.connection_id ?? null;
  }
  org.updated_at = rfc3339(state.now());
}

/** Syncs the owner organization and every organization that reuses one of its connections. */
function syncAround(state: EmulatorState, organizationId: string): void {
  syncOrganization(state, organizationId);
  const ids = new Set(connectionsOf(state, organizationId).map((r) => r.connection.connection_id));
  for (const r of state.ssoConnections.values()) {
    if (r.kind === 'external' && ids.has(r.connection.external_connection_id)) syncOrganization(state, r.connection.organization_id);
  }
}

// ---------------------------------------------------------------- field readers

function readRoleAssignments(body: Body, field: string): RoleAssignment[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((a) => isPlainObject(a) && typeof a.role_id === 'string' && a.role_id !== '')) {
    throw badRequest('invalid_argument', `The field '${field}' must be an array of { role_id }.`, { field });
  }
  return value.map((a: { role_id: string }) => ({ role_id: a.role_id }));
}

function readGroupAssignments(body: Body, field: string): GroupRoleAssignment[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((a) => isPlainObject(a) && typeof a.role_id === 'string' && typeof a.group === 'string' && a.role_id !== '' && a.group !== '')) {
    throw badRequest('invalid_argument', `The field '${field}' must be an array of { role_id, group }.`, { field });
  }
  return value.map((a: { role_id: string; group: string }) => ({ role_id: a.role_id, group: a.group }));
}

/** An absolute http(s) URL; plain http only for loopback hosts when `httpsOnly`. */
function readUrl(body: Body, field: string, errorType: string, httpsOnly = false): string | undefined {
  const value = optString(body, field);
  if (value === undefined || value === '') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest(errorType, `The field '${field}' is not a valid URL.`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest(errorType, `The field '${field}' must be an http(s) URL.`, { field });
  if (httpsOnly && url.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw badRequest('saml_connection_idp_sso_url_not_https', `The field '${field}' must use https (plain http is accepted for loopback hosts only).`, { field });
  }
  return value;
}

function readPrivateKey(body: Body, field: string, errorType: string): string | undefined {
  const value = optString(body, field);
  if (value === undefined || value === '') return undefined;
  try {
    createPrivateKey(value);
  } catch {
    throw badRequest(errorType, `The field '${field}' is not a PEM private key.`, { field });
  }
  return value;
}

function baseFields(body: Body): { display_name?: string; identity_provider?: string } {
  const display = optString(body, 'display_name');
  const provider = optString(body, 'identity_provider');
  if (display !== undefined && display.length > 256) throw badRequest('invalid_argument', "The field 'display_name' is too long.", { field: 'display_name' });
  return { ...(display !== undefined ? { display_name: display } : {}), ...(provider ? { identity_provider: provider } : {}) };
}

// ---------------------------------------------------------------- SAML

function samlStatus(c: SAMLConnection): 'active' | 'pending' {
  return c.idp_sso_url !== '' && c.idp_entity_id !== '' && c.verification_certificates.length > 0 && c.attribute_mapping !== undefined ? 'active' : 'pending';
}

function callbackUrl(state: EmulatorState, connectionId: string): string {
  return `${state.settings.url}/v1/b2b/sso/callback/${connectionId}`;
}

export function createSaml(state: EmulatorState, org: Organization, body: Body): SAMLConnection {
  const { display_name, identity_provider } = baseFields(body);
  const id = newId('saml-connection');
  const now = rfc3339(state.now());
  const signing = parseCertificate(TEST_IDP_CERTIFICATE);
  const connection: SAMLConnection = {
    organization_id: org.organization_id,
    connection_id: id,
    status: 'pending',
    idp_entity_id: '',
    display_name: display_name ?? '',
    idp_sso_url: '',
    acs_url: callbackUrl(state, id),
    audience_uri: callbackUrl(state, id),
    // The emulator cannot mint certificates; its fixed test certificate stands in for Stytch's.
    signing_certificates: [{ certificate_id: newId('saml-certificate'), certificate: TEST_IDP_CERTIFICATE, issuer: signing?.issuer ?? '', created_at: now, ...(signing ? { expires_at: signing.expires_at } : {}) }],
    verification_certificates: [],
    encryption_private_keys: [],
    saml_connection_implicit_role_assignments: [],
    saml_group_implicit_role_assignments: [],
    alternative_audience_uri: '',
    identity_provider: identity_provider ?? 'generic',
    nameid_format: DEFAULT_NAMEID,
    alternative_acs_url: '',
    idp_initiated_auth_disabled: false,
    allow_gateway_callback: false,
  };
  state.ssoConnections.set(id, { kind: 'saml', connection });
  syncOrganization(state, org.organization_id);
  return structuredClone(connection);
}

function readAttributeMapping(body: Body): Record<string, unknown> | undefined {
  const mapping = optObject(body, 'attribute_mapping');
  if (mapping === undefined) return undefined;
  const has = (key: string): boolean => typeof mapping[key] === 'string' && mapping[key] !== '';
  if (!has('email')) throw badRequest('saml_connection_email_mapping_required', "attribute_mapping needs an 'email' key.", { field: 'attribute_mapping' });
  if (!has('full_name') && !(has('first_name') && has('last_name'))) {
    throw badRequest('saml_connection_name_mapping_required', "attribute_mapping needs 'full_name' or both 'first_name' and 'last_name'.", { field: 'attribute_mapping' });
  }
  return { ...mapping };
}

function addVerificationCertificate(state: EmulatorState, c: SAMLConnection, pem: string): void {
  const parsed = parseCertificate(pem);
  if (!parsed) throw badRequest('invalid_x509_certificate', 'The x509_certificate is not a valid PEM certificate.', { field: 'x509_certificate' });
  if (c.verification_certificates.some((v) => v.certificate.trim() === pem.trim())) return;
  if (c.verification_certificates.length >= MAX_VERIFICATION_CERTIFICATES) {
    throw badRequest('too_many_sso_verification_certificates', `A connection holds at most ${MAX_VERIFICATION_CERTIFICATES} verification certificates.`);
  }
  c.verification_certificates.push({ certificate_id: newId('saml-certificate'), certificate: pem, issuer: parsed.issuer, created_at: rfc3339(state.now()), expires_at: parsed.expires_at, updated_at: rfc3339(state.now()) });
}

export function updateSaml(state: EmulatorState, org: Organization, connectionId: string, body: Body): SAMLConnection {
  const { connection: c } = requireKind(state, org, connectionId, 'saml');
  // Validate everything first so a refused update changes nothing.
  const { display_name, identity_provider } = baseFields(body);
  const entityId = optString(body, 'idp_entity_id');
  const ssoUrl = readUrl(body, 'idp_sso_url', 'saml_connection_idp_sso_url_invalid_format', true);
  const mapping = readAttributeMapping(body);
  const certificate = optString(body, 'x509_certificate');
  const roles = readRoleAssignments(body, 'saml_connection_implicit_role_assignments');
  const groups = readGroupAssignments(body, 'saml_group_implicit_role_assignments');
  if (groups !== undefined && groups.length > 0 && typeof (mapping ?? c.attribute_mapping ?? {}).groups !== 'string') {
    throw badRequest('saml_connection_attribute_mapping_missing_groups_key', "Group role assignments need a 'groups' key in attribute_mapping.", { field: 'saml_group_implicit_role_assignments' });
  }
  const signingKey = readPrivateKey(body, 'signing_private_key', 'invalid_signing_private_key');
  const encryptionKey = readPrivateKey(body, 'saml_encryption_private_key', 'invalid_saml_encryption_private_key');
  const audience = readUrl(body, 'alternative_audience_uri', 'invalid_argument');
  const acs = readUrl(body, 'alternative_acs_url', 'invalid_argument');
  const nameid = optString(body, 'nameid_format');
  const idpInitiatedOff = optBool(body, 'idp_initiated_auth_disabled');
  const gateway = optBool(body, 'allow_gateway_callback');
  const draft = structuredClone(c);
  if (certificate !== undefined && certificate !== '') addVerificationCertificate(state, draft, certificate);
  if (display_name !== undefined) draft.display_name = display_name;
  if (identity_provider !== undefined) draft.identity_provider = identity_provider;
  if (entityId !== undefined) draft.idp_entity_id = entityId;
  if (ssoUrl !== undefined) draft.idp_sso_url = ssoUrl;
  if (mapping !== undefined) draft.attribute_mapping = mapping;
  if (roles !== undefined) draft.saml_connection_implicit_role_assignments = roles;
  if (groups !== undefined) draft.saml_group_implicit_role_assignments = groups;
  if (audience !== undefined) draft.alternative_audience_uri = audience;
  if (acs !== undefined) draft.alternative_acs_url = acs;
  if (nameid !== undefined && nameid !== '') draft.nameid_format = nameid;
  if (idpInitiatedOff !== undefined) draft.idp_initiated_auth_disabled = idpInitiatedOff;
  if (gateway !== undefined) draft.allow_gateway_callback = gateway;
  // A new signing key would make Stytch issue a new signing certificate; the emulator only
  // validates the key (it cannot mint certificates).
  void signingKey;
  if (encryptionKey !== undefined) draft.encryption_private_keys.push({ private_key_id: newId('saml-encryption-private-key'), private_key: encryptionKey, created_at: rfc3339(state.now()) });
  draft.status = samlStatus(draft);
  Object.assign(c, draft);
  syncAround(state, org.organization_id);
  return structuredClone(c);
}

/**
 * `updateByURL`: the emulator never fetches the URL. Any valid http(s) URL reads as the fixed
 * test metadata of `sso-metadata.ts`; anything else is `invalid_saml_metadata_url`.
 */
export function updateSamlByUrl(state: EmulatorState, org: Organization, connectionId: string, body: Body): SAMLConnection {
  requireKind(state, org, connectionId, 'saml');
  const raw = reqString(body, 'metadata_url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_saml_metadata_url', 'The metadata_url is not a valid URL.', { field: 'metadata_url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest('invalid_saml_metadata_url', 'The metadata_url must be an http(s) URL.', { field: 'metadata_url' });
  return updateSaml(state, org, connectionId, fakeSamlMetadata(url));
}

export function deleteVerificationCertificate(state: EmulatorState, org: Organization, connectionId: string, certificateId: string): void {
  const { connection: c } = requireKind(state, org, connectionId, 'saml');
  const index = c.verification_certificates.findIndex((v) => v.certificate_id === certificateId);
  if (index < 0) throw notFound('verification_certificate_not_found', 'The verification certificate could not be found.');
  if (c.status === 'active' && c.verification_certificates.length === 1) {
    throw badRequest('cannot_delete_last_sso_verification_key', 'An active connection must keep at least one verification certificate.');
  }
  c.verification_certificates.splice(index, 1);
  c.status = samlStatus(c);
  syncAround(state, org.organization_id);
}

export function deleteEncryptionPrivateKey(state: EmulatorState, org: Organization, connectionId: string, keyId: string): void {
  const { connection: c } = requireKind(state, org, connectionId, 'saml');
  const index = c.encryption_private_keys.findIndex((k) => k.private_key_id === keyId);
  if (index < 0) throw notFound('encryption_private_key_not_found', 'The encryption private key could not be found.');
  c.encryption_private_keys.splice(index, 1);
}

// ---------------------------------------------------------------- OIDC

const OIDC_URLS = ['authorization_url', 'token_url', 'userinfo_url', 'jwks_url'] as const;

function oidcStatus(c: OIDCConnection): 'active' | 'pending' {
  return c.issuer !== '' && c.client_id !== '' && c.client_secret !== '' && OIDC_URLS.every((f) => c[f] !== '') ? 'active' : 'pending';
}

export function createOidc(state: EmulatorState, org: Organization, body: Body): OIDCConnection {
  const { display_name, identity_provider } = baseFields(body);
  const id = newId('oidc-connection');
  const connection: OIDCConnection = {
    organization_id: org.organization_id,
    connection_id: id,
    status: 'pending',
    display_name: display_name ?? '',
    redirect_url: callbackUrl(state, id),
    client_id: '',
    client_secret: '',
    issuer: '',
    authorization_url: '',
    token_url: '',
    userinfo_url: '',
    jwks_url: '',
    identity_provider: identity_provider ?? 'generic',
    custom_scopes: '',
  };
  state.ssoConnections.set(id, { kind: 'oidc', connection });
  syncOrganization(state, org.organization_id);
  return structuredClone(connection);
}

/**
 * Updates an OIDC connection. Stytch would read `{issuer}/.well-known/openid-configuration` when
 * the issuer changes; the emulator is offline, so that discovery always "fails" and the answer
 * carries a `warning` (the update still succeeds, as documented) unless every URL was given.
 */
export function updateOidc(state: EmulatorState, org: Organization, connectionId: string, body: Body): { connection: OIDCConnection; warning?: string } {
  const { connection: c } = requireKind(state, org, connectionId, 'oidc');
  const { display_name, identity_provider } = baseFields(body);
  const issuer = readUrl(body, 'issuer', 'oidc_connection_issuer_invalid_format');
  const urls = Object.fromEntries(OIDC_URLS.map((f) => [f, readUrl(body, f, `oidc_connection_${f}_invalid_format`)])) as Record<(typeof OIDC_URLS)[number], string | undefined>;
  const clientId = optString(body, 'client_id');
  const clientSecret = optString(body, 'client_secret');
  const scopes = optString(body, 'custom_scopes');
  const mapping = optObject(body, 'attribute_mapping');
  const issuerChanged = issuer !== undefined && issuer !== c.issuer;
  if (display_name !== undefined) c.display_name = display_name;
  if (identity_provider !== undefined) c.identity_provider = identity_provider;
  if (issuer !== undefined) c.issuer = issuer;
  for (const f of OIDC_URLS) if (urls[f] !== undefined) c[f] = urls[f];
  if (clientId !== undefined) c.client_id = clientId;
  if (clientSecret !== undefined) c.client_secret = clientSecret;
  if (scopes !== undefined) c.custom_scopes = safeDecode(scopes);
  if (mapping !== undefined) c.attribute_mapping = { ...mapping };
  c.status = oidcStatus(c);
  syncAround(state, org.organization_id);
  const missing = OIDC_URLS.filter((f) => urls[f] === undefined);
  const warning = issuerChanged && missing.length > 0
    ? `The emulator is offline and did not read ${c.issuer}/.well-known/openid-configuration; set ${missing.join(', ')} explicitly.`
    : undefined;
  return { connection: structuredClone(c), ...(warning ? { warning } : {}) };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

// ---------------------------------------------------------------- External

export function createExternal(state: EmulatorState, org: Organization, body: Body): ExternalConnection {
  const externalOrgId = reqString(body, 'external_organization_id');
  const externalConnectionId = reqString(body, 'external_connection_id');
  const { display_name } = baseFields(body);
  const roles = readRoleAssignments(body, 'connection_implicit_role_assignments') ?? [];
  const groups = readGroupAssignments(body, 'group_implicit_role_assignments') ?? [];
  const owner = [...state.organizations.values()].find((o) => o.organization_id === externalOrgId || o.organization_slug === externalOrgId);
  if (owner?.organization_id === org.organization_id) {
    throw badRequest('external_organization_id_same_as_organization_id', 'An External connection must point at another organization.');
  }
  const target = state.ssoConnections.get(externalConnectionId);
  if (!owner || !target || target.kind === 'external' || target.connection.organization_id !== owner.organization_id) {
    throw notFound('external_connection_id_not_found', 'The external connection id does not name a SAML or OIDC connection of that organization.');
  }
  if (target.connection.status !== 'active') throw badRequest('external_connection_not_active', 'The connection to reuse is not active.');
  if (target.kind === 'oidc' && (roles.length > 0 || groups.length > 0)) {
    throw badRequest('invalid_argument', 'Implicit role assignments are not supported over an OIDC connection.');
  }
  const duplicate = connectionsOf(state, org.organization_id).some((r) => r.kind === 'external' && r.connection.external_connection_id === externalConnectionId);
  if (duplicate) throw badRequest('duplicate_external_sso_connection', 'This organization already reuses that connection.');
  const connection: ExternalConnection = {
    organization_id: org.organization_id,
    connection_id: newId('external-connection'),
    external_organization_id: owner.organization_id,
    external_connection_id: externalConnectionId,
    display_name: display_name ?? target.connection.display_name,
    status: 'active',
    external_connection_implicit_role_assignments: roles,
    external_group_implicit_role_assignments: groups,
  };
  state.ssoConnections.set(connection.connection_id, { kind: 'external', connection });
  syncOrganization(state, org.organization_id);
  return structuredClone(connection);
}

export function updateExternal(state: EmulatorState, org: Organization, connectionId: string, body: Body): ExternalConnection {
  const { connection: c } = requireKind(state, org, connectionId, 'external');
  const { display_name } = baseFields(body);
  const roles = readRoleAssignments(body, 'external_connection_implicit_role_assignments');
  const groups = readGroupAssignments(body, 'external_group_implicit_role_assignments');
  if (display_name !== undefined) c.display_name = display_name;
  if (roles !== undefined) c.external_connection_implicit_role_assignments = roles;
  if (groups !== undefined) c.external_group_implicit_role_assignments = groups;
  syncOrganization(state, org.organization_id);
  return structuredClone(c);
}

// ---------------------------------------------------------------- shared

/** Deletes a connection of any kind, and the External connections of other orgs that reuse it. */
export function deleteConnection(state: EmulatorState, org: Organization, connectionId: string): void {
  requireConnection(state, org, connectionId);
  state.ssoConnections.delete(connectionId);
  for (const [id, r] of [...state.ssoConnections]) {
    if (r.kind === 'external' && r.connection.external_connection_id === connectionId) {
      state.ssoConnections.delete(id);
      syncOrganization(state, r.connection.organization_id);
    }
  }
  syncOrganization(state, org.organization_id);
}

/** Deletes every connection of a deleted organization (and reuses of them elsewhere). */
export function forgetOrganizationConnections(state: EmulatorState, organizationId: string): void {
  for (const r of connectionsOf(state, organizationId)) {
    state.ssoConnections.delete(r.connection.connection_id);
    for (const [id, other] of [...state.ssoConnections]) {
      if (other.kind === 'external' && other.connection.external_connection_id === r.connection.connection_id) {
        state.ssoConnections.delete(id);
        syncOrganization(state, other.connection.organization_id);
      }
    }
  }
}

/** `GET /v1/b2b/sso/{organization_id}`. */
export function listConnections(state: EmulatorState, org: Organization): { saml_connections: SAMLConnection[]; oidc_connections: OIDCConnection[]; external_connections: ExternalConnection[] } {
  const all = connectionsOf(state, org.organization_id);
  return {
    saml_connections: all.flatMap((r) => (r.kind === 'saml' ? [structuredClone(r.connection)] : [])),
    oidc_connections: all.flatMap((r) => (r.kind === 'oidc' ? [structuredClone(r.connection)] : [])),
    external_connections: all.flatMap((r) => (r.kind === 'external' ? [structuredClone(r.connection)] : [])),
  };
}

/**
 * Checks an `sso_default_connection_id` an organization update wants to set: it must name an
 * active connection of that organization (`invalid_sso_default_connection_id`, addendum A3.8).
 */
export function checkDefaultConnection(state: EmulatorState, org: Organization, connectionId: string): void {
  if (connectionId === '') return;
  const record = state.ssoConnections.get(connectionId);
  if (!record || record.connection.organization_id !== org.organization_id || !isActive(state, record)) {
    throw badRequest('invalid_sso_default_connection_id', 'sso_default_connection_id must name an active SSO connection of this organization.', { field: 'sso_default_connection_id' });
  }
}
