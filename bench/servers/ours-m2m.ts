// Scenario: ours, warm M2M — the same M2M access token as a bearer on every request (machine-token cache), requireScope().
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'scope', auth: { acceptsToken: ['session', 'm2m'] } }));
