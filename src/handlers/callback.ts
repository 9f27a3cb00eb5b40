/**
 * `GET /callback?stytch_token_type=...&token=...&flow=<id>`: where Stytch sends the browser back
 * after a magic link, OAuth or SSO. Authenticates the token once (never retried, never with the
 * browser's existing session), then sets the session, or the IST for MFA / discovery.
 *
 * Which flow a callback belongs to is decided before any upstream call: a `flow` id whose cookie
 * this browser holds is one of its own flows (verifier and bindings from that cookie, and only
 * that cookie is consumed); anything else is a link this browser did not start.
 *
 * With `flowParam: false` the link names no flow (the callback URL goes to Stytch exactly as
 * registered). A token type for which this browser has pending flows is then redeemed with their
 * shared PKCE verifier and given to the flow whose bindings (organization, member, address)
 * Stytch's answer meets; only that flow's cookie is consumed, and an answer that meets none is
 * refused (its new session revoked). A token type with no pending flow is a link this browser
 * did not start.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveryAuthenticateResponse } from '../client/api-types.js';
import type { PrimaryAuthenticateResponse } from '../client/types.js';
import { BadRequestError, StytchApiError } from '../errors.js';
import { redirect, withQuery } from '../middleware/respond.js';
import { FLOW_ID, FLOW_TOKEN_TYPE, flowBindingBroken, flowIdHasChallenge, isLoginFlow } from '../session/flow-record.js';
import type { FlowResult } from '../session/flow-record.js';
import type { PendingFlow } from './transient.js';
import { logEvent } from '../session/logger.js';
import type { CarriedFlow, FlowOutcome } from './flow.js';
import { completePrimary, revokeBestEffort, sendOutcome } from './flow.js';
import { needsEmailStep, startEmailStep } from './email-step.js';
import { confirmJoin, offerJoin, offerLink } from './join.js';
import { readBody } from './body.js';
import { passwordResetLanding, resetLinkParams } from './password-reset.js';
import type { RouteContext } from './route-context.js';

/** The token types this callback handles (reference 5.1); anything else is refused with 0 upstream calls. */
export const CALLBACK_TOKEN_TYPES = ['multi_tenant_magic_links', 'discovery', 'oauth', 'discovery_oauth', 'sso'] as const;
type CallbackTokenType = (typeof CALLBACK_TOKEN_TYPES)[number];

// Stytch tokens are URL-safe strings; this only refuses junk before any upstream call.
const TOKEN_SHAPE = /^[A-Za-z0-9_.~=+-]{8,512}$/;

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length === 1 ? all[0] : undefined;
}

function isTokenType(value: string | undefined): value is CallbackTokenType {
  return value !== undefined && (CALLBACK_TOKEN_TYPES as readonly string[]).includes(value);
}

function verifierMissing(): BadRequestError {
  return new BadRequestError('pkce_verifier_missing', 'This sign-in link must be opened in the browser that requested it.');
}

/** The one refusal for a callback that does not end where the browser's flow started. */
function flowMismatch(): BadRequestError {
  return new BadRequestError('login_flow_mismatch', 'This link does not belong to the sign-in started in this browser.');
}

/** Revoke (best effort) the session a refused callback just created, so it is not left alive at Stytch. */
async function revokeNewSession(rc: RouteContext, result: { session_token?: string; session_jwt?: string }): Promise<void> {
  if (result.session_token) await revokeBestEffort(rc, { session_token: result.session_token });
  else if (result.session_jwt) await revokeBestEffort(rc, { session_jwt: result.session_jwt });
}

/** Stytch's answer to a token minted with a challenge and redeemed without a verifier reads as ours. */
async function withoutVerifier<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof StytchApiError && err.errorType === 'pkce_expected_code_verifier') throw verifierMissing();
    throw err;
  }
}

function primaryResult(result: PrimaryAuthenticateResponse): FlowResult {
  return {
    organizationId: result.organization_id || result.organization?.organization_id,
    organizationSlug: result.organization?.organization_slug,
    memberId: result.member_id || result.member?.member_id,
    email: result.member?.email_address,
  };
}

