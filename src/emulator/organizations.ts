/** Organization records: creation with Stytch's defaults (reference 6.1), lookup, update. */
import type { Organization, RbacRole } from '../client/types.js';
import { badRequest, organizationNotFound } from './http-errors.js';
import { newId, rfc3339 } from './ids.js';
import { checkDefaultConnection, forgetOrganizationConnections } from './sso-connections.js';
import type { EmulatorState } from './state.js';
import { isPlainObject, optEnum, optObject, optString, optStringArray, type Body } from './validate.js';

const SLUG = /^[A-Za-z0-9\-._~]{2,128}$/;
const JIT = ['ALL_ALLOWED', 'RESTRICTED', 'NOT_ALLOWED'] as const;
const RESTRICTABLE = ['ALL_ALLOWED', 'RESTRICTED'] as const;
const COMMON_DOMAINS = new Set(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com', 'proton.me', 'protonmail.com', 'live.com']);

/** Finds an organization by id, slug or external id (all are accepted wherever an id is). */
export function findOrganization(state: EmulatorState, idOrSlug: string): Organization | undefined {
  const direct = state.organizations.get(idOrSlug);
  if (direct) return direct;
  for (const org of state.organizations.values()) {
    if (org.organization_slug === idOrSlug || (org.organization_external_id !== undefined && org.organization_external_id !== '' && org.organization_external_id === idOrSlug)) return org;
  }
  return undefined;
}

export function requireOrganization(state: EmulatorState, idOrSlug: string): Organization {
  const org = findOrganization(state, idOrSlug);
  if (!org) throw organizationNotFound();
  return org;
}

function slugify(name: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9\-._~]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return base.length >= 2 ? base : `org-${base}`.replace(/-$/, '');
}

function uniqueSlug(state: EmulatorState, wanted: string): string {
  let slug = wanted;
  for (let i = 2; findOrganization(state, slug); i++) slug = `${wanted}-${i}`;
  return slug;
}

function checkSlugFree(state: EmulatorState, slug: string, selfId?: string): void {
  if (!SLUG.test(slug)) throw badRequest('invalid_organization_slug', 'organization_slug must be 2-128 characters of A-Z a-z 0-9 - . _ ~.', { field: 'organization_slug' });
  const other = findOrganization(state, slug);
  if (other && other.organization_id !== selfId) throw badRequest('organization_slug_already_used', 'The organization slug is already used by another organization.');
}

function readRoles(value: unknown, field: string): RbacRole[] {
  if (!Array.isArray(value)) throw badRequest('invalid_argument', `The field '${field}' must be an array of roles.`, { field });
  return value.map((role) => {
    if (!isPlainObject(role) || typeof role.role_id !== 'string' || !Array.isArray(role.permissions)) {
      throw badRequest('invalid_argument', `Each role in '${field}' needs a role_id and permissions.`, { field });
    }
    const permissions = role.permissions.map((perm: unknown) => {
      if (!isPlainObject(perm) || typeof perm.resource_id !== 'string' || !Array.isArray(perm.actions) || !perm.actions.every((a) => typeof a === 'string')) {
        throw badRequest('invalid_argument', `Each permission in '${field}' needs a resource_id and actions.`, { field });
      }
      return { resource_id: perm.resource_id, actions: [...(perm.actions)] };
    });
    return { role_id: role.role_id, description: typeof role.description === 'string' ? role.description : '', permissions };
  });
}

/** Validates and applies the settable organization fields of a create/update body. */
function applySettings(state: EmulatorState, org: Organization, body: Body): void {
  const name = optString(body, 'organization_name');
  if (name !== undefined) {
    if (name.length < 1 || name.length > 128) throw badRequest('invalid_argument', 'organization_name must be 1-128 characters.', { field: 'organization_name' });
    org.organization_name = name;
  }
  const slug = optString(body, 'organization_slug');
  if (slug !== undefined) {
    checkSlugFree(state, slug, org.organization_id);
    org.organization_slug = slug;
  }
  const externalId = optString(body, 'organization_external_id');
  if (externalId !== undefined) {
    const other = externalId === '' ? undefined : findOrganization(state, externalId);
    if (other && other.organization_id !== org.organization_id) throw badRequest('duplicate_organization_external_id', 'The external id is already used by another organization.');
    org.organization_external_id = externalId;
  }
  const logo = optString(body, 'organization_logo_url');
  if (logo !== undefined) org.organization_logo_url = logo;
  const trusted = optObject(body, 'trusted_metadata');
  if (trusted !== undefined) org.trusted_metadata = { ...trusted };
  const domains = optStringArray(body, 'email_allowed_domains');
  if (domains !== undefined) {
    const lowered = domains.map((d) => d.toLowerCase());
    const common = lowered.find((d) => COMMON_DOMAINS.has(d));
    if (common) throw badRequest('organization_settings_domain_too_common', `The domain ${common} is too common to be an allowed domain.`);
    org.email_allowed_domains = lowered;
  }
  const setEnum = <K extends keyof Organization>(field: K & string, allowed: readonly string[]): void => {
    const value = optEnum(body, field, allowed);
    if (value !== undefined) (org as Record<string, unknown>)[field] = value;
  };
  setEnum('sso_jit_provisioning', JIT);
  setEnum('email_jit_provisioning', ['RESTRICTED', 'NOT_ALLOWED']);
  setEnum('email_invites', JIT);
  setEnum('auth_methods', RESTRICTABLE);
  setEnum('mfa_policy', ['OPTIONAL', 'REQUIRED_FOR_ALL']);
  setEnum('mfa_methods', RESTRICTABLE);
  setEnum('oauth_tenant_jit_provisioning', ['RESTRICTED', 'NOT_ALLOWED']);
  setEnum('first_party_connected_apps_allowed_type', JIT);
  setEnum('third_party_connected_apps_allowed_type', JIT);
  const arrays = ['allowed_auth_methods', 'allowed_mfa_methods', 'sso_jit_provisioning_allowed_connections', 'claimed_email_domains', 'allowed_first_party_connected_apps', 'allowed_third_party_connected_apps'] as const;
  for (const field of arrays) {
    const value = optStringArray(body, field);
    if (value !== undefined) org[field] = [...value];
  }
  const sso = optString(body, 'sso_default_connection_id');
  if (sso !== undefined) {
    checkDefaultConnection(state, org, sso);
    org.sso_default_connection_id = sso === '' ? null : sso;
  }
  const implicit = body.rbac_email_implicit_role_assignments;
  if (implicit !== undefined && implicit !== null) {
    if (!Array.isArray(implicit) || !implicit.every((a) => isPlainObject(a) && typeof a.domain === 'string' && typeof a.role_id === 'string')) {
      throw badRequest('invalid_argument', "The field 'rbac_email_implicit_role_assignments' must be an array of { domain, role_id }.", { field: 'rbac_email_implicit_role_assignments' });
    }
    org.rbac_email_implicit_role_assignments = (implicit as { domain: string; role_id: string }[]).map((a) => ({ domain: a.domain.toLowerCase(), role_id: a.role_id }));
  }
  const tenants = optObject(body, 'allowed_oauth_tenants');
  if (tenants !== undefined) org.allowed_oauth_tenants = structuredClone(tenants) as Record<string, string[]>;
  if (body.custom_roles !== undefined && body.custom_roles !== null) {
    org.custom_roles = readRoles(body.custom_roles, 'custom_roles');
    state.orgPolicies.set(org.organization_id, { roles: structuredClone(org.custom_roles) });
  }
}

