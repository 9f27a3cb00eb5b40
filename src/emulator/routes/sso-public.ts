/**
 * Browser-facing SSO/OAuth endpoints (addendum A3.2, A4.1) and the built-in IdP page's form.
 * Stytch redirects the start call to the real IdP; the emulator answers it with the IdP page
 * itself, whose form posts back here and is answered with a 303 to the app.
 */
import { idpFormPath, startDiscoveryOAuth, startOAuth, startSso, submitFlow } from '../idp-page-flows.js';
import { renderIdpPage, seeOther } from '../idp-page.js';
import type { Router } from '../router.js';

export function ssoPublicRoutes(router: Router): void {
  router.addPage('GET', '/v1/public/sso/start', ({ state, query }) => {
    const { flow, organization, connectionName } = startSso(state, query);
    return renderIdpPage(flow, idpFormPath(flow.id), { organizationName: organization.organization_name, connectionName });
  });

  router.addPage('GET', '/v1/b2b/public/oauth/:provider/start', ({ state, params, query }) => {
    const { flow, organization } = startOAuth(state, params.provider ?? '', query);
    return renderIdpPage(flow, idpFormPath(flow.id), { organizationName: organization.organization_name });
  });

  router.addPage('GET', '/v1/b2b/public/oauth/:provider/discovery/start', ({ state, params, query }) => {
    const flow = startDiscoveryOAuth(state, params.provider ?? '', query);
    return renderIdpPage(flow, idpFormPath(flow.id), {});
  });

  router.addPage('POST', '/emulator-idp/flows/:flow_id', ({ state, params, form }) => seeOther(submitFlow(state, params.flow_id ?? '', form)));
}