/** Handler of the callback route. */
export async function callback(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, flow } = rc;
  // Set first so every answer, including errors, carries them.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Password-reset links are finished by the reset form, not here (password-reset.ts).
  const resetLink = resetLinkParams(req, rc);
  if (resetLink !== undefined) return passwordResetLanding(req, res, rc, resetLink);
  const params = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
  const type = single(params, 'stytch_token_type');
  if (!isTokenType(type)) throw new BadRequestError('invalid_token_type', 'This sign-in link is not supported.');
  const token = single(params, 'token');
  if (token === undefined || !TOKEN_SHAPE.test(token)) throw new BadRequestError('invalid_token', 'This sign-in link is malformed.');
  const flowParam = params.getAll('flow');
  const flowId = flowParam.length === 1 ? flowParam[0] : undefined;
  if (flowParam.length > 1 || (flowId !== undefined && !FLOW_ID.test(flowId))) throw new BadRequestError('invalid_flow', 'This sign-in link is malformed.');

  const own = flowId === undefined ? undefined : flow.readFlow(req, flowId);
  if (flowId !== undefined && own !== undefined) {
    // The link names its flow (the default `flowParam`): that flow alone may take it.
    if (FLOW_TOKEN_TYPE[own.kind] !== type) {
      logEvent(rc.logger, 'warn', 'stytch.routes.callback_refused', { reason: 'token_type', kind: own.kind, type });
      throw flowMismatch();
    }
    await ownFlow(req, res, rc, { candidates: [{ id: flowId, record: own }], type, token });
    return;
  }
  if (flowId === undefined && !cfg.flowParam) {
    const candidates = flow.listFlows(req).filter((f) => FLOW_TOKEN_TYPE[f.record.kind] === type);
    if (candidates.length > 0) {
      // Newest first: its verifier is the one every pending flow shares.
      candidates.sort((x, y) => y.record.startedAt - x.record.startedAt);
      await ownFlow(req, res, rc, { candidates, type, token });
      return;
    }
    // OAuth, SSO and discovery tokens always come back to the browser that started them: with
    // no such flow here, this is the back button or another browser.
    if (cfg.pkce && type !== 'multi_tenant_magic_links') {
      staleOrElsewhere(res, rc, type);
      return;
    }
  }

  // A link this browser did not start, or whose flow already finished here. Started with a
  // challenge somewhere: without its verifier Stytch would refuse anyway.
  if (flowId !== undefined && flowIdHasChallenge(flowId)) {
    staleOrElsewhere(res, rc, type);
    return;
  }
  refuseDuringOwnFlow(req, rc, type);
  await foreignLink(req, res, rc, type, token);
}

/**
 * A challenged link whose flow this browser does not hold. Signed in (the back button, the older
 * of two links after the newer one was used): go on, the token stays unspent. Otherwise refuse
 * without an upstream call.
 */
function staleOrElsewhere(res: ServerResponse, rc: RouteContext, type: CallbackTokenType): void {
  if (!rc.auth.isAuthenticated) throw verifierMissing();
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'stale_callback', type });
  redirect(res, rc.cfg.afterLoginUrl);
}

/**
 * Never let a link from elsewhere finish while this browser waits for one of its own: that is
 * the moment a login CSRF (an attacker's email-update or invite link) would land. The token is
 * not spent, so the link still works once the pending flow is done or expired.
 */
function refuseDuringOwnFlow(req: IncomingMessage, rc: RouteContext, type: CallbackTokenType): void {
  const pending = rc.flow.listFlows(req);
  if (pending.length === 0) return;
  const duringLogin = pending.some((f) => isLoginFlow(f.record.kind));
  logEvent(rc.logger, 'warn', 'stytch.routes.callback_refused', { reason: duringLogin ? 'foreign_link_during_login' : 'foreign_link_during_flow', type });
  throw flowMismatch();
}

/**
 * `POST /join`: `action: 'continue'` with the `token` of a link opened here without its flow
 * (the page {@link offerLink} answered its GET with) redeems it now; `join` / `decline` answer
 * the "Join <organization>?" page (join.ts).
 */
export async function joinRoute(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  if (fields.action !== 'continue') {
    await confirmJoin(req, res, rc, fields);
    return;
  }
  const token = fields.token;
  if (token === undefined || !TOKEN_SHAPE.test(token)) throw new BadRequestError('invalid_token', 'This sign-in link is malformed.');
  res.setHeader('Cache-Control', 'no-store');
  const type = 'multi_tenant_magic_links';
  refuseDuringOwnFlow(req, rc, type);
  await redeemForeignLink(req, res, rc, type, token);
}

