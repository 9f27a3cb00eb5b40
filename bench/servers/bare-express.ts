// Scenario: bare Express 5, the ceiling every other scenario is compared with.
import express from 'express';
import { OK_BODY, ROUTE, runScenario } from './serve.js';

runScenario(() => {
  const app = express();
  app.get(ROUTE, (_req, res) => {
    res.json(OK_BODY);
  });
  return { handler: app };
});
