/**
 * Query input of the GET start routes (SSO, OAuth, login methods): single-valued parameters,
 * the organization they name (by id or slug, looked up at Stytch) and a `return_to` that must be
 * safe when given. Every refusal is a typed 4xx before any redirect.
 */
import type { IncomingMessage } from 'node:http';
import type { Organization } from '../client/types.js';
import { BadRequestError, StytchExpressError } from '../errors.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { FIELD_RULES } from './body.js';
import type { RouteContext } from './route-context.js';

/** The query of a GET route. A repeated parameter is refused rather than guessed. */
export function startQuery(req: IncomingMessage): (name: string) => string | undefined {
  const params = new URL(req.url ?? '/', 'http://start.invalid').searchParams;
  return (name) => {
    const all = params.getAll(name);
    if (all.length > 1) throw new BadRequestError('invalid_query', `Query parameter ${name} was sent twice.`);
    const value = all[0]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
}

/** A `return_to` from the query: undefined when absent, 400 `invalid_return_to` when unsafe. */
export function startReturnTo(query: (name: string) => string | undefined): string | undefined {
  const value = query('return_to');
  if (value === undefined) return undefined;
  if (!isSafeReturnTo(value)) throw new BadRequestError('invalid_return_to', 'return_to must be a path on this site.');
  return value;
}

/** The one answer for an organization that does not exist (by id or by slug alike). */
function organizationNotFound(): StytchExpressError {
  return new StytchExpressError('organization_not_found', 404, 'No such organization.');
}

/**
 * The organization named by `organization_id` or `slug` (exactly one): 400
 * `invalid_organization` for neither, both or a malformed value, 404 `organization_not_found`.
 */
export async function startOrganization(rc: RouteContext, query: (name: string) => string | undefined): Promise<Organization> {
  const id = query('organization_id');
  const slug = query('slug') ?? query('organization_slug');
  if ((id === undefined) === (slug === undefined)) throw new BadRequestError('invalid_organization', 'Name the organization by organization_id or slug (one of them).');
  const value = id ?? slug ?? '';
  if (!FIELD_RULES.organization.test(value)) throw new BadRequestError('invalid_organization', 'The organization id or slug is malformed.');
  if (id !== undefined) {
    try {
      return (await rc.client.organizations.get({ organization_id: id })).organization;
    } catch (err) {
      if (err instanceof StytchExpressError && (err.status === 404 || err.code === 'organization_not_found')) throw organizationNotFound();
      throw err;
    }
  }
  const found = await rc.client.organizations.search({ query: { operator: 'AND', operands: [{ filter_name: 'organization_slugs', filter_value: [value] }] } });
  const org = found.organizations.find((o) => o.organization_slug.toLowerCase() === value.toLowerCase());
  if (org === undefined) throw organizationNotFound();
  return org;
}
