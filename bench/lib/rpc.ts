/**
 * A tiny request/response protocol over the Node IPC channel between the bench harness (parent)
 * and its children (scenario servers and the emulator).
 *
 * Every message carries an id so several calls can be in flight; the child answers each request
 * exactly once. Nothing secret is ever put in an error message: children only report their own
 * error text, and they never include credentials in it.
 */
import type { ChildProcess } from 'node:child_process';

/** Parent → child. */
export interface RpcRequest {
  readonly rpc: 'req';
  readonly id: number;
  readonly op: string;
  readonly args?: unknown;
}

/** Child → parent. */
export interface RpcResponse {
  readonly rpc: 'res';
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** Child → parent, unsolicited: the child is listening (or failed to start). */
export interface RpcHello {
  readonly rpc: 'hello';
}

function isResponse(message: unknown): message is RpcResponse {
  return typeof message === 'object' && message !== null && (message as { rpc?: unknown }).rpc === 'res';
}

function isRequest(message: unknown): message is RpcRequest {
  return typeof message === 'object' && message !== null && (message as { rpc?: unknown }).rpc === 'req';
}

/** Parent side: call `op` on a child and wait for its answer (rejects when the child exits first). */
export function createRpcClient(child: ChildProcess, label: string): <T>(op: string, args?: unknown, timeoutMs?: number) => Promise<T> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  child.on('message', (message: unknown) => {
    if (!isResponse(message)) return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${label}: ${message.error ?? 'unknown error'}`));
  });
  child.on('exit', (code, signal) => {
    for (const [id, waiter] of pending) {
      pending.delete(id);
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${label}: child exited (code ${String(code)}, signal ${String(signal)}) before answering`));
    }
  });
  return <T>(op: string, args?: unknown, timeoutMs = 600_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: '${op}' did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      const request: RpcRequest = { rpc: 'req', id, op, args };
      child.send(request);
    });
}

/** Child side: answer the parent's requests with `handlers[op](args)`. */
export function serveRpc(handlers: Record<string, (args: never) => unknown>): void {
  if (!process.send) throw new Error('bench child: started without an IPC channel (run it through bench/run.ts)');
  const send = process.send.bind(process);
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const handler = handlers[message.op];
    const answer = (response: RpcResponse): void => {
      send(response);
    };
    if (!handler) {
      answer({ rpc: 'res', id: message.id, ok: false, error: `unknown op '${message.op}'` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args as never))
      .then(
        (result) => answer({ rpc: 'res', id: message.id, ok: true, result }),
        (error: unknown) => answer({ rpc: 'res', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  const hello: RpcHello = { rpc: 'hello' };
  send(hello);
}

/** Parent side: resolves once the child has installed its handlers. */
export function waitForHello(child: ChildProcess, label: string, timeoutMs = 60_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label}: no hello within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && (message as { rpc?: unknown }).rpc === 'hello') {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${label}: exited with code ${String(code)} during startup`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
