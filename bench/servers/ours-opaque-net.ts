/**
 * Scenario 5 (network path): ours with the opaque session token and `maxTokenAgeSeconds: 0`, so
 * no answer is ever reused and every request is decided by `sessions/authenticate` on the
 * emulator (concurrent requests for the same token share one in-flight call).
 */
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'auth', auth: { maxTokenAgeSeconds: 0 } }));
