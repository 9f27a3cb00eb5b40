// Scenario: bare node:http, for scale (no framework, no authentication).
import { ROUTE, runScenario, sendOk } from './serve.js';

runScenario(() => ({
  handler(req, res) {
    if (req.url === ROUTE) sendOk(res);
    else {
      res.statusCode = 404;
      res.end();
    }
  },
}));