/** Reads an org policy body (`{ roles: [...] }`). */
export function readOrgPolicy(value: unknown): { roles: RbacRole[] } {
  if (!isPlainObject(value)) throw badRequest('invalid_argument', "The field 'org_policy' must be an object.", { field: 'org_policy' });
  return { roles: readRoles(value.roles ?? [], 'org_policy.roles') };
}

export function createOrganization(state: EmulatorState, body: Body): Organization {
  const name = optString(body, 'organization_name');
  if (name === undefined || name === '') throw badRequest('invalid_argument', "The field 'organization_name' is required.", { field: 'organization_name' });
  const now = rfc3339(state.now());
  // Reference 6.1 / task brief: without any auth settings an org accepts invites from anyone;
  // once an auth setting is given, invites default to NOT_ALLOWED.
  const hasAuthSettings = ['email_allowed_domains', 'email_jit_provisioning', 'auth_methods', 'allowed_auth_methods'].some(
    (field) => body[field] !== undefined && body[field] !== null && !(Array.isArray(body[field]) && (body[field] as unknown[]).length === 0),
  );
  const org: Organization = {
    organization_id: newId('organization'),
    organization_name: name,
    organization_slug: '',
    organization_logo_url: '',
    organization_external_id: '',
    trusted_metadata: {},
    sso_jit_provisioning: 'ALL_ALLOWED',
    sso_jit_provisioning_allowed_connections: [],
    sso_active_connections: [],
    sso_default_connection_id: null,
    scim_active_connection: null,
    email_allowed_domains: [],
    email_jit_provisioning: 'NOT_ALLOWED',
    email_invites: hasAuthSettings ? 'NOT_ALLOWED' : 'ALL_ALLOWED',
    auth_methods: 'ALL_ALLOWED',
    allowed_auth_methods: [],
    mfa_policy: 'OPTIONAL',
    mfa_methods: 'ALL_ALLOWED',
    allowed_mfa_methods: [],
    rbac_email_implicit_role_assignments: [],
    oauth_tenant_jit_provisioning: 'NOT_ALLOWED',
    allowed_oauth_tenants: {},
    claimed_email_domains: [],
    first_party_connected_apps_allowed_type: 'ALL_ALLOWED',
    third_party_connected_apps_allowed_type: 'ALL_ALLOWED',
    allowed_first_party_connected_apps: [],
    allowed_third_party_connected_apps: [],
    custom_roles: [],
    created_at: now,
    updated_at: now,
  };
  const slug = optString(body, 'organization_slug');
  if (slug === undefined || slug === '') org.organization_slug = uniqueSlug(state, slugify(name));
  applySettings(state, org, body);
  state.organizations.set(org.organization_id, org);
  return org;
}

export function updateOrganization(state: EmulatorState, org: Organization, body: Body): Organization {
  applySettings(state, org, body);
  org.updated_at = rfc3339(state.now());
  return org;
}

export function deleteOrganization(state: EmulatorState, org: Organization): void {
  state.organizations.delete(org.organization_id);
  forgetOrganizationConnections(state, org.organization_id);
  state.orgPolicies.delete(org.organization_id);
  for (const member of [...state.members.values()]) {
    if (member.organization_id === org.organization_id) state.members.delete(member.member_id);
  }
  for (const session of [...state.sessions.values()]) {
    if (session.organization_id === org.organization_id) {
      state.sessions.delete(session.member_session_id);
      state.sessionsByToken.delete(session.session_token);
    }
  }
}

/** Whether an organization allows a primary auth method (reference 6.1 `auth_methods`). */
export function authMethodAllowed(org: Organization, method: string): boolean {
  return org.auth_methods !== 'RESTRICTED' || org.allowed_auth_methods.includes(method);
}
