import { ConfigError } from '../errors.js';
import type { TokenKind } from '../session/auth-types.js';
import { SESSION_ONLY, createTokenGuard, signedInCheck } from './guard.js';
import type { NodeMiddleware } from './guard.js';
import { resolveAcceptsToken } from './options.js';

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions {
  /**
   * Token kinds this route accepts. Default `['session']`: a route takes machines only where it
   * opts in (and `stytchAuth({ acceptsToken })` verifies them). A machine caller passes on its
   * verified token alone; read it with `getStytchAuth(req)` and narrow on `status === 'machine'`.
   */
  acceptsToken?: readonly TokenKind[];
}

/**
 * Protect a route: only signed-in members pass.
 *
 * - API calls without a valid session: 401 `{ error: { code: 'unauthenticated', ... } }` with
 *   `WWW-Authenticate: Bearer` and `Cache-Control: no-store`;
 * - browser navigations (`Sec-Fetch-Mode: navigate`, or a GET accepting `text/html`): 303 to the
 *   `loginUrl` given to `stytchAuth()`, with the request's own path as a validated `return_to`
 *   (401 when no `loginUrl` is configured);
 * - Stytch unreachable and the session could not be checked locally: 503 (`Retry-After` when known).
 *
 * - a token of a kind the route does not accept (a machine where only members are, or the
 *   reverse): 401 `token_type_not_accepted`.
 *
 * `stytchAuth()` must run first.
 *
 * @throws ConfigError when `acceptsToken` is not a non-empty list of token kinds.
 * @example
 * app.use(stytchAuth({ loginUrl: '/login', acceptsToken: ['session', 'm2m'] }));
 * app.get('/dashboard', requireAuth(), (req, res) => res.send('hi')); // members only
 * app.get('/api/status', requireAuth({ acceptsToken: ['session', 'm2m'] }), handler);
 */
export function requireAuth(options?: RequireAuthOptions): NodeMiddleware {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new ConfigError('requireAuth: options must be an object.');
  const accepts = resolveAcceptsToken('requireAuth', options?.acceptsToken);
  return createTokenGuard('requireAuth', [signedInCheck], { accepts: accepts ?? SESSION_ONLY, machineChecks: [] });
}
