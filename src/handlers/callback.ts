/**
 * `GET /callback?stytch_token_type=...&token=...`: where Stytch sends the browser back after a
 * magic link, OAuth or SSO. Authenticates the token once (never retried, never with the
 * browser's existing session), then sets the session, or the IST for MFA / discovery.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveryAuthenticateResponse } from '../client/api-types.js';
import { BadRequestError } from '../errors.js';
import { redirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import type { FlowOutcome } from './flow.js';
import { completePrimary, revokeBestEffort, sendOutcome } from './flow.js';
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

/** Handler of the callback route. */
export async function callback(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, flow, auth, client } = rc;
  // Set first so every answer, including errors, carries them.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Password-reset links are finished by the reset form, not here (password-reset.ts).
  const resetLink = resetLinkParams(req, rc);
  if (resetLink !== undefined) return passwordResetLanding(req, res, rc, resetLink);
  // Read and delete in every case: the verifier is single use whatever happens next.
  const verifier = flow.takePkceVerifier(req, res);
  const emailUpdateMember = flow.takeEmailUpdatePending(req, res);
  const isRequestedEmail = flow.takeLoginEmail(req, res);
  const params = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
  const type = single(params, 'stytch_token_type');
  if (!isTokenType(type)) throw new BadRequestError('invalid_token_type', 'This sign-in link is not supported.');
  const token = single(params, 'token');
  if (token === undefined || !TOKEN_SHAPE.test(token)) throw new BadRequestError('invalid_token', 'This sign-in link is malformed.');

  const emailUpdate = type === 'multi_tenant_magic_links' && emailUpdateMember !== undefined && auth.isAuthenticated && auth.memberId === emailUpdateMember;
  // Back button / replayed link while signed in and no login under way in this browser: go on
  // without spending the token again. A login under way (verifier or transaction cookie)
  // always authenticates, so planted session cookies are replaced rather than kept.
  if (auth.isAuthenticated && verifier === undefined && !emailUpdate && !flow.hasLoginTransaction(req)) {
    logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'stale_callback', type });
    redirect(res, cfg.afterLoginUrl);
    return;
  }
  if (cfg.pkce && verifier === undefined && !emailUpdate) {
    throw new BadRequestError('pkce_verifier_missing', 'This sign-in link must be opened in the browser that requested it.');
  }
  const pkce = verifier === undefined ? {} : { pkce_code_verifier: verifier };
  const session = cfg.sessionFields;

  // Never pass the browser's current session: Stytch would attach the factor to it and skip MFA
  // (session fixation). Single-use tokens go through POSTs, which the client never retries.
  // A verifier proves this browser started *a* login, but a token minted without a challenge
  // (an invite or email-update link, an OAuth/SSO login started elsewhere) ignores it: the result
  // must also be for the address this browser asked a link for (login CSRF). Checked before any
  // cookie is written; a session Stytch already created for it is revoked.
  const refuseUnlessRequested = async (email: unknown, created?: { session_token?: string; session_jwt?: string }): Promise<void> => {
    if (verifier === undefined || isRequestedEmail(email)) return;
    if (created !== undefined) await revokeNewSession(rc, created);
    throw new BadRequestError('login_link_mismatch', 'This sign-in link must be opened in the browser that requested it.');
  };
  let outcome: FlowOutcome;
  switch (type) {
    case 'multi_tenant_magic_links': {
      const result = await client.magicLinks.authenticate({ magic_links_token: token, ...pkce, ...session });
      // Without a verifier, only the email change of the member who asked for it may complete
      // here: any other PKCE-less link (someone else's email-update or invite link) would sign
      // this browser in as that someone (login CSRF).
      const memberId = result.member_id || result.member?.member_id;
      if (cfg.pkce && verifier === undefined && memberId !== emailUpdateMember) {
        await revokeNewSession(rc, result);
        throw new BadRequestError('pkce_verifier_missing', 'This sign-in link must be opened in the browser that requested it.');
      }
      if (!(emailUpdate && memberId === emailUpdateMember)) await refuseUnlessRequested(result.member?.email_address, result);
      outcome = await completePrimary(req, res, rc, result, 'magic_link');
      break;
    }
    case 'oauth': {
      const result = await client.oauth.authenticate({ oauth_token: token, ...pkce, ...session });
      await refuseUnlessRequested(result.member?.email_address, result);
      outcome = await completePrimary(req, res, rc, result, 'oauth');
      break;
    }
    case 'sso': {
      const result = await client.sso.authenticate({ sso_token: token, ...pkce, ...session });
      await refuseUnlessRequested(result.member?.email_address, result);
      outcome = await completePrimary(req, res, rc, result, 'sso');
      break;
    }
    case 'discovery': {
      const result = await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, ...pkce });
      await refuseUnlessRequested(result.email_address);
      outcome = startDiscovery(req, res, rc, result);
      break;
    }
    case 'discovery_oauth': {
      const result = await client.oauth.discovery.authenticate({ discovery_oauth_token: token, ...pkce });
      await refuseUnlessRequested(result.email_address);
      outcome = startDiscovery(req, res, rc, result);
      break;
    }
  }
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type });
  sendOutcome(req, res, outcome, true);
}

/** Revoke (best effort) the session a refused callback just created, so it is not left alive at Stytch. */
async function revokeNewSession(rc: RouteContext, result: { session_token?: string; session_jwt?: string }): Promise<void> {
  if (result.session_token) await revokeBestEffort(rc, { session_token: result.session_token });
  else if (result.session_jwt) await revokeBestEffort(rc, { session_jwt: result.session_jwt });
}

/** A discovery login: keep the IST in its cookie and send the browser to the organization picker. */
function startDiscovery(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: DiscoveryAuthenticateResponse): FlowOutcome {
  rc.flow.clearIntermediateState(req, res);
  rc.flow.setIst(req, res, result.intermediate_session_token);
  return { status: 'discovery', redirectTo: rc.cfg.discoveryUrl };
}
