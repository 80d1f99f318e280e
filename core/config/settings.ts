// zod/mini: every API bundle reads its settings through this file.
import * as z from 'zod/mini';

/**
 * One reader for every process's settings (Lambda and worker environments, `npm start`'s environment, the CDK app's
 * context): one rule per kind of value, so `"1"`, `" true "` or `"0x10"` mean the same everywhere. Values come as
 * strings (environment) or as JSON values (CDK context); an empty string is "not set".
 *
 * Messages have one form: `NAME is not set`, or `NAME must be <what the rule accepts>, got "<value>"`.
 */
export interface SettingRule<T> {
  /** What the rule accepts, as the message says it. */
  readonly accepts: string;
  readonly schema: z.ZodMiniType<T>;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export type SettingsSource = Readonly<Record<string, unknown>>;

const rule = <T>(accepts: string, schema: z.ZodMiniType<T>): SettingRule<T> => ({ accepts, schema });
const trimmed = z.string().check(z.trim());

/** `true` / `false` (any case) or `1` / `0`; a JSON boolean from CDK context. */
const booleanRule = rule<boolean>(
  'true or false',
  z.union([
    z.boolean(),
    z.pipe(
      z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.enum(['true', 'false', '1', '0'])),
      z.transform((value: 'true' | 'false' | '1' | '0') => value === 'true' || value === '1'),
    ),
  ]),
);

/** Decimal digits (an optional minus sign) or a JSON integer, within [min, max]. */
function integerRule(min: number, max: number, accepts?: string): SettingRule<number> {
  const digits = z.pipe(trimmed.check(z.regex(/^-?\d+$/)), z.transform(Number));
  return rule(
    accepts ??
      (min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from ${min} to ${max}`),
    z.pipe(z.union([z.number(), digits]), z.int().check(z.gte(min), z.lte(max))),
  );
}

/** A JSON value given as text (`-c key='[...]'`), or the text itself when it is not JSON. */
const parseJsonText = (value: string): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** Comma-separated (entries trimmed, empty ones dropped), or a JSON array of strings (native or as text). */
const listRule = rule(
  'a comma-separated list',
  z.pipe(
    z.union([
      z.array(z.string()),
      z.pipe(
        z.string().check(z.trim()),
        z.transform((value: string) => (value.startsWith('[') ? parseJsonText(value) : value)),
      ),
    ]),
    z.pipe(
      z.union([z.array(z.string()), z.string()]),
      z.transform((value: string | string[]) =>
        (Array.isArray(value) ? value : value.split(','))
          .map((entry) => entry.trim())
          .filter((entry) => entry.length > 0),
      ),
    ),
  ),
);

/** A decimal number above 0 and at most `max`, or a JSON number. */
const positiveNumberRule = (max: number): SettingRule<number> =>
  rule<number>(
    `a number above 0 and at most ${max}`,
    z.pipe(
      z.union([z.number(), z.pipe(trimmed.check(z.regex(/^\d*\.?\d+$/)), z.transform(Number))]),
      z.number().check(z.gt(0), z.lte(max)),
    ),
  );

export const SETTING = {
  text: rule('a non-empty string', trimmed.check(z.minLength(1))),
  boolean: booleanRule,
  integer: integerRule,
  positiveInteger: integerRule(1, Number.MAX_SAFE_INTEGER),
  port: integerRule(0, 65_535, 'a port number (0-65535)'),
  list: listRule,
  positiveNumber: positiveNumberRule,
  /** A cosine-similarity threshold. */
  fraction: positiveNumberRule(1),
  /** A JSON object, native (cdk.json) or as text (`-c key='{...}'`). */
  jsonObject: rule<Record<string, unknown>>(
    'a JSON object',
    z.pipe(
      z.union([z.record(z.string(), z.unknown()), z.pipe(trimmed, z.transform(parseJsonText))]),
      z.record(z.string(), z.unknown()),
    ),
  ),
  /** A list of at least `minEntries` entries, each passing `entry` (role ARNs, say). */
  listOf: (accepts: string, entry: (value: string) => boolean, minEntries = 0): SettingRule<readonly string[]> =>
    rule(
      accepts,
      z.pipe(
        listRule.schema,
        z.array(z.string()).check(z.refine((entries) => entries.length >= minEntries && entries.every(entry))),
      ),
    ),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T): SettingRule<T[number]> =>
    rule(`one of ${values.join(', ')}`, z.pipe(trimmed, z.enum(values))),
  matching: (pattern: RegExp, accepts: string): SettingRule<string> => rule(accepts, trimmed.check(z.regex(pattern))),
  /** A string that `check` accepts (a URL of some kind, say). */
  satisfying: (accepts: string, check: (value: string) => boolean): SettingRule<string> =>
    rule(accepts, trimmed.check(z.refine(check))),
} as const;

const isUnset = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && !value.trim());

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One setting, read now: its value, the fallback when it is not set, or a SettingsError naming it. */
export function readSetting<T>(source: SettingsSource, name: string, settingRule: SettingRule<T>, fallback?: T): T {
  const raw = source[name];
  if (isUnset(raw)) {
    if (fallback !== undefined) return fallback;
    throw new SettingsError(`${name} is not set`);
  }
  const parsed = settingRule.schema.safeParse(raw);
  if (!parsed.success) throw new SettingsError(`${name} must be ${settingRule.accepts}, got "${shown(raw)}"`);
  return parsed.data;
}

/** A setting that may stay unset: undefined then. */
export function readOptionalSetting<T>(
  source: SettingsSource,
  name: string,
  settingRule: SettingRule<T>,
): T | undefined {
  return isUnset(source[name]) ? undefined : readSetting(source, name, settingRule);
}

/**
 * Reads many settings and reports every problem in one error (`done`), so a misconfigured deployment or start is told
 * the whole list at once. A value with a problem reads as the fallback (or undefined) until `done` throws.
 */
export class SettingsReader {
  /** Every problem found so far, in reading order. */
  readonly problems: string[] = [];
  constructor(private readonly source: SettingsSource) {}

  value<T>(name: string, settingRule: SettingRule<T>, fallback?: T): T {
    try {
      return readSetting(this.source, name, settingRule, fallback);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      this.problems.push(error.message);
      return fallback as T;
    }
  }

  optional<T>(name: string, settingRule: SettingRule<T>): T | undefined {
    return isUnset(this.source[name]) ? undefined : this.value(name, settingRule);
  }

  /** A problem found by a check of the caller's (values that go together, say). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one SettingsError listing every problem, prefixed by `label`. */
  done(label: string): void {
    if (this.problems.length > 0) throw new SettingsError(`${label}: ${this.problems.join('; ')}`);
  }
}
