/**
 * The absolute callback URL given to Stytch as the redirect target of emailed links. Its origin
 * is always the configured `appUrl` (never the request's Host); its path is `callbackPath`, or
 * the router's mount path plus the callback route.
 */
import type { IncomingMessage } from 'node:http';
import type { ResolvedRoutesConfig } from './options.js';

function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Where the router is mounted, from `originalUrl` (Express 4/5 and Connect both keep it) minus
 * the stripped `url`. '' when mounted at the root or when it cannot be told.
 */
export function mountPath(req: IncomingMessage): string {
  const original = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  if (typeof original !== 'string' || req.url === undefined) return '';
  const full = pathOf(original);
  const rest = pathOf(req.url);
  if (!full.endsWith(rest)) return '';
  const prefix = full.slice(0, full.length - rest.length);
  return /^(\/[A-Za-z0-9_.~-]+)*$/.test(prefix) ? prefix : '';
}

/** The callback URL for this request's router. */
export function callbackUrl(req: IncomingMessage, cfg: ResolvedRoutesConfig): string {
  const path = cfg.callbackPath ?? `${mountPath(req)}${cfg.paths.callback ?? '/callback'}`;
  return `${cfg.appOrigin}${path}`;
}
