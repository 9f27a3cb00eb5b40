/**
 * A minimal per-member cookie jar and HTTP caller for the soak, over one shared undici Agent.
 * Every request has a hard client-side deadline, so a hang is measured and reported as a
 * violation instead of stalling the run.
 */
import { Agent, request } from 'undici';

/** One answer, reduced to what the invariants need. */
export interface SoakResponse {
  status: number;
  /** 0 when the request failed at the transport level (reset, refused, aborted). */
  ms: number;
  /** Session cookie names this answer cleared (`Max-Age=0` or empty value). */
  cleared: string[];
  /** Session cookie names this answer set to a new value. */
  set: string[];
  body: unknown;
  location: string | undefined;
  /** True when the client gave up at the hard deadline. */
  hung: boolean;
  transportError: string | undefined;
}

/** The shared connection pool of the load generator. */
export function createAgent(connections: number): Agent {
  return new Agent({ connections, pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: 5_000 } });
}

export class Jar {
  readonly cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Apply Set-Cookie lines in order; reports the net effect per name (a clear then a set is a set). */
  apply(lines: string[]): { cleared: string[]; set: string[] } {
    const last = new Map<string, 'cleared' | 'set'>();
    for (const line of lines) {
      const first = line.split(';', 1)[0] ?? '';
      const eq = first.indexOf('=');
      if (eq <= 0) continue;
      const name = first.slice(0, eq).trim();
      const value = first.slice(eq + 1).trim();
      if (value === '' || /;\s*max-age=0/i.test(line)) {
        this.cookies.delete(name);
        last.set(name, 'cleared');
      } else {
        this.cookies.set(name, value);
        last.set(name, 'set');
      }
    }
    const cleared: string[] = [];
    const set: string[] = [];
    for (const [name, what] of last) (what === 'set' ? set : cleared).push(name);
    return { cleared, set };
  }
}

/**
 * Send one request. `cookie` overrides the jar (replays); the jar is updated from Set-Cookie
 * unless `keepJar` (an attacker replaying keeps what it had).
 */
export async function call(
  agent: Agent,
  base: string,
  method: 'GET' | 'POST',
  path: string,
  init: { jar?: Jar; cookie?: string; bearer?: string; json?: unknown; origin?: string; hardDeadlineMs: number; keepJar?: boolean },
): Promise<SoakResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const cookie = init.cookie ?? init.jar?.header();
  if (cookie !== undefined) headers.cookie = cookie;
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  if (method === 'POST') headers.origin = init.origin ?? base;
  const started = performance.now();
  const signal = AbortSignal.timeout(init.hardDeadlineMs);
  try {
    const res = await request(base + path, { method, headers, dispatcher: agent, signal, ...(body === undefined ? {} : { body }) });
    const text = await res.body.text();
    const ms = performance.now() - started;
    const raw = res.headers['set-cookie'];
    const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const changes = init.jar !== undefined && !init.keepJar ? init.jar.apply(lines) : new Jar().apply(lines);
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const location = res.headers.location;
    return {
      status: res.statusCode,
      ms,
      cleared: changes.cleared,
      set: changes.set,
      body: parsed,
      location: Array.isArray(location) ? location[0] : location,
      hung: false,
      transportError: undefined,
    };
  } catch (error) {
    const ms = performance.now() - started;
    const hung = signal.aborted;
    return { status: 0, ms, cleared: [], set: [], body: undefined, location: undefined, hung, transportError: error instanceof Error ? error.name : 'error' };
  }
}
