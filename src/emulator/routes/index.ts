/** Every API route of the emulator. */
import type { Router } from '../router.js';
import { discoveryRoutes } from './discovery.js';
import { magicLinkRoutes } from './magic-links.js';
import { m2mRoutes } from './m2m.js';
import { memberRoutes } from './members.js';
import { oauthSsoRoutes } from './oauth-sso.js';
import { organizationRoutes } from './organizations.js';
import { otpRoutes } from './otps.js';
import { passwordRoutes } from './passwords.js';
import { rbacRoutes } from './rbac.js';
import { sessionRoutes } from './sessions.js';
import { ssoAdminRoutes } from './sso-admin.js';
import { ssoPublicRoutes } from './sso-public.js';
import { totpRoutes } from './totp.js';

export function apiRoutes(router: Router): void {
  sessionRoutes(router);
  rbacRoutes(router);
  magicLinkRoutes(router);
  otpRoutes(router);
  passwordRoutes(router);
  totpRoutes(router);
  discoveryRoutes(router);
  organizationRoutes(router);
  memberRoutes(router);
  oauthSsoRoutes(router);
  ssoAdminRoutes(router);
  ssoPublicRoutes(router);
  m2mRoutes(router);
}
