/**
 * Option names checked at startup: a misspelled option (`loginURL`) is refused with a
 * "did you mean" suggestion instead of being silently ignored, and a deprecated name keeps
 * working for one release with a one-time warning.
 */
import { ConfigError } from './errors.js';
import { logEvent } from './session/logger.js';
import type { Logger } from './session/logger.js';

/** Allowed keys of one options object; a nested object's keys are checked when given a `Set` here. */
export type OptionShape = { readonly [key: string]: true | OptionShape };

function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(current[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The closest known name, when one is close enough to be a likely typo. */
export function suggestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Refuse keys that `shape` does not list, naming the option by its path and suggesting the
 * closest known name.
 *
 * @throws ConfigError (code `config_error`) naming the first unknown option.
 */
export function assertKnownOptions(factory: string, options: object, shape: OptionShape, path = ''): void {
  for (const key of Object.keys(options)) {
    const rule = shape[key];
    const name = `${path}${key}`;
    if (rule === undefined) {
      const suggestion = suggestName(key, Object.keys(shape));
      throw new ConfigError(`${factory}: unknown option "${name}".${suggestion === undefined ? '' : ` Did you mean "${path}${suggestion}"?`}`);
    }
    const value = (options as Record<string, unknown>)[key];
    if (rule !== true && typeof value === 'object' && value !== null && !Array.isArray(value)) assertKnownOptions(factory, value, rule, `${name}.`);
  }
}

const warned = new Set<string>();

/** Warn once per process that `oldName` is deprecated in favour of `newName`. */
export function warnDeprecated(factory: string, oldName: string, newName: string, logger: Logger | undefined): void {
  const key = `${factory}:${oldName}`;
  if (warned.has(key)) return;
  warned.add(key);
  const message = `${factory}: option "${oldName}" is deprecated and will be removed in the next release; use "${newName}".`;
  if (logger !== undefined) logEvent(logger, 'warn', 'stytch.deprecated_option', { option: oldName, replacement: newName, message });
  else process.emitWarning(message, { type: 'DeprecationWarning', code: 'STYTCH_B2B_EXPRESS_DEPRECATED_OPTION' });
}
