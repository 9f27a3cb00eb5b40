import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { listenOnLoopback } from '../helpers/listen.js';

function rsaJwk(kid: string | undefined, bits = 2048): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  return { ...jwk, ...(kid === undefined ? {} : { kid }), use: 'sig', alg: 'RS256' };
}
const K1 = rsaJwk('k1');
const K2 = rsaJwk('k2');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: { close(): void }[] = [];
afterEach(() => {
  while (servers.length > 0) servers.pop()!.close();
});

/** A JWKS server whose behaviour the test scripts; counts requests. */
async function jwksServer(initial: Handler): Promise<{ url: string; hits: () => number; set(handler: Handler): void }> {
  let handler = initial;
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await listenOnLoopback(server);
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, hits: () => hits, set: (h) => void (handler = h) };
}

const json = (body: unknown): Handler => (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};
const status = (code: number): Handler => (_req, res) => {
  res.statusCode = code;
  res.end('{}');
};

function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('JwksCache', () => {
  it('catalogue #37: 500 concurrent cold lookups share exactly one fetch', async () => {
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url });
    const results = await Promise.all(Array.from({ length: 500 }, () => cache.getKey('k1')));
    expect(server.hits()).toBe(1);
    expect(results.every((r) => r.kind === 'key')).toBe(true);
  });

  it('serves lookups from the cache within the max age', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    c.advance(599_000);
    expect((await cache.getKey('k1')).kind).toBe('key');
    expect(server.hits()).toBe(1);
  });

  it('refetches once the max age has passed', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    c.advance(600_000);
    await cache.getKey('k1');
    expect(server.hits()).toBe(2);
  });

  it('catalogue #36: an unknown kid refetches at most once per cooldown', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    c.advance(30_000);
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => cache.getKey(`random-${i}`)));
    expect(results.every((r) => r.kind === 'unknown_kid')).toBe(true);
    expect(server.hits()).toBe(2);
    expect((await cache.getKey('k1')).kind).toBe('key');
    expect(server.hits()).toBe(2);
  });

  it('catalogue #38: a new kid is accepted after one refetch once the cooldown has passed', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    server.set(json({ keys: [K1, K2] }));
    c.advance(10_000);
    expect((await cache.getKey('k2')).kind).toBe('unknown_kid');
    c.advance(20_000);
    expect((await cache.getKey('k2')).kind).toBe('key');
    expect(server.hits()).toBe(2);
  });

  it('catalogue #38: a removed key stops verifying within the max age', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1, K2] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    server.set(json({ keys: [K2] }));
    c.advance(600_000);
    expect((await cache.getKey('k1')).kind).toBe('unknown_kid');
  });

  it('catalogue #15: a token without kid is ambiguous when the set holds two keys', async () => {
    const server = await jwksServer(json({ keys: [K1, K2] }));
    const cache = new JwksCache({ url: server.url });
    expect((await cache.getKey(undefined)).kind).toBe('ambiguous');
  });

  it('a token without kid uses the only key of a one-key set', async () => {
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url });
    expect((await cache.getKey(undefined)).kind).toBe('key');
  });

  it('catalogue #14: prototype names as kid find nothing', async () => {
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, cooldownMs: 10 ** 9 });
    for (const kid of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '../../etc/passwd', "' OR 1=1 --", 'x'.repeat(10_000)]) {
      expect((await cache.getKey(kid)).kind).toBe('unknown_kid');
    }
  });

  it('catalogue #39: serves the stale set for known kids within the fallback window, with a warning', async () => {
    const c = clock();
    const warnings: unknown[] = [];
    let stale = 0;
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({
      url: server.url,
      now: c.now,
      staleIfErrorMs: 60_000,
      logger: { warn: (obj) => warnings.push(obj) },
      onStaleServed: () => stale++,
    });
    await cache.getKey('k1');
    server.set(status(500));
    c.advance(600_000 + 30_000);
    const found = await cache.getKey('k1');
    expect(found).toMatchObject({ kind: 'key', stale: true });
    expect(stale).toBe(1);
    expect(warnings).toContainEqual(expect.objectContaining({ event: 'jwks_stale_served' }));
  });

  it('catalogue #39: past the fallback window the keys are unavailable (fail closed)', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now, staleIfErrorMs: 60_000 });
    await cache.getKey('k1');
    server.set(status(500));
    c.advance(600_000 + 60_000);
    const found = await cache.getKey('k1');
    expect(found.kind).toBe('unavailable');
    if (found.kind === 'unavailable') expect(found.error.status).toBe(503);
  });

  it('catalogue #40: stale-if-error never covers a kid the cache never held', async () => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    server.set(status(500));
    c.advance(600_000 + 1);
    expect((await cache.getKey('k2')).kind).toBe('unknown_kid');
  });

  it('catalogue #41: failed refreshes back off instead of hitting the endpoint on every lookup, and recover', async () => {
    const c = clock();
    const server = await jwksServer(status(503));
    const cache = new JwksCache({ url: server.url, now: c.now, failureBackoffMs: 1_000 });
    for (let i = 0; i < 50; i++) expect((await cache.getKey('k1')).kind).toBe('unavailable');
    expect(server.hits()).toBe(1);
    server.set(json({ keys: [K1] }));
    c.advance(1_000);
    expect((await cache.getKey('k1')).kind).toBe('key');
    expect(server.hits()).toBe(2);
  });

  it('catalogue #42: a redirect is not followed', async () => {
    const target = await jwksServer(json({ keys: [K1] }));
    const server = await jwksServer((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', target.url);
      res.end();
    });
    const cache = new JwksCache({ url: server.url });
    expect((await cache.getKey('k1')).kind).toBe('unavailable');
    expect(target.hits()).toBe(0);
  });

  it.each([
    ['404', status(404)],
    ['HTML', ((_req, res) => res.end('<html>oops</html>'))],
    ['invalid JSON', ((_req, res) => res.end('{"keys": ['))],
    ['keys not an array', json({ keys: {} })],
    ['only unusable keys', json({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k1' }] })],
  ])('catalogue #42: a %s answer keeps the previous good set', async (_name, bad) => {
    const c = clock();
    const server = await jwksServer(json({ keys: [K1] }));
    const cache = new JwksCache({ url: server.url, now: c.now });
    await cache.getKey('k1');
    server.set(bad);
    c.advance(600_000);
    expect(await cache.getKey('k1')).toMatchObject({ kind: 'key', stale: true });
  });

  it.each([
    ['a private member d', { ...K2, d: 'AQAB' }],
    ['use enc', { ...K2, use: 'enc' }],
    ['key_ops without verify', { ...K2, key_ops: ['encrypt'] }],
    ['alg RS512', { ...K2, alg: 'RS512' }],
    ['a non-string kid', { ...K2, kid: 7 }],
    ['an EC key', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'k2' }],
    ['a 1024-bit modulus', rsaJwk('k2', 1024)],
  ])('catalogue #42: an entry with %s is ignored', async (_name, entry) => {
    const server = await jwksServer(json({ keys: [K1, entry] }));
    const cache = new JwksCache({ url: server.url });
    expect((await cache.getKey('k1')).kind).toBe('key');
    expect((await cache.getKey('k2')).kind).toBe('unknown_kid');
    expect(cache.size).toBe(1);
  });

  it('catalogue #43: an oversized body is refused', async () => {
    const server = await jwksServer(json({ keys: [K1], padding: 'x'.repeat(200_000) }));
    const cache = new JwksCache({ url: server.url, maxBodyBytes: 65_536 });
    expect((await cache.getKey('k1')).kind).toBe('unavailable');
  });

  it('catalogue #43: a slowly dripped body hits the deadline', async () => {
    const server = await jwksServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"keys":');
      // never finishes
    });
    const cache = new JwksCache({ url: server.url, timeoutMs: 200 });
    const started = performance.now();
    expect((await cache.getKey('k1')).kind).toBe('unavailable');
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('catalogue #43: keeps at most maxKeys entries', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => ({ ...K1, kid: `k${i}` }));
    const server = await jwksServer(json({ keys }));
    const cache = new JwksCache({ url: server.url, maxKeys: 3 });
    await cache.getKey('k0');
    expect(cache.size).toBe(3);
  });
});
