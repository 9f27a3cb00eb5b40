/**
 * Scenario 4: ours, cold — every request carries a different valid JWT, so each one is a full
 * RS256 verification. Default options: the harness's token pool is larger than the default
 * verified-token cache (10 000) and rotates in order, so the LRU can never serve a repeat
 * (the `cacheHits` counter in the results proves it).
 */
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'auth' }));
