import * as z from 'zod/mini';
import * as messages from '../../core/operations/api-messages';

/**
 * The text fields of the add-media and create-dataset forms, each parsed from the string a form carries (zod/mini: the
 * classic build would add ~440 KB to every API bundle).
 * Booleans: `true`/`false`, also `1`/`0`, any case. Counts: plain base-10 digits (no sign, exponent or spaces inside).
 */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const booleanField = (field: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.toLowerCase(),
      z.refine((value) => ['true', 'false', '1', '0'].includes(value), { error: messages.invalidBoolean(field) }),
    ),
    z.transform((value: string) => value === 'true' || value === '1'),
  );

const countField = (field: string) =>
  z.pipe(
    z.string().check(z.trim(), z.regex(/^\d{1,15}$/, { error: messages.invalidCount(field) })),
    z.transform(Number),
  );

const TEXT_FIELD_SCHEMAS = {
  auto_reindex: booleanField('auto_reindex'),
  use_spot: booleanField('use_spot'),
  assume_role: z.string().check(z.trim(), z.regex(ROLE_ARN, { error: messages.invalidRoleArn('assume_role') })),
  batch_n_images: countField('batch_n_images'),
  batch_n_videos: countField('batch_n_videos'),
  batch_n_objects: countField('batch_n_objects'),
  similarity_threshold: z.pipe(
    z.string().check(
      z.trim(),
      z.refine((value) => /^(0|1)?(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1, {
        error: messages.invalidSimilarityThreshold,
      }),
    ),
    z.transform(Number),
  ),
  display_name: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { error: messages.displayNameRequired }),
      z.maxLength(200, { error: messages.displayNameRequired }),
    ),
} as const;

export type TextFieldName = keyof typeof TEXT_FIELD_SCHEMAS;
export type TextFieldValues = { -readonly [K in TextFieldName]?: z.output<(typeof TEXT_FIELD_SCHEMAS)[K]> };

/** Parses the given fields; the first bad one is reported by name. */
export function parseTextFields(
  values: Readonly<Partial<Record<TextFieldName, string>>>,
): { ok: true; values: TextFieldValues } | { ok: false; detail: string } {
  const schema = z.partial(z.object(TEXT_FIELD_SCHEMAS));
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, values: parsed.data };
  return { ok: false, detail: parsed.error.issues[0]?.message ?? 'Invalid form field' };
}
