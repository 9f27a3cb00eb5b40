/**
 * Peer scenario: `express-jwt` + `jwks-rsa` as their READMEs recommend (RS256 only, the JWKS
 * fetched from the emulator with caching and rate limiting on), reading the Stytch JWT cookie.
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { OK_BODY, ROUTE, requireEmulator, runScenario } from './serve.js';
import { JWT_COOKIE, readCookie, unauthorized } from './peer-util.js';

runScenario((args) => {
  const emulator = requireEmulator(args);
  const app = express();
  app.use(
    expressjwt({
      secret: jwksRsa.expressJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: emulator.jwksUrl }),
      audience: emulator.projectId,
      issuer: emulator.issuer,
      algorithms: ['RS256'],
      getToken: (req) => readCookie(req, JWT_COOKIE),
    }),
  );
  app.get(ROUTE, (_req, res) => {
    res.json(OK_BODY);
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof Error && err.name === 'UnauthorizedError') unauthorized(res);
    else next(err);
  });
  return { handler: app };
});
