// Peer scenario: the official SDK's `sessions.authenticateJwt` (local RS256 verification).
import { runScenario } from './serve.js';
import { buildSdkJwtApp } from './sdk-jwt-app.js';

runScenario((args) => buildSdkJwtApp(args, false));
