/**
 * One started login flow, as this browser remembers it: what kind of flow it is, what it is bound
 * to (organization, member, address), its PKCE verifier and the `return_to` chosen at its start.
 * Pure: encoding, decoding and the binding checks; the cookie that carries it lives in handlers/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isSafeReturnTo } from './return-to.js';

/** What a flow was started for; each ends with exactly one callback token type. */
export type FlowKind = 'login_email' | 'discovery_email' | 'sso' | 'oauth' | 'discovery_oauth' | 'email_update';

/** The callback token type each flow kind ends with (reference 5.1). */
export const FLOW_TOKEN_TYPE: Readonly<Record<FlowKind, string>> = Object.freeze({
  login_email: 'multi_tenant_magic_links',
  discovery_email: 'discovery',
  sso: 'sso',
  oauth: 'oauth',
  discovery_oauth: 'discovery_oauth',
  email_update: 'multi_tenant_magic_links',
});

const KINDS: ReadonlySet<string> = new Set(Object.keys(FLOW_TOKEN_TYPE));

/** A started flow. Every field but `kind` and `startedAt` is optional: it binds only when known. */
export interface FlowRecord {
  readonly kind: FlowKind;
  /** PKCE verifier (43 base64url chars); absent for flows Stytch starts without a challenge. */
  readonly verifier?: string;
  /** Organization id the flow must end in. */
  readonly organizationId?: string;
  /** Organization slug the flow was started with (SSO/OAuth by slug): the result's slug must match. */
  readonly organizationSlug?: string;
  /** Member id the flow must end as (magic-link login: the start call returns it; email update: the member). */
  readonly memberId?: string;
  /** SHA-256 of the lowercased address asked for (never the address itself). */
  readonly emailDigest?: string;
  /** The validated return_to bound at start. */
  readonly returnTo?: string;
  /** The flow finishes a login waiting in this browser's intermediate session (the email step). */
  readonly continuesIst?: boolean;
  /** Epoch milliseconds at start: the oldest flows are dropped first when a browser holds too many. */
  readonly startedAt: number;
}

/**
 * A flow id: 22 random base64url chars after a one-letter marker, `p` when the flow was started
 * with a PKCE challenge and `n` when not. The marker lets the callback refuse a challenged link
 * opened in a browser that lacks its verifier before spending the token; tampering with it only
 * changes where a link is refused (Stytch still enforces the challenge).
 */
export const FLOW_ID = /^[pn][A-Za-z0-9_-]{22}$/;

/** A fresh flow id. */
export function newFlowId(withChallenge: boolean): string {
  return (withChallenge ? 'p' : 'n') + randomBytes(16).toString('base64url');
}

/** True when a flow id says its flow was started with a PKCE challenge. */
export function flowIdHasChallenge(id: string): boolean {
  return id.startsWith('p');
}

/** The stored form of an address: SHA-256 of its trimmed, lowercased form, base64url. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url');
}

const VERIFIER = /^[A-Za-z0-9_-]{43,128}$/;
const ID = /^[A-Za-z0-9._~-]{2,128}$/;
const DIGEST = /^[A-Za-z0-9_-]{43}$/;

/** Serialise a record for a cookie value (base64url JSON, short keys). */
export function encodeFlowRecord(record: FlowRecord): string {
  const short: Record<string, string | number> = { k: record.kind, t: record.startedAt };
  if (record.verifier !== undefined) short.v = record.verifier;
  if (record.organizationId !== undefined) short.o = record.organizationId;
  if (record.organizationSlug !== undefined) short.s = record.organizationSlug;
  if (record.memberId !== undefined) short.m = record.memberId;
  if (record.emailDigest !== undefined) short.e = record.emailDigest;
  if (record.returnTo !== undefined) short.r = record.returnTo;
  if (record.continuesIst === true) short.i = 1;
  return Buffer.from(JSON.stringify(short), 'utf8').toString('base64url');
}

/**
 * Parse a cookie value strictly: the cookie is client-controlled, so anything malformed reads as
 * no flow at all (never as a flow with fewer bindings).
 */
export function decodeFlowRecord(raw: string): FlowRecord | undefined {
  if (!/^[A-Za-z0-9_-]{1,8192}$/.test(raw)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { k, t, v, o, s, m, e, r, i } = parsed as Record<string, unknown>;
  if (typeof k !== 'string' || !KINDS.has(k)) return undefined;
  if (typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  const ok = (value: unknown, rule: RegExp): value is string | undefined => value === undefined || (typeof value === 'string' && rule.test(value));
  if (!ok(v, VERIFIER) || !ok(o, ID) || !ok(s, ID) || !ok(m, ID) || !ok(e, DIGEST)) return undefined;
  // A return_to is no binding: an unsafe one is dropped (the default page is used), not the flow.
  const returnTo = typeof r === 'string' && isSafeReturnTo(r) ? r : undefined;
  return {
    kind: k as FlowKind,
    startedAt: t,
    ...(v === undefined ? {} : { verifier: v }),
    ...(o === undefined ? {} : { organizationId: o }),
    ...(s === undefined ? {} : { organizationSlug: s }),
    ...(m === undefined ? {} : { memberId: m }),
    ...(e === undefined ? {} : { emailDigest: e }),
    ...(returnTo === undefined ? {} : { returnTo }),
    ...(i === 1 ? { continuesIst: true } : {}),
  };
}

/** Where a callback ended, as far as the binding cares. */
export interface FlowResult {
  organizationId?: string | undefined;
  organizationSlug?: string | undefined;
  memberId?: string | undefined;
  email?: string | undefined;
}

/**
 * Which binding of `record` the result breaks, or undefined when it ends where the flow was
 * started. A bound field the result does not report counts as broken (fail closed).
 */
export function flowBindingBroken(record: FlowRecord, result: FlowResult): 'organization' | 'member' | 'email' | undefined {
  if (record.organizationId !== undefined && result.organizationId !== record.organizationId) return 'organization';
  if (record.organizationSlug !== undefined && result.organizationSlug !== record.organizationSlug) return 'organization';
  if (record.memberId !== undefined && result.memberId !== record.memberId) return 'member';
  if (record.emailDigest !== undefined && (result.email === undefined || emailDigest(result.email) !== record.emailDigest)) return 'email';
  return undefined;
}

/** True for flows that sign a browser in (everything but an email update). */
export function isLoginFlow(kind: FlowKind): boolean {
  return kind !== 'email_update';
}
