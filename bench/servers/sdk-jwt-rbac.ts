// Peer scenario: the official SDK's `sessions.authenticateJwt` with an `authorization_check`
// (local RBAC against the SDK's policy cache).
import { runScenario } from './serve.js';
import { buildSdkJwtApp } from './sdk-jwt-app.js';

runScenario((args) => buildSdkJwtApp(args, true));
