/**
 * Peer scenario: the official SDK's `sessions.authenticate` with the opaque session token, one API
 * call to the emulator per request (the SDK's fetch uses Node's default keep-alive agent).
 */
import express from 'express';
import { B2BClient } from 'stytch';
import { OK_BODY, ROUTE, requireEmulator, runScenario } from './serve.js';
import { TOKEN_COOKIE, readCookie, unauthorized } from './peer-util.js';

runScenario((args) => {
  const emulator = requireEmulator(args);
  const client = new B2BClient({ project_id: emulator.projectId, secret: emulator.secret, env: `${emulator.url}/` });
  const app = express();
  app.use(async (req, res, next) => {
    const sessionToken = readCookie(req, TOKEN_COOKIE);
    if (!sessionToken) {
      unauthorized(res);
      return;
    }
    try {
      const result = await client.sessions.authenticate({ session_token: sessionToken });
      res.locals.memberSession = result.member_session;
      next();
    } catch {
      unauthorized(res);
    }
  });
  app.get(ROUTE, (_req, res) => {
    res.json(OK_BODY);
  });
  return { handler: app };
});
