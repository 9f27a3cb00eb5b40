/**
 * The member routes of `stytchAdminRoutes()`: list, read, invite, resend, roles, deactivate,
 * reactivate, remove, and remove another member's MFA phone, TOTP app or password. Always in the
 * signed-in member's own organization; every Stytch call runs as that member.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Member } from '../../client/types.js';
import { StytchApiError } from '../../errors.js';
import { logEvent } from '../../session/logger.js';
import { FIELD_RULES } from '../body.js';
import type { AdminAnswer, AdminContext } from './context.js';
import { MEMBER_ID, ROLE_ID, optionalList, optionalText, rolesRequired, unknownRole } from './input.js';
import { AdminRouteError, asMember, firstUndefinedRole, invalidField, memberNotFound, requirePermissions } from './permission.js';
import type { Permission } from './permission.js';
import { memberView } from './views.js';

const member = (action: string): Permission => Object.freeze({ resource_id: 'stytch.member', action });

/** The permission of each member route (the table in the README). */
export const MEMBER_PERMISSIONS = Object.freeze({
  search: member('search'),
  create: member('create'),
  roles: member('update.settings.roles'),
  delete: member('delete'),
  deletePhone: member('update.info.delete.mfa-phone'),
  deleteTotp: member('update.info.delete.mfa-totp'),
  deletePassword: member('update.info.delete.password'),
});

const STATUSES = ['active', 'invited', 'deleted', 'pending'] as const;
const ALL_STATUSES = [...STATUSES];
/** How long this app refuses the older sessions of a removed or demoted member: longer than any JWT lives. */
const MEMBER_REVOCATION_MS = 600_000;
const CURSOR = /^[\x21-\x7e]{1,512}$/;
/** Pages of 1000 members read while looking for another admin before giving up (fail closed). */
const MAX_ADMIN_PAGES = 20;

function lastAdmin(): AdminRouteError {
  return new AdminRouteError('last_admin', 409, 'This would leave the organization without an active admin.');
}

function targetId(ac: AdminContext): string {
  const id = ac.memberId;
  // A malformed id can name no member: answered like an unknown one, without asking Stytch.
  if (id === undefined || !MEMBER_ID.test(id)) throw memberNotFound();
  return id;
}

/** The member the path names, read as the signed-in member. */
async function target(ac: AdminContext, permission: Permission): Promise<Member> {
  const id = targetId(ac);
  const res = await asMember(permission, () => ac.client.organizations.members.get({ organization_id: ac.auth.organizationId, member_id: id }, { authorization: ac.authorization }));
  if (res.member?.organization_id !== ac.auth.organizationId) throw memberNotFound();
  return res.member;
}

/** Whether `m` holds `stytch_admin` other than by direct assignment (an email-domain or SSO rule). */
function adminByRule(m: Member): boolean {
  return m.roles.some((role) => role.role_id === 'stytch_admin' && role.sources.some((source) => source.type !== 'direct_assignment'));
}

/**
 * Refuse (409 `last_admin`) a change that leaves the organization without an active admin: the
 * target is an active admin, loses it, and no other active member is an admin.
 */
async function keepAnAdmin(ac: AdminContext, m: Member, staysAdmin: boolean): Promise<void> {
  if (m.status !== 'active' || m.is_admin !== true || staysAdmin) return;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_ADMIN_PAGES; page++) {
    const res = await asMember(MEMBER_PERMISSIONS.search, () =>
      ac.client.organizations.members.search(
        {
          organization_ids: [ac.auth.organizationId],
          limit: 1000,
          ...(cursor === undefined ? {} : { cursor }),
          query: { operator: 'AND', operands: [{ filter_name: 'statuses', filter_value: ['active'] }] },
        },
        { authorization: ac.authorization },
      ),
    );
    const other = res.members.some((o) => o.member_id !== m.member_id && o.organization_id === ac.auth.organizationId && o.status === 'active' && o.is_admin === true);
    if (other) return;
    const next = res.results_metadata?.next_cursor;
    if (typeof next !== 'string' || next === '') break;
    cursor = next;
  }
  throw lastAdmin();
}

/** This app refuses the member's sessions started until now (Stytch has revoked or will refresh them). */
function refuseOlderSessions(ac: AdminContext, memberId: string): void {
  void ac.instance.store.revoke('member', memberId, ac.now() + MEMBER_REVOCATION_MS).catch(() => undefined);
}

async function validRoles(ac: AdminContext, roles: readonly string[]): Promise<void> {
  const unknown = await firstUndefinedRole(ac, roles);
  if (unknown !== undefined) throw unknownRole(unknown);
}

