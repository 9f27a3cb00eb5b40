/**
 * Peer scenario: the official `stytch` SDK, as its docs recommend for backends — a middleware that
 * calls `sessions.authenticateJwt` (local RS256 verification, remote fallback on any failure).
 * Used by `sdk-jwt.ts` and `sdk-jwt-rbac.ts` (the latter adds an `authorization_check`).
 */
import express from 'express';
import { B2BClient } from 'stytch';
import { OK_BODY, ROUTE, requireEmulator } from './serve.js';
import type { ScenarioApp } from './serve.js';
import { JWT_COOKIE, readCookie, unauthorized } from './peer-util.js';
import type { ScenarioStartArgs } from '../lib/child.js';

/** Builds the SDK middleware app; `withAuthorizationCheck` adds the RBAC check of scenario 6b. */
export function buildSdkJwtApp(args: ScenarioStartArgs, withAuthorizationCheck: boolean): ScenarioApp {
  const emulator = requireEmulator(args);
  // The SDK accepts a plain-http base URL only through `env` (it prints a warning); spec 1.1.
  const client = new B2BClient({ project_id: emulator.projectId, secret: emulator.secret, env: `${emulator.url}/` });
  let remoteFallbacks = 0;
  const app = express();
  app.use(async (req, res, next) => {
    const sessionJwt = readCookie(req, JWT_COOKIE);
    if (!sessionJwt) {
      unauthorized(res);
      return;
    }
    try {
      const result = await client.sessions.authenticateJwt({
        session_jwt: sessionJwt,
        ...(withAuthorizationCheck
          ? { authorization_check: { organization_id: emulator.organizationId, resource_id: emulator.permission.resourceId, action: emulator.permission.action } }
          : {}),
      });
      // A `member` in the result means local verification failed and the SDK went to the API.
      if ('member' in result) remoteFallbacks++;
      res.locals.memberSession = result.member_session;
      next();
    } catch {
      unauthorized(res);
    }
  });
  app.get(ROUTE, (_req, res) => {
    res.json(OK_BODY);
  });
  return { handler: app, stats: () => ({ remoteFallbacks }) };
}


