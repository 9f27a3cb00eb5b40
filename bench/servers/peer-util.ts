/**
 * Shared bits of the peer scenarios: reading the session cookie the way an application using
 * those libraries would (the `cookie` package, as cookie-parser does) and answering 401.
 */
import { parse } from 'cookie';
import type { Request, Response } from 'express';

/** Cookie names written by Stytch's frontend SDK (spec 7.1). */
export const JWT_COOKIE = 'stytch_session_jwt';
export const TOKEN_COOKIE = 'stytch_session';

/** The named cookie of the request, if any. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parse(header)[name] : undefined;
}

/** The same small 401 body for every peer. */
export function unauthorized(res: Response): void {
  res.status(401).json({ error: { code: 'unauthenticated' } });
}
