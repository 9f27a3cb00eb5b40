/**
 * The self-service routes of `stytchAdminRoutes()`: the signed-in member's own profile, factors,
 * recovery codes and sessions. Removing a factor and showing or rotating recovery codes need a
 * factor proven within `maxFactorAgeSeconds`: from an old session they would turn a stolen cookie
 * into a lasting takeover. Recovery codes are shown once per fresh factor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError, StytchUnavailableError } from '../../errors.js';
import { hasRecentFactor } from '../../session/freshness.js';
import { logEvent } from '../../session/logger.js';
import type { AdminAnswer, AdminContext } from './context.js';
import { optionalEnum, optionalText } from './input.js';
import { AdminRouteError, asMember, invalidField, requirePermissions } from './permission.js';
import type { Permission } from './permission.js';
import { maskPhone, memberView, sessionView } from './views.js';

const self = (action: string): Permission => Object.freeze({ resource_id: 'stytch.self', action, alternative: 'stytch.member' });

/** The permission of each self route that needs one (Stytch also accepts `stytch.member`). */
export const SELF_PERMISSIONS = Object.freeze({
  name: self('update.info.name'),
  defaultMfaMethod: self('update.settings.default-mfa-method'),
  deletePhone: self('update.info.delete.mfa-phone'),
  deleteTotp: self('update.info.delete.mfa-totp'),
  revokeSessions: self('revoke-sessions'),
});

const UPDATABLE = new Set(['name', 'default_mfa_method']);
/** "Sign out everywhere": this app refuses the member's older sessions this long once Stytch confirmed (longer than any JWT lives)... */
const EVERYWHERE_CONFIRMED_MS = 600_000;
/** ...and this long when Stytch could not be told. */
const EVERYWHERE_PENDING_MS = 24 * 3_600_000;

function stepUp(message = 'Confirm it is you: sign in again or use your second factor, then retry.'): AuthorizationError {
  return new AuthorizationError('step_up_required', message);
}

function requireFreshFactor(ac: AdminContext): void {
  if (!hasRecentFactor(ac.auth.authenticationFactors, ac.now(), ac.cfg.maxFactorAgeMs)) throw stepUp();
}

/** When the session last proved a factor (epoch ms); the view-once record is keyed by it. */
function latestFactorAt(ac: AdminContext): number {
  let latest = 0;
  for (const factor of ac.auth.authenticationFactors) {
    const at = Date.parse(factor.last_authenticated_at);
    if (!Number.isNaN(at) && at > latest) latest = at;
  }
  return latest;
}

function viewKey(ac: AdminContext): string {
  return `stytch:admin:recovery-codes-shown:${ac.auth.sessionId}:${latestFactorAt(ac)}`;
}

