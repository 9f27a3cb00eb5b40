/**
 * `POST /switch-organization` `{ organization_id }`: move the signed-in member's session into
 * another organization with `sessions/exchange`. New session cookies, or an IST and the MFA
 * page when the target organization asks for more.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FIELD_RULES, readBody, requireField } from './body.js';
import { completePrimary, sendOutcome, sessionCredential } from './flow.js';
import type { RouteContext } from './route-context.js';

/** Handler of the organization switch route. */
export async function switchOrganization(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const credential = sessionCredential(req, rc);
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  const organizationId = requireField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const result = await rc.client.sessions.exchange({ organization_id: organizationId, ...credential, ...rc.cfg.sessionFields });
  sendOutcome(req, res, await completePrimary(req, res, rc, result, 'switch_organization'));
}
