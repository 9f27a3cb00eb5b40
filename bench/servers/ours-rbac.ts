// Scenario 3: ours, warm with requirePermission() decided locally against the cached RBAC policy.
import { runScenario } from './serve.js';
import { buildOursApp } from './ours-app.js';

runScenario((args) => buildOursApp(args, { guard: 'permission' }));
