/**
 * M2M clients and their client-credentials tokens (addendum A7), and Connected-App clients with
 * admin-issued access tokens plus the introspection endpoint (addendum A8). Access tokens are
 * RS256 JWTs signed with the same project keys as session JWTs, so the SDK verifies them
 * against the session JWKS.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { authorize } from './authorize.js';
import { ApiError, badRequest, notFound } from './http-errors.js';
import { checkJwt, signJwt } from './jwt.js';
import { memberRoleIds } from './members.js';
import type { EmulatorState } from './state.js';
import { isPlainObject, optEnum, optInt, optNonEmpty, optObject, optString, optStringArray, type Body } from './validate.js';

export interface SecretRecord {
  hash: Buffer;
  last_four: string;
}

export interface M2MClientRecord {
  client_id: string;
  client_name: string;
  client_description: string;
  status: 'active' | 'inactive';
  scopes: string[];
  trusted_metadata: Record<string, unknown>;
  secret: SecretRecord;
  next_secret?: SecretRecord;
}

export type ConnectedAppType = 'first_party' | 'first_party_public' | 'third_party' | 'third_party_public';

export interface ConnectedAppRecord {
  client_id: string;
  client_name: string;
  client_description: string;
  client_type: ConnectedAppType;
  secret?: SecretRecord;
  access_token_expiry_minutes: number;
  full_access_allowed: boolean;
}

const ORGANIZATION_CLAIM = 'https://stytch.com/organization';
/** An M2M access token lives one hour (addendum A7.5). */
const M2M_TOKEN_SECONDS = 3600;
const MAX_SCOPES = 100;
const CONNECTED_APP_TYPES: readonly ConnectedAppType[] = ['first_party', 'first_party_public', 'third_party', 'third_party_public'];
/** Scopes Stytch grants to Connected Apps without a policy entry (addendum A8.3). */
const BUILT_IN_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'offline_access', 'full_access']);

/** An OAuth2 error (RFC 6749 §5.2): the answer carries `error` / `error_description` (addendum A7.4). */
export class OAuthError extends ApiError {}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function newSecret(): { secret: string; record: SecretRecord } {
  const secret = randomBytes(33).toString('base64url');
  return { secret, record: { hash: hashSecret(secret), last_four: secret.slice(-4) } };
}

function secretMatches(record: SecretRecord | undefined, candidate: string): boolean {
  return record !== undefined && timingSafeEqual(record.hash, hashSecret(candidate));
}

function readScopes(body: Body, field: string, required: boolean): string[] | undefined {
  const scopes = optStringArray(body, field);
  if (scopes === undefined) {
    if (required) throw badRequest('invalid_argument', `The field '${field}' is required.`, { field });
    return undefined;
  }
  if (scopes.length > MAX_SCOPES) throw badRequest('too_many_m2m_client_scopes', `At most ${MAX_SCOPES} scopes are allowed.`);
  for (const scope of scopes) {
    if (scope === '' || /\s/.test(scope) || scope.length > 256) throw badRequest('invalid_m2m_client_scope', 'A scope must be a non-empty string without whitespace.');
  }
  return [...new Set(scopes)];
}

export function m2mClientView(client: M2MClientRecord): Record<string, unknown> {
  return {
    client_id: client.client_id,
    client_name: client.client_name,
    client_description: client.client_description,
    status: client.status,
    scopes: [...client.scopes],
    client_secret_last_four: client.secret.last_four,
    next_client_secret_last_four: client.next_secret?.last_four ?? null,
    trusted_metadata: structuredClone(client.trusted_metadata),
  };
}

export function requireM2MClient(state: EmulatorState, clientId: string): M2MClientRecord {
  const client = state.m2mClients.get(clientId);
  if (!client) throw notFound('m2m_client_not_found', 'M2M client could not be found.');
  return client;
}

export function createM2MClient(state: EmulatorState, body: Body): { client: M2MClientRecord; secret: string } {
  const scopes = readScopes(body, 'scopes', true) as string[];
  const clientId = optNonEmpty(body, 'client_id') ?? `m2m-client-test-${randomUUID()}`;
  if (/[^\x21-\x7e]/.test(clientId) || clientId.length > 128) throw badRequest('m2m_client_invalid_client_id', 'The client_id must be printable ASCII.');
  if (state.m2mClients.has(clientId)) throw badRequest('duplicate_m2m_client_id', 'An M2M client with this client_id already exists.');
  const custom = optNonEmpty(body, 'client_secret');
  if (custom !== undefined && (custom.length < 8 || new Set(custom).size < 4)) throw badRequest('insecure_m2m_client_secret', 'The client_secret is too weak.');
  const generated = newSecret();
  const secret = custom ?? generated.secret;
  const client: M2MClientRecord = {
    client_id: clientId,
    client_name: optString(body, 'client_name') ?? '',
    client_description: optString(body, 'client_description') ?? '',
    status: 'active',
    scopes,
    trusted_metadata: structuredClone(optObject(body, 'trusted_metadata') ?? {}),
    secret: custom === undefined ? generated.record : { hash: hashSecret(custom), last_four: custom.slice(-4) },
  };
  state.m2mClients.set(clientId, client);
  return { client, secret };
}

