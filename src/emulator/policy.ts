/** The default project RBAC policy (reference 4.3: Stytch's default roles and resources; actions per A6.5). */
import type { RbacPolicy } from '../client/types.js';

const ORGANIZATION_ACTIONS = [
  'update.info.name', 'update.info.slug', 'update.info.logo-url', 'update.settings.allowed-auth-methods',
  'update.settings.allowed-mfa-methods', 'update.settings.email-jit-provisioning', 'update.settings.email-invites',
  'update.settings.allowed-domains', 'update.settings.default-sso-connection', 'update.settings.sso-jit-provisioning',
  'update.settings.mfa-policy', 'update.settings.implicit-roles', 'update.settings.oauth-tenant-jit-provisioning',
  'update.settings.allowed-oauth-tenants', 'delete',
];
const MEMBER_ACTIONS = [
  'create', 'update.info.name', 'update.info.email', 'update.info.untrusted-metadata', 'update.info.mfa-phone', 'update.info.delete.mfa-phone',
  'update.info.delete.mfa-totp', 'update.info.delete.password', 'update.info.unlink.retired-email', 'update.settings.is-breakglass',
  'update.settings.mfa-enrolled', 'update.settings.default-mfa-method', 'update.settings.roles', 'search', 'delete', 'revoke-sessions',
  'get.connected-apps', 'revoke.connected-app',
];
const CRUD = ['create', 'get', 'update', 'delete'];
const SELF_ACTIONS = [
  'update.info.name', 'update.info.email', 'update.info.untrusted-metadata', 'update.info.mfa-phone', 'update.info.delete.mfa-phone',
  'update.info.delete.password', 'update.info.delete.mfa-totp', 'update.info.unlink.retired-email', 'update.settings.mfa-enrolled',
  'update.settings.default-mfa-method', 'delete', 'revoke-sessions', 'get.connected-apps', 'revoke.connected-app',
];

export function defaultPolicy(): RbacPolicy {
  return {
    roles: [
      {
        role_id: 'stytch_member',
        description: 'Granted to all Members upon creation; grants permissions already implicitly granted to logged in Members via the SDK.',
        permissions: [{ resource_id: 'stytch.self', actions: ['*'] }],
      },
      {
        role_id: 'stytch_admin',
        description: 'Granted to Members who create an organization through the Stytch discovery flow.',
        permissions: ['stytch.organization', 'stytch.member', 'stytch.sso', 'stytch.scim'].map((resource_id) => ({ resource_id, actions: ['*'] })),
      },
    ],
    resources: [
      { resource_id: 'stytch.organization', description: 'The Organization of the logged-in Member.', actions: ORGANIZATION_ACTIONS },
      { resource_id: 'stytch.member', description: 'All Members of the Organization.', actions: MEMBER_ACTIONS },
      { resource_id: 'stytch.sso', description: 'SSO connections of the Organization.', actions: CRUD },
      { resource_id: 'stytch.scim', description: 'SCIM connections of the Organization.', actions: CRUD },
      { resource_id: 'stytch.self', description: 'The logged-in Member.', actions: SELF_ACTIONS },
    ],
    scopes: [],
  };
}