/**
 * A callback of a flow this browser started: redeemed with the verifier the candidate flows
 * share, then given to the first candidate whose bindings the answer meets, then the outcome.
 */
async function ownFlow(req: IncomingMessage, res: ServerResponse, rc: RouteContext, input: { candidates: readonly PendingFlow[]; type: CallbackTokenType; token: string }): Promise<void> {
  const { client, auth, cfg } = rc;
  const { candidates, type, token } = input;
  const newest = candidates[0]!;
  const verifier = candidates.find((c) => c.record.verifier !== undefined)?.record.verifier;
  const pkce = verifier === undefined ? {} : { pkce_code_verifier: verifier };
  const session = cfg.sessionFields;
  /** The candidate flow this answer belongs to; refused (session revoked) when it meets none. */
  const flowOf = async (result: FlowResult, created?: { session_token?: string; session_jwt?: string }): Promise<PendingFlow> => {
    const match = candidates.find((c) => flowBindingBroken(c.record, result) === undefined);
    if (match !== undefined) return match;
    if (created !== undefined) await revokeNewSession(rc, created);
    logEvent(rc.logger, 'warn', 'stytch.routes.callback_refused', { reason: flowBindingBroken(newest.record, result) ?? 'no_flow', kind: newest.record.kind, type });
    throw flowMismatch();
  };
  let outcome: FlowOutcome;
  let finished: PendingFlow;
  switch (type) {
    case 'multi_tenant_magic_links': {
      // The email step of an OAuth/SSO login: Stytch joins this link to the waiting login.
      const ist = candidates.some((c) => c.record.continuesIst === true) ? rc.flow.readIst(req) : undefined;
      const result = await client.magicLinks.authenticate({ magic_links_token: token, ...pkce, ...session, ...(ist === undefined ? {} : { intermediate_session_token: ist }) });
      finished = await flowOf(primaryResult(result), result);
      const record = finished.record;
      if (record.kind === 'email_update' && !(auth.isAuthenticated && auth.memberId === record.memberId)) {
        // The address changed at Stytch; the member who asked is no longer signed in here, so no
        // session is made for them in this browser (they sign in with the new address).
        await revokeNewSession(rc, result);
        rc.flow.clearFlow(req, res, finished.id);
        logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'email_updated', type });
        redirect(res, withQuery(cfg.loginUrl, 'status', 'email_updated'), true);
        return;
      }
      outcome = await completePrimary(req, res, rc, result, 'magic_link', { returnTo: record.returnTo });
      break;
    }
    case 'oauth': {
      const result = await client.oauth.authenticate({ oauth_token: token, ...pkce, ...session });
      finished = await flowOf(primaryResult(result), result);
      const carry: CarriedFlow = { returnTo: finished.record.returnTo };
      outcome = needsEmailStep(result) ? await startEmailStep(req, res, rc, result, carry.returnTo) : await completePrimary(req, res, rc, result, 'oauth', carry);
      break;
    }
    case 'sso': {
      const result = await client.sso.authenticate({ sso_token: token, ...pkce, ...session });
      finished = await flowOf(primaryResult(result), result);
      const carry: CarriedFlow = { returnTo: finished.record.returnTo };
      outcome = needsEmailStep(result) ? await startEmailStep(req, res, rc, result, carry.returnTo) : await completePrimary(req, res, rc, result, 'sso', carry);
      break;
    }
    case 'discovery': {
      const result = await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, ...pkce });
      finished = await flowOf({ email: result.email_address });
      outcome = startDiscovery(req, res, rc, result, { returnTo: finished.record.returnTo });
      break;
    }
    case 'discovery_oauth': {
      const result = await client.oauth.discovery.authenticate({ discovery_oauth_token: token, ...pkce });
      finished = await flowOf({ email: result.email_address });
      outcome = startDiscovery(req, res, rc, result, { returnTo: finished.record.returnTo });
      break;
    }
  }
  // Only this flow's cookie is consumed: the browser's other pending flows keep their verifier.
  rc.flow.clearFlow(req, res, finished.id);
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type });
  sendOutcome(req, res, outcome, true);
}

