import * as z from 'zod/mini';
import * as messages from '../operations/api-messages';

/**
 * The text fields of the add-media and create-dataset forms, each parsed from the string a form carries (zod/mini: the
 * classic build would add ~440 KB to every API bundle). The handlers validate with these schemas and the OpenAPI
 * document is generated from them (core/api-schema/openapi-document.ts).
 * Booleans: `true`/`false`, also `1`/`0`, any case. Counts: plain base-10 digits (no sign, exponent or spaces inside).
 */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const booleanField = (field: string) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.toLowerCase(),
      z.refine((value) => ['true', 'false', '1', '0'].includes(value), { error: messages.invalidBoolean(field) }),
      z.meta({ description: '`true` or `false` (any case), or `1` / `0`' }),
    ),
    z.transform((value: string) => value === 'true' || value === '1'),
  );

const countField = (field: string) =>
  z.pipe(
    z.string().check(z.trim(), z.regex(/^\d{1,15}$/, { error: messages.invalidCount(field) })),
    z.transform(Number),
  );

export const TEXT_FIELD_SCHEMAS = {
  auto_reindex: booleanField('auto_reindex'),
  use_spot: booleanField('use_spot'),
  assume_role: z
    .string()
    .check(
      z.trim(),
      z.regex(ROLE_ARN, { error: messages.invalidRoleArn('assume_role') }),
      z.meta({ description: 'IAM role ARN assumed (STS AssumeRole) to read the S3 source' }),
    ),
  batch_n_images: countField('batch_n_images'),
  batch_n_videos: countField('batch_n_videos'),
  batch_n_objects: countField('batch_n_objects'),
  similarity_threshold: z.pipe(
    z.string().check(
      z.trim(),
      z.refine((value) => /^(0|1)?(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1, {
        error: messages.invalidSimilarityThreshold,
      }),
      z.meta({ description: 'Cosine similarity above 0 and at most 1 from which media are near-duplicates' }),
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

/** Text fields each form accepts besides the media source (create-dataset always re-clusters: no auto_reindex). */
export const FORM_TEXT_FIELDS = {
  add_media: ['auto_reindex', 'assume_role', 'batch_n_videos', 'batch_n_images', 'batch_n_objects', 'use_spot'],
  create_dataset: [
    'display_name',
    'similarity_threshold',
    'assume_role',
    'batch_n_videos',
    'batch_n_images',
    'batch_n_objects',
    'use_spot',
  ],
} as const satisfies Record<string, readonly TextFieldName[]>;

export type FormKind = keyof typeof FORM_TEXT_FIELDS;

/** The media source fields of both forms (exactly one is required by add_media, at most one by create). */
export const MEDIA_SOURCE_FIELDS = { files: 'files[]', archive: 'archive', s3Uri: 's3_uri' } as const;

/**
 * The JSON body of POST /datasets (an empty dataset): only these two members. Shapes only; the values are then checked
 * by the form-field rules above, so both encodings accept the same values.
 */
export const CREATE_DATASET_JSON_BODY = z.strictObject(
  {
    display_name: z
      .string({ error: messages.displayNameRequired })
      .check(
        z.minLength(1, { error: messages.displayNameRequired }),
        z.maxLength(200, { error: messages.displayNameRequired }),
      ),
    similarity_threshold: z.optional(
      z
        .number({ error: messages.invalidSimilarityThreshold })
        .check(
          z.gt(0, { error: messages.invalidSimilarityThreshold }),
          z.lte(1, { error: messages.invalidSimilarityThreshold }),
        ),
    ),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? messages.unknownJsonField(String(issue.keys[0])) : messages.malformedJson,
  },
);
