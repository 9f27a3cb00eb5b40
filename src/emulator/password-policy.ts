/**
 * The project's password policy (reference A2.3): zxcvbn scoring (valid at 3+) or LUDS, and
 * breach detection against a small built-in list of the most common leaked passwords. The
 * emulator is offline: it never calls HaveIBeenPwned, so only listed passwords count as breached.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import type { LudsFeedback, ZxcvbnFeedback } from '../client/api-types.js';
import { badRequest } from './http-errors.js';
import type { EmulatorState, PasswordSettings } from './state.js';
import type { EmulatorPasswordOptions } from './types.js';

/** Among the most frequent passwords of public breach corpora (lower-cased comparison). */
const BUILT_IN_BREACHED = [
  '123456', '123456789', '12345678', '12345', '1234567', '1234567890', '111111', '000000', '123123', '654321',
  'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword1', 'qwerty', 'qwerty123',
  'qwertyuiop', 'abc123', 'iloveyou', 'admin', 'admin123', 'welcome', 'welcome1', 'letmein', 'monkey', 'dragon',
  'football', 'baseball', 'sunshine', 'princess', 'master', 'shadow', 'superman', 'trustno1', 'starwars',
  '1q2w3e4r', '1qaz2wsx', 'zaq12wsx', 'asdfghjkl', 'michael', 'jennifer', 'charlie', 'hello123', 'whatever',
  'correcthorsebatterystaple', 'changeme', 'secret', 'login', 'access', 'mustang', 'computer',
];

/** Resolves and checks `startEmulator({ passwords })`. */
export function passwordSettings(options: EmulatorPasswordOptions | undefined): PasswordSettings {
  const o = options ?? {};
  const policy = o.validationPolicy ?? 'zxcvbn';
  if (policy !== 'zxcvbn' && policy !== 'luds') throw new TypeError("startEmulator: passwords.validationPolicy must be 'zxcvbn' or 'luds'");
  const length = o.ludsMinPasswordLength ?? 8;
  const complexity = o.ludsMinPasswordComplexity ?? 3;
  if (!Number.isInteger(length) || length < 8 || length > 32) throw new TypeError('startEmulator: passwords.ludsMinPasswordLength must be an integer 8..32');
  if (!Number.isInteger(complexity) || complexity < 1 || complexity > 4) throw new TypeError('startEmulator: passwords.ludsMinPasswordComplexity must be an integer 1..4');
  if (o.breachedPasswords !== undefined && (!Array.isArray(o.breachedPasswords) || !o.breachedPasswords.every((p) => typeof p === 'string'))) {
    throw new TypeError('startEmulator: passwords.breachedPasswords must be an array of strings');
  }
  return {
    validationPolicy: policy,
    ludsMinPasswordLength: length,
    ludsMinPasswordComplexity: complexity,
    checkBreachOnCreation: o.checkBreachOnCreation ?? true,
    checkBreachOnAuthentication: o.checkBreachOnAuthentication ?? true,
    crossOrganization: o.crossOrganization ?? false,
    breachedPasswords: new Set([...BUILT_IN_BREACHED, ...(o.breachedPasswords ?? [])].map((p) => p.toLowerCase())),
  };
}

// Building the dictionaries takes a few hundred milliseconds: once per process, on first use.
let zxcvbn: ZxcvbnFactory | undefined;
function scorer(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return zxcvbn;
}

export function isBreached(settings: PasswordSettings, password: string): boolean {
  return settings.breachedPasswords.has(password.toLowerCase());
}

/** The body of a `passwords/strength_check` answer (without request_id / status_code). */
export interface StrengthResult {
  valid_password: boolean;
  score: number;
  breached_password: boolean;
  strength_policy: 'zxcvbn' | 'luds';
  breach_detection_on_create: boolean;
  luds_feedback?: LudsFeedback;
  zxcvbn_feedback?: ZxcvbnFeedback;
}

function luds(settings: PasswordSettings, password: string): LudsFeedback {
  const has_lower_case = /[a-z]/.test(password);
  const has_upper_case = /[A-Z]/.test(password);
  const has_digit = /[0-9]/.test(password);
  // Anything that is not an ASCII letter or digit counts as a symbol (reference A2.3).
  const has_symbol = /[^A-Za-z0-9]/.test(password);
  const classes = [has_lower_case, has_upper_case, has_digit, has_symbol].filter(Boolean).length;
  return {
    has_lower_case,
    has_upper_case,
    has_digit,
    has_symbol,
    missing_complexity: Math.max(0, settings.ludsMinPasswordComplexity - classes),
    missing_characters: Math.max(0, settings.ludsMinPasswordLength - [...password].length),
  };
}

/** Scores a password under the project's policy; `email` (when known) counts as a user input for zxcvbn. */
export function checkStrength(settings: PasswordSettings, password: string, email?: string): StrengthResult {
  const breached = settings.checkBreachOnCreation && isBreached(settings, password);
  const base = { breached_password: breached, breach_detection_on_create: settings.checkBreachOnCreation };
  if (settings.validationPolicy === 'luds') {
    const feedback = luds(settings, password);
    const valid = feedback.missing_characters === 0 && feedback.missing_complexity === 0 && !breached;
    return { ...base, valid_password: valid, score: 0, strength_policy: 'luds', luds_feedback: feedback };
  }
  const inputs = email === undefined ? [] : [email, ...email.split(/[@.+_-]/).filter((part) => part.length > 2)];
  const result = scorer().check(password, inputs);
  const feedback: ZxcvbnFeedback = { warning: result.feedback.warning ?? '', suggestions: [...result.feedback.suggestions] };
  if (breached && feedback.warning === '') feedback.warning = 'This password has appeared in a data breach.';
  return { ...base, valid_password: result.score >= 3 && !breached, score: result.score, strength_policy: 'zxcvbn', zxcvbn_feedback: feedback };
}

/**
 * Refuses a new password the policy calls invalid: 400 `breached_password` or `weak_password`,
 * with the strength answer in `error_details` so a page can show why.
 */
export function requireStrongPassword(state: EmulatorState, password: string, email?: string): void {
  const result = checkStrength(state.settings.passwords, password, email);
  if (result.valid_password) return;
  if (result.breached_password) throw badRequest('breached_password', 'This password has appeared in a data breach; choose another.', { ...result });
  throw badRequest('weak_password', "The password doesn't meet the project's strength requirements.", { ...result });
}
