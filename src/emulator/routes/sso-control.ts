/** Control-plane view of the project settings the public endpoints need (Basic auth like every `/__emulator/` call). */
import type { Router } from '../router.js';

export function ssoControlRoutes(router: Router): void {
  router.add('GET', '/__emulator/project', ({ state }) => ({
    project_id: state.settings.projectId,
    public_token: state.settings.publicToken,
    url: state.settings.url,
    redirect_urls: { ...state.settings.redirectUrls },
    allowed_redirect_urls: [...state.settings.allowedRedirectUrls],
  }));
}
