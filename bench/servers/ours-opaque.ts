/**
 * Scenario 5: ours, opaque session token, default options. The first request for the token goes
 * to the emulator (undici keep-alive pool on loopback); Stytch's answer is then reused for as
 * long as the JWT it returned would be valid (≤ 5 minutes), exactly the revocation window of the
 * JWT path. See `ours-opaque-net` for the network path on every request.
 */
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'auth' }));
