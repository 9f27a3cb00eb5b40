/**
 * A tiny scripted HTTP server for the client's transport tests: real sockets on 127.0.0.1:0,
 * every received request recorded, each answer decided by a handler the test provides.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { listenOnLoopback } from '../helpers/listen.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse, n: number) => unknown;

export interface ScriptedServer {
  url: string;
  received: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Replace the handler between tests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export const PROJECT_ID = 'project-test-00000000-0000-4000-8000-000000000000';
export const SECRET = 'secret-test-Zm9vYmFyYmF6cXV4c2VjcmV0dmFsdWU=';

/** Answers with a JSON body (and `request_id`/`status_code` like Stytch). */
export function json(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ request_id: 'request-id-test-1', status_code: status, ...body });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startScriptedServer(initial: Handler = (_req, res) => json(res, 200, {})): Promise<ScriptedServer> {
  let handler = initial;
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      Promise.resolve(handler(entry, res, received.length)).then(() => undefined).catch(() => res.destroy());
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    connections += 1;
    s.on('close', () => sockets.delete(s));
  });
  await listenOnLoopback(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    connections: () => connections,
    handle(next) {
      handler = next;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
