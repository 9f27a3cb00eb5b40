/** `/v1/b2b/organizations*` (reference 6.1). */
import type { Organization } from '../../client/types.js';
import { badRequest } from '../http-errors.js';
import { refuseTrustedMetadataAsMember, requireMemberPermission, requirePermissions } from '../member-auth.js';
import { createOrganization, deleteOrganization, requireOrganization, updateOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import type { EmulatorState } from '../state.js';
import { isPlainObject, optInt, optString, type Body } from '../validate.js';

/**
 * The `stytch.organization` action each `organizations.update` field needs with a member-session
 * header (reference A6.3, from the SDK doc comments in `types/lib/b2b/organizations.d.ts`).
 */
export const ORGANIZATION_FIELD_ACTIONS: Readonly<Record<string, string>> = {
  organization_name: 'update.info.name',
  organization_slug: 'update.info.slug',
  organization_logo_url: 'update.info.logo-url',
  sso_default_connection_id: 'update.settings.default-sso-connection',
  sso_jit_provisioning: 'update.settings.sso-jit-provisioning',
  sso_jit_provisioning_allowed_connections: 'update.settings.sso-jit-provisioning',
  email_allowed_domains: 'update.settings.allowed-domains',
  email_jit_provisioning: 'update.settings.email-jit-provisioning',
  email_invites: 'update.settings.email-invites',
  auth_methods: 'update.settings.allowed-auth-methods',
  allowed_auth_methods: 'update.settings.allowed-auth-methods',
  mfa_policy: 'update.settings.mfa-policy',
  rbac_email_implicit_role_assignments: 'update.settings.implicit-roles',
  mfa_methods: 'update.settings.allowed-mfa-methods',
  allowed_mfa_methods: 'update.settings.allowed-mfa-methods',
  oauth_tenant_jit_provisioning: 'update.settings.oauth-tenant-jit-provisioning',
  allowed_oauth_tenants: 'update.settings.allowed-oauth-tenants',
  // No RBAC note in the docs for these (A6.3, A16.9). Emulator choice [INF]: only a role with
  // `*` on stytch.organization may set them. `custom_roles` is an emulator extension.
  organization_external_id: '*',
  claimed_email_domains: '*',
  first_party_connected_apps_allowed_type: '*',
  allowed_first_party_connected_apps: '*',
  third_party_connected_apps_allowed_type: '*',
  allowed_third_party_connected_apps: '*',
  custom_roles: '*',
};

type Operand = { filter_name: string; filter_value: unknown };

function readQuery(body: Body): { operator: 'AND' | 'OR'; operands: Operand[] } | undefined {
  const query = body.query;
  if (query === undefined || query === null) return undefined;
  if (!isPlainObject(query) || !Array.isArray(query.operands)) throw badRequest('invalid_argument', "The field 'query' must be { operator, operands: [] }.", { field: 'query' });
  const operator = query.operator === 'OR' ? 'OR' : 'AND';
  const operands = query.operands.map((operand) => {
    if (!isPlainObject(operand) || typeof operand.filter_name !== 'string') throw badRequest('invalid_argument', 'Each operand needs a filter_name and filter_value.', { field: 'query' });
    return { filter_name: operand.filter_name, filter_value: operand.filter_value };
  });
  return { operator, operands };
}

export function values(operand: Operand): string[] {
  const v = operand.filter_value;
  if (typeof v === 'string') return [v.toLowerCase()];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return (v).map((x) => x.toLowerCase());
  if (typeof v === 'boolean') return [String(v)];
  throw badRequest('invalid_argument', `The filter '${operand.filter_name}' needs a string or an array of strings.`, { field: 'query' });
}

function orgMatches(state: EmulatorState, org: Organization, operand: Operand): boolean {
  const wanted = values(operand);
  const fuzzy = (text: string): boolean => wanted.some((w) => text.toLowerCase().includes(w));
  const emails = (): string[] => [...state.members.values()].filter((m) => m.organization_id === org.organization_id && m.status !== 'deleted').map((m) => m.email_address);
  switch (operand.filter_name) {
    case 'organization_ids': return wanted.includes(org.organization_id.toLowerCase());
    case 'organization_slugs': return wanted.includes(org.organization_slug.toLowerCase());
    case 'organization_name_fuzzy': return fuzzy(org.organization_name);
    case 'organization_slug_fuzzy': return fuzzy(org.organization_slug);
    case 'member_emails': return emails().some((e) => wanted.includes(e));
    case 'member_email_fuzzy': return emails().some(fuzzy);
    case 'allowed_domains': return org.email_allowed_domains.some((d) => wanted.includes(d));
    case 'allowed_domain_fuzzy': return org.email_allowed_domains.some(fuzzy);
    case 'claimed_email_domains': return org.claimed_email_domains.some((d) => wanted.includes(d));
    case 'has_active_sso_connection': return (org.sso_active_connections.length > 0) === (wanted[0] === 'true');
    case 'sso_connection_id': return org.sso_active_connections.some((c) => wanted.includes(c.connection_id.toLowerCase()));
    default: throw badRequest('invalid_search_filter', `Unknown filter '${operand.filter_name}'.`, { field: 'query' });
  }
}

/** Offset pagination with an opaque-looking cursor. */
export function paginate<T>(items: T[], body: Body): { page: T[]; results_metadata: { total: number; next_cursor: string | null } } {
  const limit = optInt(body, 'limit', 1, 1000) ?? 100;
  const cursor = optString(body, 'cursor');
  let offset = 0;
  if (cursor) {
    offset = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('invalid_cursor', 'The cursor is not valid.');
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
  return { page, results_metadata: { total: items.length, next_cursor: next } };
}

export function search<T>(items: T[], body: Body, matches: (item: T, operand: Operand) => boolean): T[] {
  const query = readQuery(body);
  if (!query || query.operands.length === 0) return items;
  return items.filter((item) => (query.operator === 'AND' ? query.operands.every((o) => matches(item, o)) : query.operands.some((o) => matches(item, o))));
}

export function organizationRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/organizations', ({ state, body }) => ({ organization: structuredClone(createOrganization(state, body)) }));

  router.add('POST', '/v1/b2b/organizations/search', ({ state, body }) => {
    const found = search([...state.organizations.values()], body, (org, operand) => orgMatches(state, org, operand));
    const { page, results_metadata } = paginate(found, body);
    return { organizations: page.map((org) => structuredClone(org)), results_metadata };
  });

  router.add('GET', '/v1/b2b/organizations/:organization_id', ({ state, params }) => ({
    organization: structuredClone(requireOrganization(state, params.organization_id ?? '')),
  }));

  router.add('PUT', '/v1/b2b/organizations/:organization_id', ({ state, params, body, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const needed = Object.entries(ORGANIZATION_FIELD_ACTIONS)
      .filter(([field]) => body[field] !== undefined && body[field] !== null)
      .map(([, action]) => ({ resource: 'stytch.organization', action }));
    // A6.6 order: tenancy, then trusted_metadata, then each field's action.
    refuseTrustedMetadataAsMember(requirePermissions(state, headers, org, []), body);
    requirePermissions(state, headers, org, needed);
    return { organization: structuredClone(updateOrganization(state, org, body)) };
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id', ({ state, params, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    requireMemberPermission(state, headers, org, 'stytch.organization', 'delete');
    deleteOrganization(state, org);
    return { organization_id: org.organization_id };
  });

  router.add('GET', '/v1/b2b/organizations/:organization_id/metrics', ({ state, params }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const count = [...state.members.values()].filter((m) => m.organization_id === org.organization_id && m.status !== 'deleted').length;
    return { member_count: count };
  });
}
