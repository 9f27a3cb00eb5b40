/** Member sessions: creation, JWT minting (reference 3.2), lookup by token or JWT, views. */
import type { AuthenticationFactor, MemberSession, Organization } from '../client/types.js';
import { badRequest, sessionNotFound, unauthorized } from './http-errors.js';
import { newId, newToken, rfc3339 } from './ids.js';
import { checkJwt, signJwt } from './jwt.js';
import { memberRoleIds, memberView } from './members.js';
import type { EmulatorState, MemberRecord, SessionRecord } from './state.js';
import { isPlainObject, optInt, optString, type Body } from './validate.js';

const MINUTE = 60_000;
// The JWT claim names Stytch uses (reference 3.2); the emulator keeps its own copy, sharing only types.
const SESSION_CLAIM = 'https://stytch.com/session';
const ORGANIZATION_CLAIM = 'https://stytch.com/organization';
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);
const MAX_CUSTOM_CLAIMS_BYTES = 4096;

/** Reads `session_duration_minutes` (5..527040, reference 3.1). */
export function readDuration(body: Body): number | undefined {
  return optInt(body, 'session_duration_minutes', 5, 527_040, 'invalid_session_duration_minutes');
}

/**
 * Merges `session_custom_claims` into existing claims: `null` deletes a key, the registered JWT
 * names are ignored, Stytch's own claim namespace is refused, and the total stays under 4 KB.
 */
export function mergeCustomClaims(existing: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (patch === undefined || patch === null) return existing;
  if (!isPlainObject(patch)) throw badRequest('invalid_argument', "The field 'session_custom_claims' must be an object.", { field: 'session_custom_claims' });
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (RESERVED_CLAIMS.has(key)) continue;
    if (key.startsWith('https://stytch.com/')) throw badRequest('stytch_claims_in_custom_claims', 'Custom claims may not use the https://stytch.com/ namespace.');
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(merged)) > MAX_CUSTOM_CLAIMS_BYTES) {
    throw badRequest('custom_claims_too_large', 'Session custom claims must not exceed 4 KB.');
  }
  return merged;
}

export function createSession(state: EmulatorState, member: MemberRecord, factors: AuthenticationFactor[], durationMinutes = 60, customClaims: Record<string, unknown> = {}): SessionRecord {
  const now = state.now();
  const session: SessionRecord = {
    member_session_id: newId('session'),
    member_id: member.member_id,
    organization_id: member.organization_id,
    session_token: newToken(),
    started_at: now,
    last_accessed_at: now,
    expires_at: now + durationMinutes * MINUTE,
    factors,
    custom_claims: customClaims,
  };
  state.sessions.set(session.member_session_id, session);
  state.sessionsByToken.set(session.session_token, session);
  return session;
}

export function revokeSession(state: EmulatorState, session: SessionRecord): void {
  state.sessions.delete(session.member_session_id);
  state.sessionsByToken.delete(session.session_token);
}

export function revokeMemberSessions(state: EmulatorState, memberId: string): void {
  for (const session of [...state.sessions.values()]) if (session.member_id === memberId) revokeSession(state, session);
}

/** The live session (not expired, member still present) or undefined; expired ones are dropped. */
function alive(state: EmulatorState, session: SessionRecord | undefined): { session: SessionRecord; member: MemberRecord; org: Organization } | undefined {
  if (!session) return undefined;
  const member = state.members.get(session.member_id);
  const org = state.organizations.get(session.organization_id);
  if (state.now() >= session.expires_at || !member || member.status === 'deleted' || !org) {
    revokeSession(state, session);
    return undefined;
  }
  return { session, member, org };
}

export function sessionByToken(state: EmulatorState, token: string) {
  return alive(state, state.sessionsByToken.get(token));
}

export function sessionById(state: EmulatorState, id: string) {
  return alive(state, state.sessions.get(id));
}

/**
 * Resolves a session JWT: the signature must verify against a published key and the issuer and
 * audience must be this project's, but `exp` is ignored (an expired JWT of a live session is
 * how clients refresh, reference 2.2).
 */