export function updateM2MClient(state: EmulatorState, clientId: string, body: Body): M2MClientRecord {
  const client = requireM2MClient(state, clientId);
  const status = optEnum(body, 'status', ['active', 'inactive'] as const);
  const scopes = readScopes(body, 'scopes', false);
  const name = optString(body, 'client_name');
  const description = optString(body, 'client_description');
  const metadata = optObject(body, 'trusted_metadata');
  if (status !== undefined) client.status = status;
  if (scopes !== undefined) client.scopes = scopes;
  if (name !== undefined) client.client_name = name;
  if (description !== undefined) client.client_description = description;
  if (metadata !== undefined) client.trusted_metadata = structuredClone(metadata);
  return client;
}

/** `search`: AND/OR over `client_id`, `client_name` (exact) and `scopes` filters; cursor = offset. */
export function searchM2MClients(state: EmulatorState, body: Body): Record<string, unknown> {
  const limit = optInt(body, 'limit', 1, 1000) ?? 100;
  const cursor = optString(body, 'cursor');
  const start = cursor === undefined || cursor === '' ? 0 : Number.parseInt(cursor, 10);
  if (!Number.isInteger(start) || start < 0) throw badRequest('invalid_argument', 'The cursor is not valid.');
  const query = optObject(body, 'query');
  const tests: ((client: M2MClientRecord) => boolean)[] = [];
  let operator: 'AND' | 'OR' = 'AND';
  if (query !== undefined) {
    operator = optEnum(query, 'operator', ['AND', 'OR'] as const) ?? 'AND';
    const operands = query.operands ?? [];
    if (!Array.isArray(operands)) throw badRequest('invalid_argument', "The field 'query.operands' must be an array.");
    for (const operand of operands) {
      if (!isPlainObject(operand)) throw badRequest('invalid_argument', 'Each operand must be an object.');
      if (operand.filter_name === undefined) throw badRequest('m2m_search_missing_filter_name', 'An operand has no filter_name.');
      if (typeof operand.filter_name !== 'string') throw badRequest('m2m_search_filter_name_must_be_string', 'filter_name must be a string.');
      if (operand.filter_value === undefined) throw badRequest('m2m_search_missing_filter_value', 'An operand has no filter_value.');
      const values = operand.filter_value;
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw badRequest('m2m_search_expected_array_of_strings', 'filter_value must be an array of strings.');
      const wanted = new Set<string>(values);
      switch (operand.filter_name) {
        case 'client_id':
          tests.push((c) => wanted.has(c.client_id));
          break;
        case 'client_name':
          tests.push((c) => wanted.has(c.client_name));
          break;
        case 'scopes':
          tests.push((c) => c.scopes.some((s) => wanted.has(s)));
          break;
        default:
          throw badRequest('m2m_search_filter_name_not_recognized', 'filter_name must be client_id, client_name or scopes.');
      }
    }
  }
  const all = [...state.m2mClients.values()].filter((c) => tests.length === 0 || (operator === 'AND' ? tests.every((t) => t(c)) : tests.some((t) => t(c))));
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? String(start + limit) : null;
  return { m2m_clients: page.map(m2mClientView), results_metadata: { total: all.length, next_cursor: next } };
}

export function rotateStart(state: EmulatorState, clientId: string): Record<string, unknown> {
  const client = requireM2MClient(state, clientId);
  if (client.next_secret) throw badRequest('m2m_client_already_rotating_secret', 'A secret rotation is already in progress.');
  const next = newSecret();
  client.next_secret = next.record;
  return { ...m2mClientView(client), next_client_secret: next.secret };
}

export function rotate(state: EmulatorState, clientId: string, cancel: boolean): M2MClientRecord {
  const client = requireM2MClient(state, clientId);
  if (!client.next_secret) throw badRequest('m2m_client_not_rotating_secret', 'No secret rotation is in progress.');
  if (!cancel) client.secret = client.next_secret;
  delete client.next_secret;
  return client;
}

