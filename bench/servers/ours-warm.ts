// Scenario 2: ours, warm — the same cookie JWT on every request (verified-token cache), requireAuth().
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'auth' }));
