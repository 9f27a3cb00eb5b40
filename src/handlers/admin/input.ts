/**
 * Typed fields of the admin routes' bodies and queries: one reader per kind, each refusing with
 * 400 `invalid_request` naming the field (never echoing the value). Form posts send lists as
 * comma-separated strings.
 */
import { AdminRouteError, invalidField } from './permission.js';

// Printable text without control characters; names and labels are short.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** Member ids as Stytch issues them (`member-test-…` / `member-live-…`). */
export const MEMBER_ID = /^member-[A-Za-z0-9._~-]{1,120}$/;

/** An optional string field, trimmed; at most `max` characters, no control characters. */
export function optionalText(fields: Readonly<Record<string, unknown>>, name: string, max = 256): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value)) throw invalidField(name);
  return value.trim();
}

/** An optional field that must be one of `allowed`. */
export function optionalEnum<T extends string>(fields: Readonly<Record<string, unknown>>, name: string, allowed: readonly T[]): T | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw invalidField(name);
  return value as T;
}

/**
 * An optional list of strings matching `rule`: a JSON array, or in a form a comma-separated string
 * (empty string: the empty list). Duplicates are dropped.
 */
export function optionalList(fields: Readonly<Record<string, unknown>>, name: string, isForm: boolean, rule: RegExp, maxItems = 100): string[] | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (isForm && typeof value === 'string') items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else throw invalidField(name, `Field ${name} must be a list of strings.`);
  if (items.length > maxItems || !items.every((item): item is string => typeof item === 'string' && rule.test(item))) throw invalidField(name);
  return [...new Set(items)];
}

/** Role ids: what Stytch accepts in a role id. */
export const ROLE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** 400 `roles_required` for an empty role list. */
export function rolesRequired(): AdminRouteError {
  return new AdminRouteError('roles_required', 400, 'Give at least one role.', { field: 'roles' });
}

/** 400 `unknown_role` naming the first role the RBAC policy does not define. */
export function unknownRole(role: string): AdminRouteError {
  return new AdminRouteError('unknown_role', 400, 'A role is not defined in the RBAC policy.', { field: 'roles', role });
}
