/**
 * The organization routes of `stytchAdminRoutes()`: read the signed-in member's organization,
 * and change its settings, each field checked for its own `stytch.organization` action
 * (reference A6.3) before Stytch is asked, which checks the same again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FIELD_RULES } from '../body.js';
import type { AdminAnswer, AdminContext } from './context.js';
import { optionalEnum, optionalList, optionalText } from './input.js';
import { AdminRouteError, asMember, firstMissing, grantedActions, invalidField, requirePermissions } from './permission.js';
import type { Permission } from './permission.js';
import { organizationView } from './views.js';

type EditableField = Exclude<keyof ReturnType<typeof organizationView>, 'organization_id'>;

const METHOD = /^[a-z0-9_]{1,64}$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

/** Each editable field: the action it needs and how its value is read. */
const FIELDS: Readonly<Record<EditableField, { readonly action: string; readonly read: (ac: AdminContext, name: string) => unknown }>> = {
  organization_name: { action: 'update.info.name', read: (ac, name) => nonEmpty(optionalText(ac.fields, name, 128), name) },
  organization_slug: {
    action: 'update.info.slug',
    read: (ac, name) => {
      const slug = optionalText(ac.fields, name, 128);
      if (slug !== undefined && !FIELD_RULES.organization.test(slug)) throw invalidField(name);
      return slug;
    },
  },
  mfa_policy: { action: 'update.settings.mfa-policy', read: (ac, name) => optionalEnum(ac.fields, name, ['OPTIONAL', 'REQUIRED_FOR_ALL']) },
  mfa_methods: { action: 'update.settings.allowed-mfa-methods', read: (ac, name) => optionalEnum(ac.fields, name, ['ALL_ALLOWED', 'RESTRICTED']) },
  allowed_mfa_methods: { action: 'update.settings.allowed-mfa-methods', read: (ac, name) => optionalList(ac.fields, name, ac.isForm, METHOD, 20) },
  email_allowed_domains: { action: 'update.settings.allowed-domains', read: (ac, name) => optionalList(ac.fields, name, ac.isForm, DOMAIN)?.map((d) => d.toLowerCase()) },
  email_jit_provisioning: { action: 'update.settings.email-jit-provisioning', read: (ac, name) => optionalEnum(ac.fields, name, ['RESTRICTED', 'NOT_ALLOWED']) },
  email_invites: { action: 'update.settings.email-invites', read: (ac, name) => optionalEnum(ac.fields, name, ['ALL_ALLOWED', 'RESTRICTED', 'NOT_ALLOWED']) },
  auth_methods: { action: 'update.settings.allowed-auth-methods', read: (ac, name) => optionalEnum(ac.fields, name, ['ALL_ALLOWED', 'RESTRICTED']) },
  allowed_auth_methods: { action: 'update.settings.allowed-auth-methods', read: (ac, name) => optionalList(ac.fields, name, ac.isForm, METHOD, 20) },
};

const EDITABLE = Object.keys(FIELDS) as EditableField[];
const FIELD_NAME = /^[A-Za-z0-9_]{1,64}$/;

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === '') throw invalidField(name);
  return value;
}

const permissionOf = (field: EditableField): Permission => ({ resource_id: 'stytch.organization', action: FIELDS[field].action });

/** `GET /organization`: any member of the organization; `editable` lists the fields this member may change. */
export async function getOrganization(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  const res = await asMember(undefined, () => ac.client.organizations.get({ organization_id: ac.auth.organizationId }, { authorization: ac.authorization }));
  const granted = await grantedActions(ac, 'stytch.organization', EDITABLE.map((field) => FIELDS[field].action));
  return { status: 200, body: { organization: organizationView(res.organization), editable: EDITABLE.filter((field) => granted.has(FIELDS[field].action)) } };
}

/** `PATCH /organization` with any of the editable fields. */
export async function updateOrganization(_req: IncomingMessage, _res: ServerResponse, ac: AdminContext): Promise<AdminAnswer> {
  for (const key of Object.keys(ac.fields)) {
    if (!Object.hasOwn(FIELDS, key)) {
      throw invalidField(FIELD_NAME.test(key) ? key : 'body', key === 'organization_id' ? 'The organization is always your own.' : 'This field cannot be changed here.');
    }
  }
  const update: Record<string, unknown> = {};
  const given: EditableField[] = [];
  for (const field of EDITABLE) {
    const value = FIELDS[field].read(ac, field);
    if (value === undefined) continue;
    update[field] = value;
    given.push(field);
  }
  if (given.length === 0) throw new AdminRouteError('invalid_request', 400, 'Give at least one field to change.', { field: 'body' });
  const needed = given.map(permissionOf);
  await requirePermissions(ac, needed);
  // Stytch names no field when it refuses: the first one the policy refuses, as the local check would.
  const named = ac.cfg.localCheck ? needed[0] : ((await firstMissing(ac, needed)) ?? needed[0]);
  const res = await asMember(named, () =>
    ac.client.organizations.update({ organization_id: ac.auth.organizationId, ...update }, { authorization: ac.authorization }),
  );
  return { status: 200, body: { organization: organizationView(res.organization) } };
}
