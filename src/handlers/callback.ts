/**
 * `GET /callback?stytch_token_type=...&token=...`: where Stytch sends the browser back after a
 * magic link, OAuth or SSO. Authenticates the token once (never retried, never with the
 * browser's existing session), then sets the session, or the IST for MFA / discovery.
 * See catalogue section 9 (#74-#79).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveryAuthenticateResponse } from '../client/api-types.js';
import { BadRequestError } from '../errors.js';
import { getStytchAuth } from '../middleware/auth-object.js';
import { getStytchContext } from '../middleware/context.js';
import { logEvent } from '../session/logger.js';
import type { FlowOutcome } from './flow.js';
import { completePrimary, revokeBestEffort, sendOutcome } from './flow.js';
import type { ResolvedRoutesConfig } from './options.js';
import { redirect, setNoStore } from './responses.js';
import { clearIntermediateState, hasLoginTransaction, setIst, takeEmailUpdatePending, takePkceVerifier } from './transient.js';

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
export async function callback(req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig): Promise<void> {
  // Set first so every answer, including errors, carries them (catalogue #78).
  setNoStore(res);
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Read and delete in every case: the verifier is single use whatever happens next (#75).
  const verifier = takePkceVerifier(req, res);
  const emailUpdateMember = takeEmailUpdatePending(req, res);
  const params = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
  const type = single(params, 'stytch_token_type');
  if (!isTokenType(type)) throw new BadRequestError('invalid_token_type', 'This sign-in link is not supported.');
  const token = single(params, 'token');
  if (token === undefined || !TOKEN_SHAPE.test(token)) throw new BadRequestError('invalid_token', 'This sign-in link is malformed.');

  const ctx = getStytchContext(req);
  const auth = getStytchAuth(req);
  const emailUpdate = type === 'multi_tenant_magic_links' && emailUpdateMember !== undefined && auth.isAuthenticated && auth.memberId === emailUpdateMember;
  // Back button / replayed link while signed in and no login under way in this browser: go on
  // without spending the token again (#79). A login under way (verifier or transaction cookie)
  // always authenticates, so planted session cookies are replaced rather than kept (#71).
  if (auth.isAuthenticated && verifier === undefined && !emailUpdate && !hasLoginTransaction(req)) {
    logEvent(ctx.logger, 'info', 'stytch.routes.callback', { outcome: 'stale_callback', type });
    redirect(res, cfg.afterLoginUrl);
    return;
  }
  if (cfg.pkce && verifier === undefined && !emailUpdate) {
    throw new BadRequestError('pkce_verifier_missing', 'This sign-in link must be opened in the browser that requested it.');
  }
  const pkce = verifier === undefined ? {} : { pkce_code_verifier: verifier };
  const duration = cfg.sessionDurationMinutes ?? ctx.config.sessionDurationMinutes;
  const session = duration === undefined ? {} : { session_duration_minutes: duration };
  const { client } = ctx;

  // Never pass the browser's current session: Stytch would attach the factor to it and skip MFA
  // (session fixation, #71). Single-use tokens go through POSTs, which the client never retries.
  let outcome: FlowOutcome;
  switch (type) {
    case 'multi_tenant_magic_links': {
      const result = await client.magicLinks.authenticate({ magic_links_token: token, ...pkce, ...session });
      // Without a verifier, only the email change of the member who asked for it may complete
      // here: any other PKCE-less link (someone else's email-update or invite link) would sign
      // this browser in as that someone (login CSRF). Checked before any cookie is written.
      if (cfg.pkce && verifier === undefined && (result.member_id || result.member?.member_id) !== emailUpdateMember) {
        if (result.session_token || result.session_jwt) await revokeBestEffort(req, result.session_token ? { session_token: result.session_token } : { session_jwt: result.session_jwt });
        throw new BadRequestError('pkce_verifier_missing', 'This sign-in link must be opened in the browser that requested it.');
      }
      outcome = await completePrimary(req, res, cfg, result, 'magic_link');
      break;
    }
    case 'oauth':
      outcome = await completePrimary(req, res, cfg, await client.oauth.authenticate({ oauth_token: token, ...pkce, ...session }), 'oauth');
      break;
    case 'sso':
      outcome = await completePrimary(req, res, cfg, await client.sso.authenticate({ sso_token: token, ...pkce, ...session }), 'sso');
      break;
    case 'discovery':
      outcome = startDiscovery(req, res, cfg, await client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token, ...pkce }));
      break;
    case 'discovery_oauth':
      outcome = startDiscovery(req, res, cfg, await client.oauth.discovery.authenticate({ discovery_oauth_token: token, ...pkce }));
      break;
  }
  logEvent(ctx.logger, 'info', 'stytch.routes.callback', { outcome: outcome.status, type });
  sendOutcome(req, res, outcome, true);
}

/** A discovery login: keep the IST in its cookie and send the browser to the organization picker. */
function startDiscovery(req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig, result: DiscoveryAuthenticateResponse): FlowOutcome {
  clearIntermediateState(req, res);
  setIst(req, res, result.intermediate_session_token);
  return { status: 'discovery', redirectTo: cfg.discoveryUrl };
}