/** `GET /members?q=&status=&cursor=&limit=` */
export async function listMembers(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.search]);
  const q = ac.query.get('q')?.trim() ?? '';
  // Stytch refuses fuzzy filters under three characters; answered here without a call.
  if (q !== '' && q.length < 3) throw new AdminRouteError('search_query_too_short', 400, 'Search for at least three characters.', { field: 'q' });
  if (q.length > 256) throw invalidField('q');
  const status = ac.query.get('status') ?? '';
  if (status !== '' && !(STATUSES as readonly string[]).includes(status)) throw invalidField('status');
  const limitText = ac.query.get('limit');
  const limit = limitText === null || limitText === '' ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidField('limit');
  const cursor = ac.query.get('cursor') ?? '';
  if (cursor !== '' && !CURSOR.test(cursor)) throw invalidField('cursor');
  const operands = [
    ...(q === '' ? [] : [{ filter_name: 'member_email_fuzzy', filter_value: q }]),
    ...(status === '' ? [] : [{ filter_name: 'statuses', filter_value: [status] }]),
  ];
  const res = await asMember(MEMBER_PERMISSIONS.search, () =>
    ac.client.organizations.members.search(
      {
        organization_ids: [ac.auth.organizationId],
        limit,
        ...(cursor === '' ? {} : { cursor }),
        ...(operands.length === 0 ? {} : { query: { operator: 'AND' as const, operands } }),
      },
      { authorization: ac.authorization },
    ),
  );
  const members = res.members.filter((m) => m.organization_id === ac.auth.organizationId).map(memberView);
  const next = res.results_metadata?.next_cursor;
  return { status: 200, body: { members, next_cursor: typeof next === 'string' && next !== '' ? next : null, total: res.results_metadata?.total ?? members.length } };
}

/** `GET /members/:member_id` (deactivated members included, so they can be reactivated). */
export async function getMember(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.search]);
  const id = targetId(ac);
  const res = await asMember(MEMBER_PERMISSIONS.search, () =>
    ac.client.organizations.members.search(
      {
        organization_ids: [ac.auth.organizationId],
        limit: 1,
        query: { operator: 'AND', operands: [{ filter_name: 'member_ids', filter_value: [id] }, { filter_name: 'statuses', filter_value: ALL_STATUSES }] },
      },
      { authorization: ac.authorization },
    ),
  );
  const found = res.members.find((m) => m.member_id === id && m.organization_id === ac.auth.organizationId);
  if (found === undefined) throw memberNotFound();
  return { status: 200, body: { member: memberView(found) } };
}

/** Stytch's "already a member" answers to an invite. */
const ALREADY_ACTIVE = new Set(['member_already_active', 'duplicate_member_email', 'user_already_invited_to_organization']);

async function sendInvite(ac: AdminContext, input: { email_address: string; name?: string | undefined; roles?: string[] | undefined }): Promise<Member> {
  try {
    const res = await asMember(MEMBER_PERMISSIONS.create, () =>
      ac.client.magicLinks.email.invite(
        {
          organization_id: ac.auth.organizationId,
          email_address: input.email_address,
          invited_by_member_id: ac.auth.memberId,
          ...(ac.cfg.inviteRedirectUrl === undefined ? {} : { invite_redirect_url: ac.cfg.inviteRedirectUrl }),
          ...(input.name === undefined || input.name === '' ? {} : { name: input.name }),
          ...(input.roles === undefined || input.roles.length === 0 ? {} : { roles: input.roles }),
        },
        { authorization: ac.authorization },
      ),
    );
    return res.member;
  } catch (error) {
    if (error instanceof StytchApiError && ALREADY_ACTIVE.has(error.errorType)) {
      throw new AdminRouteError('member_already_active', 409, 'This person is already an active member.');
    }
    throw error;
  }
}

/** `POST /members/invite` `{ email_address, name?, roles? }` */
export async function inviteMember(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.create]);
  const email = optionalText(ac.fields, 'email_address', 320)?.toLowerCase();
  if (email === undefined || !FIELD_RULES.email.test(email)) throw invalidField('email_address');
  const name = optionalText(ac.fields, 'name');
  const roles = optionalList(ac.fields, 'roles', ac.isForm, ROLE_ID);
  if (roles !== undefined) await validRoles(ac, roles);
  const invited = await sendInvite(ac, { email_address: email, name, roles });
  logEvent(ac.logger, 'info', 'stytch.admin.member_invited', { organizationId: ac.auth.organizationId, memberId: invited.member_id, by: ac.auth.memberId });
  return { status: 201, body: { member: memberView(invited) } };
}

/** `POST /members/:member_id/resend-invite` */
export async function resendInvite(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.create]);
  const m = await target(ac, MEMBER_PERMISSIONS.create);
  if (m.status !== 'invited') throw new AdminRouteError('member_not_invited', 409, 'Only an invited member can be sent the invite again.');
  const invited = await sendInvite(ac, { email_address: m.email_address });
  return { status: 200, body: { member: memberView(invited) } };
}

