/**
 * Small request helpers shared by the example's route modules (`app.ts`, `admin.ts`).
 */
import type { Request, Response } from 'express';
import { getStytchAuth, getStytchContext } from '../../src/index.js';
import type { SignedInAuth } from '../../src/index.js';

/** A 4xx from Stytch goes back to `page` with `?error=<code>` (views/messages.ts); anything else is the error page. */
export function stytchRefusal(error: unknown, res: Response, page: string, next: (err: unknown) => void): void {
  const { status, code } = error as { status?: unknown; code?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof code === 'string' && /^[a-z0-9_]{1,64}$/.test(code)) {
    return void res.redirect(303, `${page}?error=${code}`);
  }
  next(error);
}

/** Member-session headers for calls made as the signed-in member (Stytch then checks their permissions). */
export function memberAuthorization(req: Request): { session_jwt: string } | { session_token: string } | undefined {
  const { credential } = getStytchContext(req);
  if (!credential) return undefined;
  return credential.kind === 'jwt' ? { session_jwt: credential.value } : { session_token: credential.value };
}

/** The signed-in auth object; only called behind a guard, which already refused everyone else. */
export function signedIn(req: Request): SignedInAuth {
  const auth = getStytchAuth(req);
  if (!auth.isAuthenticated) throw new Error('route reached without a session');
  return auth;
}

/** A query parameter as a string (undefined when absent, repeated or over 2 KB). */
export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  return typeof value === 'string' && value.length <= 2048 ? value : undefined;
}

/** A JSON answer of one of the app's own routes: the data, or the refusal's status and code. */
export type JsonAnswer<T> = { ok: true; data: T } | { ok: false; status: number; code: string };

/**
 * GET one of the app's own JSON routes as this browser (its cookies and Authorization header
 * travel along): the admin pages show exactly what a front end calling the admin routes would get.
 */
export async function readJson<T>(req: Request, url: string): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.headers.cookie !== undefined) headers.cookie = req.headers.cookie;
  if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
  try {
    const answer = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const body: unknown = await answer.json().catch(() => null);
    if (answer.ok) return { ok: true, data: body as T };
    const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
    return { ok: false, status: answer.status, code: typeof code === 'string' && /^[a-z0-9_]{1,64}$/.test(code) ? code : 'upstream_unavailable' };
  } catch {
    return { ok: false, status: 503, code: 'upstream_unavailable' };
  }
}
