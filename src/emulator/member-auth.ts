/**
 * Calls made "as a member" with `X-Stytch-Member-Session` / `X-Stytch-Member-SessionJWT`
 * (reference 1.2, 4.6, A6): the call runs with that member's RBAC permissions.
 *
 * The algorithm is the reference's A6.6: the session is looked up (unknown → 404
 * `session_not_found`), its member must belong to the organization the call names, and every
 * permission the call needs must be granted by one of the **session's** roles (`*` matches
 * every action), or, where the reference allows it, by `stytch.self` when the member acts on
 * themselves. Refusals are the documented 403 `session_authorization_error` (A12).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Organization } from '../client/types.js';
import { policyRoles } from './authorize.js';
import { ApiError } from './http-errors.js';
import { memberRoleIds } from './members.js';
import { sessionFromBody } from './sessions.js';
import type { EmulatorState, MemberRecord } from './state.js';

/** One permission a call needs: an action on a resource, optionally also accepted on `stytch.self`. */
export interface Needed {
  resource: string;
  action: string;
  /** Whether `stytch.self` with the same action suffices when the acting member is the target. */
  selfOk?: boolean;
}

/** The member behind the headers and the role ids of that session. */
export interface Actor {
  member: MemberRecord;
  roles: readonly string[];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The acting member, when the call carries member-session headers (token preferred over JWT). */
export function actingMember(state: EmulatorState, headers: IncomingHttpHeaders): Actor | undefined {
  const token = header(headers, 'x-stytch-member-session');
  const jwt = header(headers, 'x-stytch-member-sessionjwt');
  if (token === undefined && jwt === undefined) return undefined;
  const found = sessionFromBody(state, { session_token: token, session_jwt: token === undefined ? jwt : undefined });
  // The session's roles (reference A6.6, base 4.4). Sessions carry the roles their member holds
  // when the session is read (no SSO-connection roles are modelled), as member_session.roles does.
  return { member: found.member, roles: memberRoleIds(state, found.member) };
}

export function refused(): ApiError {
  return new ApiError(403, 'session_authorization_error', 'The Member is not authorized to perform the requested action on that resource.');
}

/** Whether one of the roles grants `action` (or `*`) on `resource` in the organization. */
export function rolesGrant(state: EmulatorState, organizationId: string, roles: readonly string[], resource: string, action: string): boolean {
  const held = new Set(roles);
  return policyRoles(state, organizationId).some(
    (role) => held.has(role.role_id) && role.permissions.some((p) => p.resource_id === resource && (p.actions.includes(action) || p.actions.includes('*'))),
  );
}

/**
 * When member-session headers are present: refuses a member of another organization (403, the
 * reference's tenancy rule A6.1.3; A12 lists org mismatch under `session_authorization_error`)
 * and any permission in `needed` the session lacks. Returns the actor, or undefined for a call
 * made with the project secret alone (no RBAC, A6.1.5).
 */
export function requirePermissions(
  state: EmulatorState,
  headers: IncomingHttpHeaders,
  org: Organization,
  needed: readonly Needed[],
  targetMemberId?: string,
): Actor | undefined {
  const actor = actingMember(state, headers);
  if (!actor) return undefined;
  if (actor.member.organization_id !== org.organization_id) throw refused();
  const self = targetMemberId !== undefined && targetMemberId === actor.member.member_id;
  for (const need of needed) {
    const ok = rolesGrant(state, org.organization_id, actor.roles, need.resource, need.action)
      || (need.selfOk === true && self && rolesGrant(state, org.organization_id, actor.roles, 'stytch.self', need.action));
    if (!ok) throw refused();
  }
  return actor;
}

/**
 * One permission; with `target.selfAction` set, `stytch.self` is accepted when the acting member
 * is `target.memberId` (the self action always has the same name as the member action).
 */
export function requireMemberPermission(
  state: EmulatorState,
  headers: IncomingHttpHeaders,
  org: Organization,
  resource: string,
  action: string,
  target?: { memberId: string; selfAction?: string },
): Actor | undefined {
  return requirePermissions(state, headers, org, [{ resource, action, selfOk: target?.selfAction !== undefined }], target?.memberId);
}

/**
 * `trusted_metadata` may never be written with a member-session header (organizations.update and
 * members.update, reference A6.3 / A6.4). The reference names `cannot_update_trusted_metadata`
 * (401 on the consumer errors page, for frontend SDK writes) but not the status of the B2B header
 * case (A16.10). Emulator choice [INF]: 403 `cannot_update_trusted_metadata`, since the session
 * itself is valid and the refusal is about what it may do.
 */
export function refuseTrustedMetadataAsMember(actor: Actor | undefined, body: Record<string, unknown>): void {
  if (actor && body.trusted_metadata !== undefined && body.trusted_metadata !== null) {
    throw new ApiError(403, 'cannot_update_trusted_metadata', 'Trusted metadata cannot be updated when acting as a Member.');
  }
}
