/**
 * Calls made "as a member" with `X-Stytch-Member-Session` / `X-Stytch-Member-SessionJWT`
 * (reference 1.2, 4.6): the call runs with that member's RBAC permissions.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Organization } from '../client/types.js';
import { authorize } from './authorize.js';
import { ApiError } from './http-errors.js';
import { memberRoleIds } from './members.js';
import { sessionFromBody } from './sessions.js';
import type { EmulatorState, MemberRecord } from './state.js';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The acting member, when the call carries member-session headers. */
export function actingMember(state: EmulatorState, headers: IncomingHttpHeaders): MemberRecord | undefined {
  const token = header(headers, 'x-stytch-member-session');
  const jwt = header(headers, 'x-stytch-member-sessionjwt');
  if (token === undefined && jwt === undefined) return undefined;
  return sessionFromBody(state, { session_token: token, session_jwt: token === undefined ? jwt : undefined }).member;
}

/**
 * When member-session headers are present, requires the acting member to hold `action` on
 * `resource` in `org` (or on `stytch.self` with `selfAction` when acting on themselves).
 */
export function requireMemberPermission(
  state: EmulatorState,
  headers: IncomingHttpHeaders,
  org: Organization,
  resource: string,
  action: string,
  target?: { memberId: string; selfAction?: string },
): void {
  const actor = actingMember(state, headers);
  if (!actor) return;
  const actorOrg = state.organizations.get(actor.organization_id);
  if (!actorOrg) throw new ApiError(403, 'session_authorization_tenancy_error', 'The acting member belongs to another organization.');
  const roles = memberRoleIds(state, actor);
  if (target && target.memberId === actor.member_id && target.selfAction) {
    try {
      authorize(state, actorOrg, roles, { organization_id: org.organization_id, resource_id: 'stytch.self', action: target.selfAction });
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.errorType !== 'session_authorization_error') throw error;
    }
  }
  authorize(state, actorOrg, roles, { organization_id: org.organization_id, resource_id: resource, action });
}
