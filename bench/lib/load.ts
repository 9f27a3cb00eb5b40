/**
 * The load generator: autocannon's programmatic API, in the harness process, without worker
 * threads (on a 2-core machine workers would only fight the server for the same cores).
 */
import autocannon from 'autocannon';
import type { AutocannonResultLike } from './stats.js';

/** One load run against a scenario server. */
export interface LoadOptions {
  /** Port of the scenario server on 127.0.0.1. */
  readonly port: number;
  readonly path?: string;
  readonly connections: number;
  /** Seconds to run; ignored when `amount` is given. */
  readonly durationSeconds?: number;
  /** Stop after exactly this many requests instead of after a duration. */
  readonly amount?: number;
  /**
   * `Cookie` header values; request n carries `cookies[n % cookies.length]`. A single value is
   * sent on every request; a pool larger than any cache means every request is a new token.
   */
  readonly cookies: readonly string[];
  /** The header the values go in. Default `cookie`; `authorization` for bearer tokens. */
  readonly header?: 'cookie' | 'authorization';
  /**
   * Where the rotation starts, advanced as requests are built. Share one cursor between the runs
   * of a scenario so a pool keeps rotating across warm-up and rounds instead of restarting at the
   * first token (which would hand the verified-token cache its most recent entries again).
   */
  readonly cursor?: { next: number };
}

/**
 * Runs autocannon once and resolves with its result.
 *
 * Rotation uses `setupRequest` even for a single cookie, so every scenario costs the load
 * generator the same work per request and the ratios are not skewed by the client.
 */
export function runLoad(options: LoadOptions): Promise<AutocannonResultLike & Record<string, unknown>> {
  const { cookies } = options;
  if (cookies.length === 0) throw new Error('runLoad: at least one cookie value is required');
  const cursor = options.cursor ?? { next: 0 };
  const header = options.header ?? 'cookie';
  const opts: Record<string, unknown> = {
    url: `http://127.0.0.1:${options.port}${options.path ?? '/data'}`,
    connections: options.connections,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (request: { headers?: Record<string, string> }) => {
          const cookie = cookies[cursor.next % cookies.length]!;
          cursor.next++;
          request.headers = { ...request.headers, [header]: cookie };
          return request;
        },
      },
    ],
  };
  if (options.amount !== undefined) opts.amount = options.amount;
  else opts.duration = options.durationSeconds ?? 5;
  return new Promise((resolve, reject) => {
    autocannon(opts, (error: unknown, result: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error('autocannon failed'));
      else resolve(result as AutocannonResultLike & Record<string, unknown>);
    });
  });
}