/** Client credentials from the body or, as RFC 6749 client_secret_basic, the Authorization header. */
function clientCredentials(body: Body, headers: IncomingHttpHeaders): { id: string; secret: string } {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const id = body.client_id;
  const secret = body.client_secret;
  if (typeof id !== 'string' || id === '' || typeof secret !== 'string' || secret === '') {
    throw new OAuthError(400, 'invalid_request', 'client_id and client_secret are required.');
  }
  return { id, secret };
}

/** `POST /v1/public/{project_id}/oauth2/token`, grant `client_credentials` (addendum A7.4). */
export function issueM2MToken(state: EmulatorState, projectId: string, body: Body, headers: IncomingHttpHeaders): Record<string, unknown> {
  if (projectId !== state.settings.projectId) throw new OAuthError(404, 'project_not_found', 'No such project.');
  if (body.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  const credentials = clientCredentials(body, headers);
  const client = state.m2mClients.get(credentials.id);
  // One answer for an unknown client and a wrong secret: the endpoint does not confirm client ids.
  if (!client || !(secretMatches(client.secret, credentials.secret) || secretMatches(client.next_secret, credentials.secret))) {
    throw new OAuthError(400, 'invalid_client', 'The client credentials are not valid.');
  }
  if (client.status !== 'active') throw new OAuthError(400, 'invalid_client', 'The M2M client is inactive.');
  let granted = client.scopes;
  const requested = body.scope;
  if (requested !== undefined && requested !== null && requested !== '') {
    if (typeof requested !== 'string') throw new OAuthError(400, 'invalid_scope', 'scope must be a space-separated string.');
    const wanted = requested.split(' ').filter((s) => s !== '');
    const unknown = wanted.filter((s) => !client.scopes.includes(s));
    if (unknown.length > 0) throw new OAuthError(400, 'invalid_scope', `The client may not request: ${unknown.join(' ')}.`);
    granted = [...new Set(wanted)];
  }
  const iat = Math.floor(state.now() / 1000);
  const payload: Record<string, unknown> = {
    aud: [state.settings.projectId],
    iss: state.settings.issuer,
    sub: client.client_id,
    iat,
    nbf: iat,
    exp: iat + M2M_TOKEN_SECONDS,
    // Always present (possibly empty): the SDK throws a TypeError on a token without it (addendum A7.6).
    scope: granted.join(' '),
  };
  return { access_token: signJwt(state.keys.current, payload), token_type: 'bearer', expires_in: M2M_TOKEN_SECONDS };
}

// ---------------------------------------------------------------- Connected Apps

export function createConnectedApp(
  state: EmulatorState,
  input: { client_name?: string; client_description?: string; client_type?: ConnectedAppType; access_token_expiry_minutes?: number; full_access_allowed?: boolean },
): { client_id: string; client_secret?: string; client_type: ConnectedAppType } {
  const type = input.client_type ?? 'third_party';
  if (!CONNECTED_APP_TYPES.includes(type)) throw new TypeError(`client_type must be one of ${CONNECTED_APP_TYPES.join(', ')}`);
  const expiry = input.access_token_expiry_minutes ?? 60;
  if (!Number.isInteger(expiry) || expiry < 1 || expiry > 1440) throw new TypeError('access_token_expiry_minutes must be an integer 1..1440');
  const isPublic = type.endsWith('_public');
  const secret = isPublic ? undefined : newSecret();
  const record: ConnectedAppRecord = {
    client_id: `connected-app-test-${randomUUID()}`,
    client_name: input.client_name ?? '',
    client_description: input.client_description ?? '',
    client_type: type,
    ...(secret ? { secret: secret.record } : {}),
    access_token_expiry_minutes: expiry,
    full_access_allowed: input.full_access_allowed ?? false,
  };
  state.connectedApps.set(record.client_id, record);
  return { client_id: record.client_id, client_type: type, ...(secret ? { client_secret: secret.secret } : {}) };
}

/**
 * An access token as if the member had consented in the authorization flow. A member can only
 * grant a policy scope whose permissions their roles hold (`is_grantable`, addendum A8.2).
 */
export function issueConnectedAppToken(
  state: EmulatorState,
  input: { client_id: string; member_id: string; scopes: string[]; custom_claims?: Record<string, unknown>; opaque?: boolean },
): { access_token: string; expires_in: number } {
  const app = state.connectedApps.get(input.client_id);
  if (!app) throw new TypeError(`no connected app ${input.client_id}`);
  const member = state.members.get(input.member_id);
  if (!member || member.status === 'deleted') throw new TypeError(`no member ${input.member_id}`);
  const org = state.organizations.get(member.organization_id);
  if (!org) throw new TypeError(`no organization for member ${input.member_id}`);
  if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string' || s === '' || /\s/.test(s))) throw new TypeError('scopes must be strings without whitespace');
  const roles = memberRoleIds(state, member);
  for (const scope of input.scopes) {
    if (scope === 'full_access' && !app.full_access_allowed) throw new TypeError('full_access is not allowed for this connected app');
    if (BUILT_IN_SCOPES.has(scope)) continue;
    const defined = state.policy.scopes?.find((s) => s.scope === scope);
    if (!defined) throw new TypeError(`scope ${scope} is not in the RBAC policy`);
    for (const permission of defined.permissions) {
      for (const action of permission.actions) {
        try {
          authorize(state, org, roles, { organization_id: org.organization_id, resource_id: permission.resource_id, action });
        } catch (error) {
          if (error instanceof ApiError) throw new TypeError(`member ${member.member_id} cannot grant scope ${scope}`);
          throw error;
        }
      }
    }
  }
  const iat = Math.floor(state.now() / 1000);
  const expiresIn = app.access_token_expiry_minutes * 60;
  const custom = input.custom_claims ?? {};
  const payload: Record<string, unknown> = {
    ...custom,
    aud: [state.settings.projectId],
    iss: state.settings.issuer,
    sub: member.member_id,
    client_id: app.client_id,
    scope: input.scopes.join(' '),
    iat,
    nbf: iat,
    exp: iat + expiresIn,
    jti: `access-token-test-${randomUUID()}`,
    [ORGANIZATION_CLAIM]: { organization_id: org.organization_id, slug: org.organization_slug },
  };
  if (input.opaque === true) {
    // An opaque token is a random reference; only introspection can tell what it grants.
    const token = `ca_access_${randomBytes(32).toString('base64url')}`;
    state.opaqueAccessTokens.set(token, payload);
    return { access_token: token, expires_in: expiresIn };
  }
  return { access_token: signJwt(state.keys.current, payload), expires_in: expiresIn };
}

/** `POST /v1/public/{project_id}/oauth2/introspect` (RFC 7662; addendum A8.5). */
export function introspect(state: EmulatorState, projectId: string, body: Body, headers: IncomingHttpHeaders): Record<string, unknown> {
  if (projectId !== state.settings.projectId) throw new OAuthError(404, 'project_not_found', 'No such project.');
  const token = body.token;
  if (typeof token !== 'string' || token === '') throw new OAuthError(400, 'invalid_request', 'token is required.');
  const auth = headers.authorization;
  let clientId = body.client_id;
  let clientSecret = body.client_secret;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) [clientId, clientSecret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const app = typeof clientId === 'string' ? state.connectedApps.get(clientId) : undefined;
  if (!app) throw new OAuthError(401, 'invalid_client', 'The client credentials are not valid.');
  if (app.secret !== undefined && (typeof clientSecret !== 'string' || !secretMatches(app.secret, clientSecret))) {
    throw new OAuthError(401, 'invalid_client', 'The client credentials are not valid.');
  }
  const inactive = { active: false };
  let claims: Record<string, unknown>;
  const opaque = state.opaqueAccessTokens.get(token);
  if (opaque !== undefined) claims = opaque;
  else {
    const checked = checkJwt(state.keys, token);
    if (!checked.ok) return inactive;
    claims = checked.payload;
  }
  const aud = claims.aud;
  const audOk = aud === state.settings.projectId || (Array.isArray(aud) && aud.includes(state.settings.projectId));
  const iss = claims.iss;
  if (!audOk || (iss !== state.settings.issuer && iss !== state.settings.url)) return inactive;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= state.now()) return inactive;
  if (typeof claims.client_id !== 'string' || !state.connectedApps.has(claims.client_id)) return inactive;
  if (typeof claims.jti === 'string' && state.revokedAccessTokens.has(claims.jti)) return inactive;
  if (typeof claims.sub === 'string' && state.members.get(claims.sub)?.status !== 'active') return inactive;
  return { ...claims, active: true, token_type: 'access_token' };
}

/** Revokes one Connected-App access token (consent withdrawn): introspection reports it inactive. */
export function revokeAccessToken(state: EmulatorState, token: string): void {
  const opaque = state.opaqueAccessTokens.get(token);
  if (opaque !== undefined) {
    state.revokedAccessTokens.add(opaque.jti as string);
    return;
  }
  const checked = checkJwt(state.keys, token);
  if (!checked.ok || typeof checked.payload.jti !== 'string') throw new TypeError('not a connected-app access token');
  state.revokedAccessTokens.add(checked.payload.jti);
}
