/**
 * SSO connection administration (addendum A3.1). Every call honours member-session headers with
 * the `stytch.sso` action the addendum's A6.2 table names.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Organization } from '../../client/types.js';
import { requireMemberPermission } from '../member-auth.js';
import { requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import {
  createExternal,
  createOidc,
  createSaml,
  deleteConnection,
  deleteEncryptionPrivateKey,
  deleteVerificationCertificate,
  listConnections,
  updateExternal,
  updateOidc,
  updateSaml,
  updateSamlByUrl,
} from '../sso-connections.js';
import type { EmulatorState } from '../state.js';

type SsoAction = 'create' | 'get' | 'update' | 'delete';

function orgFor(state: EmulatorState, headers: IncomingHttpHeaders, organizationId: string | undefined, action: SsoAction): Organization {
  const org = requireOrganization(state, organizationId ?? '');
  requireMemberPermission(state, headers, org, 'stytch.sso', action);
  return org;
}

export function ssoAdminRoutes(router: Router): void {
  router.add('GET', '/v1/b2b/sso/:organization_id', ({ state, params, headers }) => listConnections(state, orgFor(state, headers, params.organization_id, 'get')));

  router.add('DELETE', '/v1/b2b/sso/:organization_id/connections/:connection_id', ({ state, params, headers }) => {
    const connectionId = params.connection_id ?? '';
    deleteConnection(state, orgFor(state, headers, params.organization_id, 'delete'), connectionId);
    return { connection_id: connectionId };
  });

  router.add('POST', '/v1/b2b/sso/saml/:organization_id', ({ state, params, body, headers }) => ({
    connection: createSaml(state, orgFor(state, headers, params.organization_id, 'create'), body),
  }));

  router.add('PUT', '/v1/b2b/sso/saml/:organization_id/connections/:connection_id', ({ state, params, body, headers }) => ({
    connection: updateSaml(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', body),
  }));

  router.add('PUT', '/v1/b2b/sso/saml/:organization_id/connections/:connection_id/url', ({ state, params, body, headers }) => ({
    connection: updateSamlByUrl(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', body),
  }));

  router.add('DELETE', '/v1/b2b/sso/saml/:organization_id/connections/:connection_id/verification_certificates/:certificate_id', ({ state, params, headers }) => {
    const certificateId = params.certificate_id ?? '';
    deleteVerificationCertificate(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', certificateId);
    return { certificate_id: certificateId };
  });

  router.add('DELETE', '/v1/b2b/sso/saml/:organization_id/connections/:connection_id/encryption_private_keys/:private_key_id', ({ state, params, headers }) => {
    const keyId = params.private_key_id ?? '';
    deleteEncryptionPrivateKey(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', keyId);
    return { private_key_id: keyId };
  });

  router.add('POST', '/v1/b2b/sso/oidc/:organization_id', ({ state, params, body, headers }) => ({
    connection: createOidc(state, orgFor(state, headers, params.organization_id, 'create'), body),
  }));

  router.add('PUT', '/v1/b2b/sso/oidc/:organization_id/connections/:connection_id', ({ state, params, body, headers }) =>
    updateOidc(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', body));

  router.add('POST', '/v1/b2b/sso/external/:organization_id', ({ state, params, body, headers }) => ({
    connection: createExternal(state, orgFor(state, headers, params.organization_id, 'create'), body),
  }));

  router.add('PUT', '/v1/b2b/sso/external/:organization_id/connections/:connection_id', ({ state, params, body, headers }) => ({
    connection: updateExternal(state, orgFor(state, headers, params.organization_id, 'update'), params.connection_id ?? '', body),
  }));
}