/**
 * A link this browser did not start. Only magic links may come this way (invitations and email
 * updates are minted without a challenge, so any browser can redeem them); with PKCE on, OAuth,
 * SSO and discovery tokens must come back to the browser that started them. Its GET spends
 * nothing (a "Continue" page posts the token to `/join`); a result for a member other than the
 * one signed in here is never a session at once: the browser is asked "Join <organization>?" and
 * only a POST completes it.
 */
async function foreignLink(req: IncomingMessage, res: ServerResponse, rc: RouteContext, type: CallbackTokenType, token: string): Promise<void> {
  const { cfg } = rc;
  if (!cfg.pkce) {
    // `pkce: false`: the app starts logins elsewhere and accepts any link (the documented trade-off).
    await legacyCallback(req, res, rc, type, token);
    return;
  }
  if (type !== 'multi_tenant_magic_links') throw verifierMissing();
  if (cfg.paths.join !== undefined) {
    // Opening the link spends nothing: a mail scanner's or link preview's GET must leave a
    // single-use invitation alive. The POST of this page redeems it.
    offerLink(req, res, rc, token);
    logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'link_confirmation', type });
    return;
  }
  await redeemForeignLink(req, res, rc, type, token);
}

/** Redeem a link this browser did not start (after its confirmation, or at once without the join route). */
async function redeemForeignLink(req: IncomingMessage, res: ServerResponse, rc: RouteContext, type: 'multi_tenant_magic_links', token: string): Promise<void> {
  const { cfg, client, auth } = rc;
  const session = cfg.sessionFields;
  const result = await withoutVerifier(client.magicLinks.authenticate({ magic_links_token: token, ...session }));
  const memberId = result.member_id || result.member?.member_id;
  if (result.member_authenticated && auth.isAuthenticated && auth.memberId === memberId) {
    // The member signed in here (e.g. their own email change opened without its flow cookie).
    const outcome = await completePrimary(req, res, rc, result, 'magic_link', { returnTo: undefined });
    logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type, origin: 'foreign_same_member' });
    sendOutcome(req, res, outcome, true);
    return;
  }
  if (!result.member_authenticated) {
    // MFA still to come: the member must prove their own second factor with a POST, which is the
    // confirmation; no session exists yet.
    const outcome = await completePrimary(req, res, rc, result, 'magic_link', { returnTo: undefined });
    logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type, origin: 'foreign' });
    sendOutcome(req, res, outcome, true);
    return;
  }
  if (cfg.paths.join === undefined) {
    await revokeNewSession(rc, result);
    throw flowMismatch();
  }
  offerJoin(req, res, rc, result);
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'join_confirmation', type });
}

/** `pkce: false`: every token type completes without a verifier. */
async function legacyCallback(req: IncomingMessage, res: ServerResponse, rc: RouteContext, type: CallbackTokenType, token: string): Promise<void> {
  const { client, cfg } = rc;
  const session = cfg.sessionFields;
  const carry: CarriedFlow = { returnTo: undefined };
  let outcome: FlowOutcome;
  switch (type) {
    case 'multi_tenant_magic_links':
      outcome = await completePrimary(req, res, rc, await client.magicLinks.authenticate({ magic_links_token: token, ...session }), 'magic_link', carry);
      break;
    case 'oauth':
      outcome = await completePrimary(req, res, rc, await client.oauth.authenticate({ oauth_token: token, ...session }), 'oauth', carry);
      break;
    case 'sso':
      outcome = await completePrimary(req, res, rc, await client.sso.authenticate({ sso_token: token, ...session }), 'sso', carry);
      break;
    case 'discovery':
      outcome = startDiscovery(req, res, rc, await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token }), carry);
      break;
    case 'discovery_oauth':
      outcome = startDiscovery(req, res, rc, await client.oauth.discovery.authenticate({ discovery_oauth_token: token }), carry);
      break;
  }
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type });
  sendOutcome(req, res, outcome, true);
}

/** A discovery login: keep the IST in its cookie and send the browser to the organization picker. */
function startDiscovery(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: DiscoveryAuthenticateResponse, carry: CarriedFlow): FlowOutcome {
  rc.flow.clearIntermediateState(req, res);
  rc.flow.setIst(req, res, result.intermediate_session_token);
  rc.flow.setReturnTo(req, res, carry.returnTo);
  return { status: 'discovery', redirectTo: rc.cfg.discoveryUrl };
}
