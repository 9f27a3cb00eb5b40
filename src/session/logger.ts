/**
 * A pino-compatible logger shape. Every method is optional so `console`, pino, bunyan or a
 * test spy all fit.
 */
export interface Logger {
  debug?(obj: Record<string, unknown>, msg?: string): void;
  info?(obj: Record<string, unknown>, msg?: string): void;
  warn?(obj: Record<string, unknown>, msg?: string): void;
  error?(obj: Record<string, unknown>, msg?: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

// CR, LF and other C0/C1 controls in a logged value could forge log lines,
// so every string field is neutralised before it reaches the sink.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const MAX_FIELD_CHARS = 200;

/** Neutralise control characters and bound the length of a value that came from a request. */
export function sanitizeLogValue(value: string): string {
  const clean = value.replace(CONTROL, '?');
  return clean.length > MAX_FIELD_CHARS ? `${clean.slice(0, MAX_FIELD_CHARS)}...` : clean;
}

/**
 * Emit a structured event. Callers pass reasons and ids only, never a token; string fields are
 * still sanitised here because some (a kid, a path) come from the request. A throwing logger
 * never breaks a request.
 */
export function logEvent(logger: Logger | undefined, level: LogLevel, event: string, fields?: Record<string, unknown>): void {
  if (logger === undefined || typeof logger[level] !== 'function') return;
  const obj: Record<string, unknown> = { event };
  if (fields !== undefined) {
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      obj[key] = typeof value === 'string' ? sanitizeLogValue(value) : value;
    }
  }
  try {
    logger[level]?.(obj, event);
  } catch {
    // A broken logger must not turn into a failed request.
  }
}
