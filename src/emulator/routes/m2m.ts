/** M2M client administration and the public OAuth2 token and introspection endpoints (addendum A7, A8.5). */
import {
  createM2MClient,
  introspect,
  issueM2MToken,
  m2mClientView,
  requireM2MClient,
  rotate,
  rotateStart,
  searchM2MClients,
  updateM2MClient,
} from '../m2m.js';
import type { Router } from '../router.js';

export function m2mRoutes(router: Router): void {
  router.add('POST', '/v1/m2m/clients', ({ state, body }) => {
    const { client, secret } = createM2MClient(state, body);
    return { m2m_client: { ...m2mClientView(client), client_secret: secret } };
  });
  router.add('POST', '/v1/m2m/clients/search', ({ state, body }) => searchM2MClients(state, body));
  router.add('GET', '/v1/m2m/clients/:client_id', ({ state, params }) => ({ m2m_client: m2mClientView(requireM2MClient(state, params.client_id ?? '')) }));
  router.add('PUT', '/v1/m2m/clients/:client_id', ({ state, params, body }) => ({ m2m_client: m2mClientView(updateM2MClient(state, params.client_id ?? '', body)) }));
  router.add('DELETE', '/v1/m2m/clients/:client_id', ({ state, params }) => {
    const client = requireM2MClient(state, params.client_id ?? '');
    state.m2mClients.delete(client.client_id);
    return { client_id: client.client_id };
  });
  router.add('POST', '/v1/m2m/clients/:client_id/secrets/rotate/start', ({ state, params }) => ({ m2m_client: rotateStart(state, params.client_id ?? '') }));
  router.add('POST', '/v1/m2m/clients/:client_id/secrets/rotate', ({ state, params }) => ({ m2m_client: m2mClientView(rotate(state, params.client_id ?? '', false)) }));
  router.add('POST', '/v1/m2m/clients/:client_id/secrets/rotate/cancel', ({ state, params }) => ({ m2m_client: m2mClientView(rotate(state, params.client_id ?? '', true)) }));

  // Authenticated by the client's own credentials, never the project secret (addendum A7.1).
  router.add('POST', '/v1/public/:project_id/oauth2/token', ({ state, params, body, headers }) => issueM2MToken(state, params.project_id ?? '', body, headers), { isPublic: true });
  router.add('POST', '/v1/public/:project_id/oauth2/introspect', ({ state, params, body, headers }) => introspect(state, params.project_id ?? '', body, headers), { isPublic: true });
}
