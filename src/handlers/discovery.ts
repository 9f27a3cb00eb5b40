/**
 * Discovery after an organization-less login: list the member's organizations, join one
 * (exchange the IST), or create one. The IST is read only from its HttpOnly cookie, never from
 * the query, body or a header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveredOrganization } from '../client/types.js';
import { AuthenticationError } from '../errors.js';
import { sendJson } from '../middleware/respond.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { completePrimary, sendOutcome } from './flow.js';
import type { RouteContext } from './route-context.js';

/** One organization the pending login can enter, as the picker page needs it. */
export interface DiscoveredOrganizationView {
  organizationId: string;
  organizationName: string;
  organizationSlug: string;
  organizationLogoUrl: string;
  membershipType: string;
  memberAuthenticated: boolean;
  mfaRequired: boolean;
  primaryRequired: boolean;
}

function requireIst(req: IncomingMessage, rc: RouteContext): string {
  const ist = rc.flow.readIst(req);
  if (ist === undefined) throw new AuthenticationError('intermediate_session_missing', 'No sign-in is pending. Start again.');
  return ist;
}

function view(org: DiscoveredOrganization): DiscoveredOrganizationView {
  return {
    organizationId: org.organization.organization_id,
    organizationName: org.organization.organization_name,
    organizationSlug: org.organization.organization_slug,
    organizationLogoUrl: org.organization.organization_logo_url ?? '',
    membershipType: org.membership.type,
    memberAuthenticated: org.member_authenticated,
    mfaRequired: org.mfa_required !== null && org.mfa_required !== undefined,
    primaryRequired: org.primary_required !== null && org.primary_required !== undefined,
  };
}

/** `GET /discovery/organizations`: the organizations of the pending login (does not consume the IST). */
export async function listDiscoveredOrganizations(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const ist = requireIst(req, rc);
  const result = await rc.client.discovery.organizations.list({ intermediate_session_token: ist });
  sendJson(res, 200, { emailAddress: result.email_address, organizations: result.discovered_organizations.map(view) });
}

/** `POST /discovery/exchange` `{ organization_id }`: enter an organization with the pending login. */
export async function exchangeDiscovery(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  const organizationId = requireField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const ist = requireIst(req, rc);
  const result = await rc.client.discovery.intermediateSessions.exchange({
    intermediate_session_token: ist,
    organization_id: organizationId,
    ...rc.cfg.sessionFields,
  });
  sendOutcome(req, res, await completePrimary(req, res, rc, result, 'discovery_exchange'));
}

// 1-128 characters, no control characters (reference 6.1).
// eslint-disable-next-line no-control-regex
const ORGANIZATION_NAME = /^[^\x00-\x1f\x7f]{1,128}$/u;

/** `POST /discovery/organizations` `{ organization_name, organization_slug? }`: create an organization and enter it. */
export async function createDiscoveredOrganization(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  const name = requireField(fields, 'organization_name', ORGANIZATION_NAME, 'invalid_organization_name');
  const slug = optionalField(fields, 'organization_slug', FIELD_RULES.organization, 'invalid_organization_slug');
  const ist = requireIst(req, rc);
  const result = await rc.client.discovery.organizations.create({
    intermediate_session_token: ist,
    organization_name: name,
    ...(slug === undefined ? {} : { organization_slug: slug }),
    ...rc.cfg.sessionFields,
  });
  sendOutcome(req, res, await completePrimary(req, res, rc, result, 'discovery_create'));
}
