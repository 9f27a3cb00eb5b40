// Memory scenario: default stytchAuth() + requireAuth(); the harness sends 100 000 distinct valid JWTs.
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'auth' }));
