/** `/v1/b2b/sessions*`: authenticate, revoke, list, JWKS (reference section 2). */
import { authorize } from '../authorize.js';
import { badRequest, memberNotFound, notFound, sessionNotFound } from '../http-errors.js';
import { requireMemberPermission } from '../member-auth.js';
import { findMember, memberRoleIds } from '../members.js';
import { requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import {
  extendSession, memberSessionView, mergeCustomClaims, readDuration, revokeMemberSessions, revokeSession,
  sessionById, sessionByJwt, sessionByToken, sessionFromBody, sessionResponse,
} from '../sessions.js';
import { optNonEmpty } from '../validate.js';

export function sessionRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/sessions/authenticate', ({ state, body }) => {
    const { session, member, org } = sessionFromBody(state, body);
    const duration = readDuration(body);
    const claims = mergeCustomClaims(session.custom_claims, body.session_custom_claims);
    const check = body.authorization_check;
    // The check runs before anything changes: a refused call neither extends nor edits the session.
    const verdict = check === undefined || check === null ? undefined : authorize(state, org, memberRoleIds(state, member), check);
    session.custom_claims = claims;
    extendSession(state, session, duration);
    const response: Record<string, unknown> = sessionResponse(state, session, member, org);
    if (verdict) response.verdict = verdict;
    return response;
  });

  router.add('POST', '/v1/b2b/sessions/revoke', ({ state, body, headers }) => {
    const id = optNonEmpty(body, 'member_session_id');
    const token = optNonEmpty(body, 'session_token');
    const jwt = optNonEmpty(body, 'session_jwt');
    const memberId = optNonEmpty(body, 'member_id');
    const given = [id, token, jwt, memberId].filter((v) => v !== undefined).length;
    if (given === 0) throw badRequest('no_session_arguments', 'Pass one of member_session_id, session_token, session_jwt or member_id.');
    if (given > 1) throw badRequest('too_many_session_arguments', 'Pass only one of member_session_id, session_token, session_jwt or member_id.');
    if (memberId !== undefined) {
      const member = state.members.get(memberId);
      if (!member || member.status === 'deleted') throw memberNotFound();
      // Revoking a member's sessions as a member: `revoke-sessions` on stytch.member, or on
      // stytch.self for one's own (reference A6.2). Revoking one session by id/token/JWT has no
      // documented permission (A16.9) and stays unchecked.
      requireMemberPermission(state, headers, requireOrganization(state, member.organization_id), 'stytch.member', 'revoke-sessions', { memberId: member.member_id, selfAction: 'revoke-sessions' });
      revokeMemberSessions(state, member.member_id);
      return {};
    }
    const found = id !== undefined ? sessionById(state, id) : token !== undefined ? sessionByToken(state, token) : sessionByJwt(state, jwt as string);
    if (!found) throw sessionNotFound();
    revokeSession(state, found.session);
    return {};
  });

  router.add('GET', '/v1/b2b/sessions', ({ state, query }) => {
    const orgId = query.get('organization_id');
    const memberId = query.get('member_id');
    if (!orgId) throw badRequest('invalid_argument', "The query parameter 'organization_id' is required.", { field: 'organization_id' });
    if (!memberId) throw badRequest('invalid_argument', "The query parameter 'member_id' is required.", { field: 'member_id' });
    const org = requireOrganization(state, orgId);
    const member = findMember(state, org.organization_id, memberId);
    if (!member) throw memberNotFound();
    const member_sessions = [...state.sessions.values()]
      .filter((s) => s.member_id === member.member_id)
      .map((s) => sessionById(state, s.member_session_id))
      .filter((found) => found !== undefined)
      .map((found) => memberSessionView(state, found.session, found.member, found.org));
    return { member_sessions };
  });

  router.add(
    'GET',
    '/v1/b2b/sessions/jwks/:project_id',
    ({ state, params }) => {
      // Public, like production: jose fetches the JWKS without the Basic auth header.
      if (params.project_id !== state.settings.projectId) throw notFound('project_not_found', 'No project with this id.');
      return { keys: state.keys.jwks() };
    },
    { isPublic: true },
  );
}

