/** Scripted faults: the next N calls to an endpoint (glob with `*`) misbehave in a chosen way. */
import type { EmulatorFault, PendingFault } from './types.js';

interface Scripted {
  endpoint: string;
  regex: RegExp;
  fault: EmulatorFault;
  remaining: number;
  used: number;
}


function toRegex(endpoint: string): RegExp {
  if (endpoint === '*') return /^/;
  const escaped = endpoint.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`);
}

/** Throws a TypeError describing what is wrong with a fault description. */
export function validateFault(fault: unknown): asserts fault is EmulatorFault {
  if (typeof fault !== 'object' || fault === null) throw new TypeError('fault must be an object');
  const f = fault as Record<string, unknown>;
  if ('status' in f) {
    if (typeof f.status !== 'number' || !Number.isInteger(f.status) || f.status < 100 || f.status > 599) throw new TypeError('fault.status must be an HTTP status');
    if (f.errorType !== undefined && typeof f.errorType !== 'string') throw new TypeError('fault.errorType must be a string');
    if (f.retryAfterSeconds !== undefined && (typeof f.retryAfterSeconds !== 'number' || f.retryAfterSeconds < 0)) throw new TypeError('fault.retryAfterSeconds must be a non-negative number');
    return;
  }
  if ('delayMs' in f) {
    if (typeof f.delayMs !== 'number' || !(f.delayMs >= 0)) throw new TypeError('fault.delayMs must be a non-negative number');
    return;
  }
  if (f.malformed === true || f.hang === true) return;
  if (f.drop === 'before_headers' || f.drop === 'mid_body') return;
  throw new TypeError('fault must be { status } | { delayMs } | { malformed: true } | { drop } | { hang: true }');
}

export class FaultQueue {
  private scripted: Scripted[] = [];

  next(endpoint: string, fault: EmulatorFault, times = 1): void {
    if (typeof endpoint !== 'string' || endpoint === '') throw new TypeError('endpoint must be a non-empty string');
    validateFault(fault);
    if (!Number.isInteger(times) || times < 1) throw new TypeError('times must be a positive integer');
    this.scripted.push({ endpoint, regex: toRegex(endpoint), fault: { ...fault }, remaining: times, used: 0 });
  }

  clear(): void {
    this.scripted = [];
  }

  /**
   * Faults scripted but never met by a call: the test did not exercise what it scripted. A fault
   * scripted for several calls counts as met once any call met it (an outage window), as undici's
   * MockAgent counts a persistent interceptor.
   */
  pending(): PendingFault[] {
    return this.scripted.filter((s) => s.used === 0).map((s) => ({ endpoint: s.endpoint, fault: { ...s.fault }, times: s.remaining }));
  }

  /** Throws, naming each one, when a scripted fault was never met. */
  assertNoPending(): void {
    const pending = this.pending();
    if (pending.length === 0) return;
    const list = pending.map((p) => `${p.endpoint} ${JSON.stringify(p.fault)} x${p.times}`).join('; ');
    throw new Error(`${pending.length} scripted fault(s) never met by a call: ${list}`);
  }

  /** The first scripted fault matching the endpoint, consuming one use of it. */
  take(endpoint: string): EmulatorFault | undefined {
    if (this.scripted.length === 0) return undefined;
    const index = this.scripted.findIndex((s) => s.regex.test(endpoint));
    if (index < 0) return undefined;
    const entry = this.scripted[index] as Scripted;
    entry.remaining -= 1;
    entry.used += 1;
    if (entry.remaining <= 0) this.scripted.splice(index, 1);
    return entry.fault;
  }
}