export function sessionByJwt(state: EmulatorState, jwt: string) {
  const checked = checkJwt(state.keys, jwt);
  if (!checked.ok) {
    // Error names for bad JWTs are not documented: `unable_to_parse_session_jwt` is in the SDK's
    // error enum; `invalid_session_jwt` (401) is our own name for a genuine-looking forgery.
    if (checked.reason === 'malformed') throw badRequest('unable_to_parse_session_jwt', 'The session JWT could not be parsed.');
    throw unauthorized('invalid_session_jwt', 'The session JWT signature could not be verified.');
  }
  const { payload } = checked;
  const { projectId, issuer, url } = state.settings;
  const aud = payload.aud;
  const audOk = aud === projectId || (Array.isArray(aud) && aud.includes(projectId));
  if (!audOk || (payload.iss !== issuer && payload.iss !== url)) {
    throw unauthorized('invalid_session_jwt', 'The session JWT was not issued for this project.');
  }
  const claim = payload[SESSION_CLAIM];
  const id = isPlainObject(claim) ? claim.id : undefined;
  if (typeof id !== 'string') throw unauthorized('invalid_session_jwt', 'The session JWT has no session claim.');
  const found = sessionById(state, id);
  if (!found || found.session.member_id !== payload.sub) throw sessionNotFound();
  return found;
}

/** Exactly one of `session_token` / `session_jwt` (400 `no_session_arguments` / `too_many_session_arguments`). */
export function sessionFromBody(state: EmulatorState, body: Body) {
  const token = optString(body, 'session_token');
  const jwt = optString(body, 'session_jwt');
  const hasToken = token !== undefined && token !== '';
  const hasJwt = jwt !== undefined && jwt !== '';
  if (hasToken && hasJwt) throw badRequest('too_many_session_arguments', 'Pass only one of session_token or session_jwt.');
  if (!hasToken && !hasJwt) throw badRequest('no_session_arguments', 'Pass one of session_token or session_jwt.');
  const found = hasToken ? sessionByToken(state, token) : sessionByJwt(state, jwt as string);
  if (!found) throw sessionNotFound();
  return found;
}

/** The optional session of a primary/MFA call: undefined when neither field is given. */
export function optionalSessionFromBody(state: EmulatorState, body: Body) {
  const token = optString(body, 'session_token');
  const jwt = optString(body, 'session_jwt');
  if ((token === undefined || token === '') && (jwt === undefined || jwt === '')) return undefined;
  return sessionFromBody(state, body);
}

export function memberSessionView(state: EmulatorState, session: SessionRecord, member: MemberRecord, org: Organization): MemberSession {
  return {
    member_session_id: session.member_session_id,
    member_id: session.member_id,
    organization_id: session.organization_id,
    organization_slug: org.organization_slug,
    started_at: rfc3339(session.started_at),
    last_accessed_at: rfc3339(session.last_accessed_at),
    expires_at: rfc3339(session.expires_at),
    authentication_factors: structuredClone(session.factors),
    roles: memberRoleIds(state, member),
    custom_claims: { ...session.custom_claims },
  };
}

export function mintSessionJwt(state: EmulatorState, view: MemberSession, org: Organization): string {
  const iat = Math.floor(state.now() / 1000);
  const { projectId, issuer } = state.settings;
  const payload: Record<string, unknown> = {
    ...view.custom_claims,
    aud: [projectId],
    iss: issuer,
    sub: view.member_id,
    iat,
    nbf: iat,
    exp: iat + 300,
    [SESSION_CLAIM]: {
      id: view.member_session_id,
      started_at: view.started_at,
      last_accessed_at: view.last_accessed_at,
      expires_at: view.expires_at,
      attributes: { ip_address: '', user_agent: '' },
      authentication_factors: view.authentication_factors,
      roles: view.roles,
    },
    [ORGANIZATION_CLAIM]: { organization_id: org.organization_id, slug: org.organization_slug },
  };
  return signJwt(state.keys.current, payload);
}

/** `member_session`, `session_token`, `session_jwt`, `member`, `organization` for a session. */
export function sessionResponse(state: EmulatorState, session: SessionRecord, member: MemberRecord, org: Organization) {
  const memberSession = memberSessionView(state, session, member, org);
  return {
    member_id: member.member_id,
    organization_id: org.organization_id,
    member_session: memberSession,
    session_token: session.session_token,
    session_jwt: mintSessionJwt(state, memberSession, org),
    member: memberView(state, member),
    organization: structuredClone(org),
  };
}

/** Adds (or refreshes) a factor on a session. */
export function addFactor(session: SessionRecord, factor: AuthenticationFactor): void {
  const same = (f: AuthenticationFactor): boolean => f.type === factor.type && f.delivery_method === factor.delivery_method;
  session.factors = [...session.factors.filter((f) => !same(f)), factor];
}

export function extendSession(state: EmulatorState, session: SessionRecord, durationMinutes: number | undefined): void {
  const now = state.now();
  session.last_accessed_at = now;
  if (durationMinutes !== undefined) session.expires_at = now + durationMinutes * MINUTE;
}
