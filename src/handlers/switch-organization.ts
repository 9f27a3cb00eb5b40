/**
 * `POST /switch-organization` `{ organization_id }`: move the signed-in member's session into
 * another organization with `sessions/exchange`. New session cookies, or an IST and the MFA
 * page when the target organization asks for more.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getStytchContext } from '../middleware/context.js';
import { FIELD_RULES, readBody, requireField } from './body.js';
import { completePrimary, sendOutcome, sessionCredential } from './flow.js';
import type { ResolvedRoutesConfig } from './options.js';

/** Handler of the organization switch route. */
export async function switchOrganization(req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig): Promise<void> {
  const credential = sessionCredential(req);
  const fields = await readBody(req, cfg.maxBodyBytes);
  const organizationId = requireField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const ctx = getStytchContext(req);
  const duration = cfg.sessionDurationMinutes ?? ctx.config.sessionDurationMinutes;
  const result = await ctx.client.sessions.exchange({
    organization_id: organizationId,
    ...credential,
    ...(duration === undefined ? {} : { session_duration_minutes: duration }),
  });
  sendOutcome(req, res, await completePrimary(req, res, cfg, result, 'switch_organization'));
}