async function me(ac: AdminContext): Promise<AdminAnswer> {
  const res = await asMember(undefined, () =>
    ac.client.organizations.members.get({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
  );
  const m = res.member;
  const totp = typeof m.totp_registration_id === 'string' && m.totp_registration_id !== '';
  return {
    status: 200,
    body: {
      member: memberView(m),
      factors: {
        phone: maskPhone(m.mfa_phone_number),
        totp,
        password: typeof m.member_password_id === 'string' && m.member_password_id !== '',
        // Recovery codes come with a TOTP registration.
        recovery_codes: totp,
        default_mfa_method: m.default_mfa_method ?? '',
      },
    },
  };
}

/** `GET /me` */
export function getMe(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  return me(ac);
}

/** `PATCH /me` `{ name?, default_mfa_method? }` */
export async function updateMe(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  for (const key of Object.keys(ac.fields)) {
    if (!UPDATABLE.has(key)) throw invalidField(/^[A-Za-z0-9_]{1,64}$/.test(key) ? key : 'body', 'This field cannot be changed here.');
  }
  const name = optionalText(ac.fields, 'name');
  const defaultMfaMethod = optionalEnum(ac.fields, 'default_mfa_method', ['sms_otp', 'totp']);
  const needed = [...(name === undefined ? [] : [SELF_PERMISSIONS.name]), ...(defaultMfaMethod === undefined ? [] : [SELF_PERMISSIONS.defaultMfaMethod])];
  if (needed.length === 0) throw new AdminRouteError('invalid_request', 400, 'Give name or default_mfa_method.', { field: 'body' });
  await requirePermissions(ac, needed);
  const res = await asMember(needed[0], () =>
    ac.client.organizations.members.update(
      {
        organization_id: ac.auth.organizationId,
        member_id: ac.auth.memberId,
        ...(name === undefined ? {} : { name }),
        ...(defaultMfaMethod === undefined ? {} : { default_mfa_method: defaultMfaMethod }),
      },
      { authorization: ac.authorization },
    ),
  );
  return { status: 200, body: { member: memberView(res.member) } };
}

/** `DELETE /me/mfa/phone` (fresh factor) */
export async function deleteMyPhone(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [SELF_PERMISSIONS.deletePhone]);
  requireFreshFactor(ac);
  const res = await asMember(SELF_PERMISSIONS.deletePhone, () =>
    ac.client.organizations.members.deleteMFAPhoneNumber({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
  );
  logEvent(ac.logger, 'info', 'stytch.admin.own_factor_removed', { factor: 'phone', memberId: ac.auth.memberId, organizationId: ac.auth.organizationId });
  return { status: 200, body: { member: memberView(res.member) } };
}

/** `DELETE /me/mfa/totp` (fresh factor) */
export async function deleteMyTotp(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [SELF_PERMISSIONS.deleteTotp]);
  requireFreshFactor(ac);
  const res = await asMember(SELF_PERMISSIONS.deleteTotp, () =>
    ac.client.organizations.members.deleteTOTP({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
  );
  logEvent(ac.logger, 'info', 'stytch.admin.own_factor_removed', { factor: 'totp', memberId: ac.auth.memberId, organizationId: ac.auth.organizationId });
  return { status: 200, body: { member: memberView(res.member) } };
}

/**
 * Count this view in the instance's store (with Redis: across the fleet); refuse a second one
 * until a new factor is proven. The record lives as long as a factor counts as fresh.
 */
async function claimView(ac: AdminContext): Promise<string> {
  const key = viewKey(ac);
  const hit = await ac.instance.store.hit(key, ac.cfg.maxFactorAgeMs);
  if (hit.count > 1) throw stepUp('The recovery codes were already shown: confirm it is you again to see them.');
  return key;
}

/** `POST /me/recovery-codes`: the current codes, once per fresh factor. */
export async function showMyRecoveryCodes(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  requireFreshFactor(ac);
  const key = await claimView(ac);
  try {
    const res = await asMember(undefined, () =>
      ac.client.recoveryCodes.get({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
    );
    logEvent(ac.logger, 'info', 'stytch.admin.recovery_codes_shown', { memberId: ac.auth.memberId, organizationId: ac.auth.organizationId });
    return { status: 200, body: { recovery_codes: res.recovery_codes } };
  } catch (error) {
    // Nothing was shown: the view is not spent.
    await ac.instance.store.reset(key);
    throw error;
  }
}

/** `POST /me/recovery-codes/rotate` (fresh factor): new codes, which count as this factor's one view. */
export async function rotateMyRecoveryCodes(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  requireFreshFactor(ac);
  const res = await asMember(undefined, () =>
    ac.client.recoveryCodes.rotate({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
  );
  void ac.instance.store.hit(viewKey(ac), ac.cfg.maxFactorAgeMs).catch(() => undefined);
  logEvent(ac.logger, 'info', 'stytch.admin.recovery_codes_rotated', { memberId: ac.auth.memberId, organizationId: ac.auth.organizationId });
  return { status: 200, body: { recovery_codes: res.recovery_codes } };
}

/** `GET /me/sessions` */
export async function listMySessions(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  const res = await asMember(undefined, () =>
    ac.client.sessions.get({ organization_id: ac.auth.organizationId, member_id: ac.auth.memberId }, { authorization: ac.authorization }),
  );
  const sessions = (res.member_sessions ?? []).map((session) => sessionView(session, ac.auth.sessionId));
  return { status: 200, body: { sessions } };
}

/**
 * `POST /me/sessions/revoke-all`: Stytch revokes every session of the member; this app (the
 * shared store) refuses every session they started until now, and this browser's cookies are
 * cleared. When Stytch cannot be reached the sign-out still holds here (`revocation: 'pending'`).
 */
export async function revokeAllMySessions(req: IncomingMessage, res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [SELF_PERMISSIONS.revokeSessions]);
  const { store, context, cookies } = ac.instance;
  let revocation: 'confirmed' | 'pending' = 'confirmed';
  try {
    await asMember(SELF_PERMISSIONS.revokeSessions, () => ac.client.sessions.revoke({ member_id: ac.auth.memberId }, { authorization: ac.authorization }));
  } catch (error) {
    if (!(error instanceof StytchUnavailableError)) throw error;
    revocation = 'pending';
  }
  await store.revoke('member', ac.auth.memberId, ac.now() + (revocation === 'confirmed' ? EVERYWHERE_CONFIRMED_MS : EVERYWHERE_PENDING_MS)).catch(() => undefined);
  context.forgetSession(ac.auth.sessionId, ac.auth.sessionExpiresAt.getTime());
  if (cookies.ownsSession) cookies.clearSession(req, res);
  logEvent(ac.logger, revocation === 'pending' ? 'warn' : 'info', 'stytch.admin.signed_out_everywhere', { revocation, memberId: ac.auth.memberId, organizationId: ac.auth.organizationId });
  return { status: 200, body: { status: 'signed_out', revocation } };
}
