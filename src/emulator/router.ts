/** A small method + path router with `:param` segments; static paths are a single map lookup. */
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from './http-errors.js';
import type { EmulatorState } from './state.js';
import type { Body } from './validate.js';

export interface RouteRequest {
  state: EmulatorState;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  headers: IncomingHttpHeaders;
}

/** Returns the success fields; the server adds `request_id` and `status_code`. */
export type RouteHandler = (req: RouteRequest) => Record<string, unknown>;

/** A browser-facing answer (an HTML page or a redirect) instead of Stytch JSON. */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A browser-facing route: gets the form fields of an `application/x-www-form-urlencoded` body. */
export type PageHandler = (req: RouteRequest & { form: URLSearchParams }) => PageResponse;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
  isPublic: boolean;
  page?: PageHandler;
}

export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
  isPublic: boolean;
  /** Set for browser-facing routes (always public); errors are still Stytch JSON. */
  page?: PageHandler;
}

export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler, options: { isPublic?: boolean } = {}): this {
    const route: Route = { method, segments: pattern.split('/').slice(1), handler, isPublic: options.isPublic ?? false };
    if (pattern.includes(':')) this.patterns.push(route);
    else this.exact.set(`${method} ${pattern}`, route);
    return this;
  }

  /** Adds a public, browser-facing route (public start endpoints, the built-in IdP page). */
  addPage(method: string, pattern: string, page: PageHandler): this {
    const route: Route = { method, segments: pattern.split('/').slice(1), handler: () => ({}), isPublic: true, page };
    if (pattern.includes(':')) this.patterns.push(route);
    else this.exact.set(`${method} ${pattern}`, route);
    return this;
  }

  /** The matching route, or `undefined`. Throws a 400 for undecodable path parameters. */
  match(method: string, path: string): RouteMatch | undefined {
    const exact = this.exact.get(`${method} ${path}`);
    if (exact) return { handler: exact.handler, params: {}, isPublic: exact.isPublic, ...(exact.page ? { page: exact.page } : {}) };
    const parts = path.split('/').slice(1);
    for (const route of this.patterns) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const want = route.segments[i] as string;
        const got = parts[i] as string;
        if (want.startsWith(':')) {
          if (got === '') ok = false;
          else params[want.slice(1)] = decode(got);
        } else if (want !== got) ok = false;
      }
      if (ok) return { handler: route.handler, params, isPublic: route.isPublic, ...(route.page ? { page: route.page } : {}) };
    }
    return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('invalid_argument', 'A path parameter is not valid percent-encoding.');
  }
}
