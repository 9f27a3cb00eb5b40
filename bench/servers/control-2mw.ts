/**
 * Scenario: the control for `ours-rbac` — bare Express with a no-op middleware where ours mounts
 * `stytchAuth()` (app-wide) and another where ours has `requirePermission()` (on the route). It
 * measures what any two Express middlewares cost (Express's own `next()` chain and layer
 * matching), so `ours-rbac` over this control is the share of throughput the library itself
 * keeps, with Express's structural cost taken out.
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { OK_BODY, ROUTE, runScenario } from './serve.js';

/** Stands in for `stytchAuth()`. */
function noopAuth(_req: Request, _res: Response, next: NextFunction): void {
  next();
}

/** Stands in for `requirePermission()`. */
function noopGuard(_req: Request, _res: Response, next: NextFunction): void {
  next();
}

runScenario(() => {
  const app = express();
  app.use(noopAuth);
  app.get(ROUTE, noopGuard, (_req, res) => {
    res.json(OK_BODY);
  });
  return { handler: app };
});
