import { createGuard, signedInCheck } from './guard.js';
import type { NodeMiddleware } from './guard.js';

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
 * `stytchAuth()` must run first.
 *
 * @example
 * app.use(stytchAuth({ loginUrl: '/login' }));
 * app.get('/dashboard', requireAuth(), (req, res) => res.send('hi'));
 */
export function requireAuth(): NodeMiddleware {
  return createGuard('requireAuth', [signedInCheck]);
}
