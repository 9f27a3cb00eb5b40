/** Organization records: creation with Stytch's defaults (reference 6.1), lookup, update. */
import type { Organization, RbacRole } from '../client/types.js';
import { badRequest, organizationNotFound } from './http-errors.js';
import { checkExternalIdFormat } from './members.js';
import { newId, rfc3339 } from './ids.js';
import { checkDefaultConnection, forgetOrganizationConnections } from './sso-connections.js';
import type { EmulatorState } from './state.js';
import { isPlainObject, optEnum, optObject, optString, optStringArray, type Body } from './validate.js';

const SLUG = /^[A-Za-z0-9\-._~]{2,128}$/;
const JIT = ['ALL_ALLOWED', 'RESTRICTED', 'NOT_ALLOWED'] as const;
const RESTRICTABLE = ['ALL_ALLOWED', 'RESTRICTED'] as const;
const COMMON_DOMAINS = new Set(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com', 'proton.me', 'protonmail.com', 'live.com']);
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The `organizations.create` fields that count as "Organization authentication setting
 * parameters" for the `email_invites` default (reference A11.8, A16.5): when any of them is
 * passed, `email_invites` defaults to NOT_ALLOWED, otherwise to ALL_ALLOWED. This is the broad
 * reading: the fields documented under the create call's authentication settings. The narrow
 * reading would be only the three provisioning settings the configuration-rules page singles
 * out (`sso_jit_provisioning`, `email_jit_provisioning`, `email_invites`); to switch, shrink this
 * list. Any value other than null counts as passed, an empty array included.
 */
export const AUTH_SETTING_FIELDS: readonly string[] = [
  'sso_jit_provisioning',
  'email_allowed_domains',
  'email_jit_provisioning',
  'email_invites',
  'auth_methods',
  'allowed_auth_methods',
  'mfa_policy',
  'mfa_methods',
  'allowed_mfa_methods',
  'oauth_tenant_jit_provisioning',
  'allowed_oauth_tenants',
];

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
    // Same characters and length as a member's external id, unique within the project (A11.9).
    if (externalId !== '') checkExternalIdFormat(externalId, 'organization_external_id');
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
    // Common, malformed and repeated domains are refused (reference A11.6; names android-enum, 400 [INF]).
    const lowered = domains.map((d) => d.toLowerCase());
    const common = lowered.find((d) => COMMON_DOMAINS.has(d));
    if (common) throw badRequest('organization_settings_domain_too_common', `The domain ${common} is too common to be an allowed domain.`);
    if (lowered.some((d) => !DOMAIN.test(d))) throw badRequest('organization_settings_invalid_domain', 'Each allowed domain must be a domain name such as example.com.', { field: 'email_allowed_domains' });
    if (new Set(lowered).size !== lowered.length) throw badRequest('organization_settings_duplicate_domain', 'An allowed domain is listed twice.', { field: 'email_allowed_domains' });
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
  if (body.custom_roles !== undefined && body.custom_roles !== null) org.custom_roles = readRoles(body.custom_roles, 'custom_roles');
}

/**
 * The configuration rules an organization must satisfy after a create or update (reference
 * A11.6, https://stytch.com/docs/multi-tenant-auth/enterprise-ready/org-management/org-configuration-rules).
 * Only `allowed_auth_methods_required_for_restricted` has a documented status (400); the other
 * names are android-enum's and 400 is the emulator's choice [INF].
 */
function checkConfiguration(org: Organization): void {
  // "At least one auth setting RESTRICTED or ALL_ALLOWED to provision new Members".
  if (org.sso_jit_provisioning === 'NOT_ALLOWED' && org.email_jit_provisioning === 'NOT_ALLOWED' && org.email_invites === 'NOT_ALLOWED') {
    throw badRequest('too_restrictive_organization_settings', 'sso_jit_provisioning, email_jit_provisioning and email_invites cannot all be NOT_ALLOWED: the organization could never add members.');
  }
  for (const field of ['email_jit_provisioning', 'email_invites'] as const) {
    if (org[field] === 'RESTRICTED' && org.email_allowed_domains.length === 0) {
      throw badRequest('invalid_restricted_email_setting', `${field} cannot be RESTRICTED while email_allowed_domains is empty.`, { field });
    }
  }
  if (org.auth_methods === 'RESTRICTED' && org.allowed_auth_methods.length === 0) {
    throw badRequest('allowed_auth_methods_required_for_restricted', 'auth_methods RESTRICTED needs a non-empty allowed_auth_methods.', { field: 'allowed_auth_methods' });
  }
  if (org.mfa_methods === 'RESTRICTED' && org.allowed_mfa_methods.length === 0) {
    throw badRequest('allowed_mfa_methods_required_for_restricted', 'mfa_methods RESTRICTED needs a non-empty allowed_mfa_methods.', { field: 'allowed_mfa_methods' });
  }
}

/** Applies a body to a copy, checks the rules, then commits: a refused call changes nothing. */
function applyChecked(state: EmulatorState, org: Organization, body: Body): void {
  const draft = structuredClone(org);
  applySettings(state, draft, body);
  checkConfiguration(draft);
  Object.assign(org, draft);
  if (body.custom_roles !== undefined && body.custom_roles !== null) state.orgPolicies.set(org.organization_id, { roles: structuredClone(org.custom_roles) });
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
  // Without any auth setting an org accepts invites from anyone; once one is given, invites
  // default to NOT_ALLOWED (reference A11.8; the set is AUTH_SETTING_FIELDS).
  const hasAuthSettings = AUTH_SETTING_FIELDS.some((field) => body[field] !== undefined && body[field] !== null);
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
  // The doc sentence calls the slug required, the SDK type marks it optional (A11.8, A16.6):
  // the emulator follows the type and derives a free slug from the name when none is given [INF].
  const slug = optString(body, 'organization_slug');
  if (slug === undefined || slug === '') org.organization_slug = uniqueSlug(state, slugify(name));
  applyChecked(state, org, slug === '' ? { ...body, organization_slug: undefined } : body);
  state.organizations.set(org.organization_id, org);
  return org;
}

export function updateOrganization(state: EmulatorState, org: Organization, body: Body): Organization {
  applyChecked(state, org, body);
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