/** `PUT /members/:member_id/roles` `{ roles: string[] }`: replaces the directly assigned roles. */
export async function setMemberRoles(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.roles, MEMBER_PERMISSIONS.search]);
  const roles = optionalList(ac.fields, 'roles', ac.isForm, ROLE_ID);
  if (roles === undefined || roles.length === 0) throw rolesRequired();
  await validRoles(ac, roles);
  const m = await target(ac, MEMBER_PERMISSIONS.roles);
  await keepAnAdmin(ac, m, roles.includes('stytch_admin') || adminByRule(m));
  const res = await asMember(MEMBER_PERMISSIONS.roles, () =>
    ac.client.organizations.members.update({ organization_id: ac.auth.organizationId, member_id: m.member_id, roles }, { authorization: ac.authorization }),
  );
  const dropped = m.roles.some((role) => role.sources.some((s) => s.type === 'direct_assignment') && role.role_id !== 'stytch_member' && !roles.includes(role.role_id));
  // Sessions keep their old roles until refreshed: a member who lost a role signs in again here.
  if (dropped) refuseOlderSessions(ac, m.member_id);
  logEvent(ac.logger, 'info', 'stytch.admin.member_roles_set', { organizationId: ac.auth.organizationId, memberId: m.member_id, by: ac.auth.memberId });
  return { status: 200, body: { member: memberView(res.member) } };
}

async function removeMember(ac: AdminContext): Promise<Member> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.delete, MEMBER_PERMISSIONS.search]);
  const m = await target(ac, MEMBER_PERMISSIONS.delete);
  await keepAnAdmin(ac, m, false);
  await asMember(MEMBER_PERMISSIONS.delete, () =>
    ac.client.organizations.members.delete({ organization_id: ac.auth.organizationId, member_id: m.member_id }, { authorization: ac.authorization }),
  );
  refuseOlderSessions(ac, m.member_id);
  logEvent(ac.logger, 'info', 'stytch.admin.member_removed', { organizationId: ac.auth.organizationId, memberId: m.member_id, by: ac.auth.memberId });
  return m;
}

/** `POST /members/:member_id/deactivate`: Stytch's members.delete (reversible with reactivate). */
export async function deactivateMember(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  const m = await removeMember(ac);
  return { status: 200, body: { member: { ...memberView(m), status: 'deleted' } } };
}

/** `DELETE /members/:member_id`: removes a member or revokes an invitation. */
export async function deleteMember(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  const m = await removeMember(ac);
  return { status: 200, body: { member_id: m.member_id } };
}

/** `POST /members/:member_id/reactivate` */
export async function reactivateMember(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.create]);
  const id = targetId(ac);
  const res = await asMember(MEMBER_PERMISSIONS.create, () =>
    ac.client.organizations.members.reactivate({ organization_id: ac.auth.organizationId, member_id: id }, { authorization: ac.authorization }),
  );
  return { status: 200, body: { member: memberView(res.member) } };
}

/** `DELETE /members/:member_id/mfa/phone` */
export async function deleteMemberPhone(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.deletePhone]);
  const id = targetId(ac);
  const res = await asMember(MEMBER_PERMISSIONS.deletePhone, () =>
    ac.client.organizations.members.deleteMFAPhoneNumber({ organization_id: ac.auth.organizationId, member_id: id }, { authorization: ac.authorization }),
  );
  return { status: 200, body: { member: memberView(res.member) } };
}

/** `DELETE /members/:member_id/mfa/totp` */
export async function deleteMemberTotp(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.deleteTotp]);
  const id = targetId(ac);
  const res = await asMember(MEMBER_PERMISSIONS.deleteTotp, () =>
    ac.client.organizations.members.deleteTOTP({ organization_id: ac.auth.organizationId, member_id: id }, { authorization: ac.authorization }),
  );
  return { status: 200, body: { member: memberView(res.member) } };
}

/** `DELETE /members/:member_id/password` */
export async function deleteMemberPassword(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  await requirePermissions(ac, [MEMBER_PERMISSIONS.deletePassword]);
  const m = await target(ac, MEMBER_PERMISSIONS.deletePassword);
  if (m.member_password_id === '') throw new AdminRouteError('password_not_found', 404, 'The member has no password.');
  const res = await asMember(MEMBER_PERMISSIONS.deletePassword, () =>
    ac.client.organizations.members.deletePassword({ organization_id: ac.auth.organizationId, member_password_id: m.member_password_id }, { authorization: ac.authorization }),
  );
  return { status: 200, body: { member: memberView(res.member) } };
}
