/**
 * `GET /session`: the current auth object as JSON, for single-page apps. 401 when signed out,
 * 503 when it could not be decided. Never returns the credential itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../middleware/respond.js';
import type { RouteContext } from './route-context.js';

/** Handler of the session route. */
export function currentSession(_req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { auth } = rc;
  if (auth.status === 'signed_in') {
    sendJson(res, 200, {
      isAuthenticated: true,
      status: auth.status,
      memberId: auth.memberId,
      organizationId: auth.organizationId,
      organizationSlug: auth.organizationSlug,
      sessionId: auth.sessionId,
      roles: auth.roles,
      authenticationFactors: auth.authenticationFactors.map((f) => ({ type: f.type, deliveryMethod: f.delivery_method, lastAuthenticatedAt: f.last_authenticated_at })),
      sessionExpiresAt: auth.sessionExpiresAt.toISOString(),
      sessionStartedAt: auth.sessionStartedAt.toISOString(),
      tokenIssuedAt: auth.tokenIssuedAt?.toISOString() ?? null,
      customClaims: auth.customClaims,
      verifiedBy: auth.verifiedBy,
      credential: auth.credential,
    });
  } else if (auth.status === 'undecided') {
    // Undecided is always 503, like the guards, whatever the upstream did.
    sendJson(res, 503, { error: { code: auth.error.code, message: 'The authentication service is unavailable. Try again later.' } });
  } else {
    res.setHeader('WWW-Authenticate', 'Bearer');
    sendJson(res, 401, { error: { code: 'unauthenticated', message: 'Not signed in.' }, isAuthenticated: false, status: 'signed_out' });
  }
  return Promise.resolve();
}
