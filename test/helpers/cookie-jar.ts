/**
 * A tiny browser stand-in for route tests: a cookie jar (host-only, applies Set-Cookie lines in
 * order, honours Max-Age=0 / past Expires) over undici's `request`, which, unlike `fetch`, adds
 * no `Sec-Fetch-*` or `Origin` header of its own. Redirects are never followed automatically.
 */
import { request } from 'undici';

/** One stored cookie with the attributes it was set with. */
export interface JarCookie {
  value: string;
  attributes: Record<string, string | true>;
}

/** What a request answered. */
export interface JarResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined (loosely typed: tests assert it field by field). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  location: string | undefined;
  /** Raw Set-Cookie lines of this answer. */
  setCookies: string[];
}

export interface JarRequestOptions {
  headers?: Record<string, string>;
  /** JSON body (sets content-type). */
  json?: unknown;
  /** URL-encoded form body (sets content-type). */
  form?: Record<string, string>;
  /** Raw body with your own content-type header. */
  raw?: string;
  /**
   * `Origin` header for unsafe methods: default the jar's origin; `null` sends none. Set
   * explicitly to test CSRF variants.
   */
  origin?: string | null;
  /** Do not send the jar's cookies on this request. */
  noCookies?: boolean;
}

function parseSetCookie(line: string): { name: string; value: string; attributes: Record<string, string | true> } | undefined {
  const parts = line.split(';');
  const first = parts.shift() ?? '';
  const eq = first.indexOf('=');
  if (eq <= 0) return undefined;
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key === '') continue;
    attributes[key] = at === -1 ? true : part.slice(at + 1).trim();
  }
  return { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim(), attributes };
}

/** A cookie-keeping HTTP client bound to one origin. */
export class CookieJarClient {
  readonly cookies = new Map<string, JarCookie>();

  constructor(readonly baseUrl: string) {}

  /** The jar's origin (what a same-origin browser would send as `Origin`). */
  get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, { value, attributes: {} });
  }

  deleteCookie(name: string): void {
    this.cookies.delete(name);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
  }

  private store(lines: string[]): void {
    for (const line of lines) {
      const parsed = parseSetCookie(line);
      if (parsed === undefined) continue;
      const maxAge = parsed.attributes['max-age'];
      const expires = parsed.attributes.expires;
      const expired =
        (typeof maxAge === 'string' && Number(maxAge) <= 0) || (typeof expires === 'string' && Date.parse(expires) <= Date.now() && maxAge === undefined);
      if (expired || parsed.value === '') this.cookies.delete(parsed.name);
      else this.cookies.set(parsed.name, { value: parsed.value, attributes: parsed.attributes });
    }
  }

  async request(method: string, path: string, options: JarRequestOptions = {}): Promise<JarResponse> {
    const headers: Record<string, string> = {};
    if (!options.noCookies && this.cookies.size > 0) headers.cookie = this.cookieHeader();
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
    if (unsafe && options.origin !== null) headers.origin = options.origin ?? this.origin;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    Object.assign(headers, options.headers);
    const url = path.startsWith('http') ? path : this.baseUrl + path;
    const res = await request(url, { method: method.toUpperCase() as 'GET', headers, ...(body === undefined ? {} : { body }) });
    const text = await res.body.text();
    const raw = res.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    this.store(setCookies);
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const location = res.headers.location;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: parsed,
      text,
      location: Array.isArray(location) ? location[0] : location,
      setCookies,
    };
  }

  get(path: string, options?: JarRequestOptions): Promise<JarResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, options?: JarRequestOptions): Promise<JarResponse> {
    return this.request('POST', path, options);
  }
}
