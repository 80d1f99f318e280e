import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CREATE_DATASET_JSON_BODY } from '../../core/api-schema/form-fields';
import * as messages from '../../core/operations/api-messages';
import { DEFAULT_MEDIA_OPTIONS, type MediaOptions, type MediaSource } from '../../core/operations/media-source';
import { bodyBytes, mediaTypeOf, requestHeader } from '../http/event-input';
import { parseTextFields } from './form-fields';
import { fingerprint, formFingerprint } from './idempotent-request';
import { readMediaForm } from './media-form';
import { bodyTooLarge, isFormMediaType, readMultipartBody } from './multipart-body';

interface CreateDatasetRequest {
  readonly displayName: string;
  readonly similarityThreshold: number | undefined;
  readonly source: MediaSource | undefined;
  readonly options: MediaOptions;
  /** For Idempotency-Key: what this request asked for. */
  readonly fingerprint: string;
}

export type CreateDatasetBody =
  | { readonly ok: true; readonly request: CreateDatasetRequest }
  | { readonly ok: false; readonly statusCode: 400 | 413; readonly detail: string };

const ROUTE = 'create_dataset';

/**
 * POST /api/v1/datasets takes the add-media form plus `display_name` and `similarity_threshold` (multipart), or — for an
 * empty dataset — `{"display_name": "...", "similarity_threshold": 0.8}` as JSON, which carries no media and so no other
 * field.
 */
export async function readCreateDatasetBody(
  event: APIGatewayProxyEvent,
  maxUploadBytes: number,
): Promise<CreateDatasetBody> {
  const contentType = requestHeader(event, 'content-type');
  const mediaType = mediaTypeOf(contentType);
  if (isFormMediaType(mediaType)) {
    const form = await readMultipartBody(event, maxUploadBytes);
    if (!form.ok) return form;
    const read = await readMediaForm(form.parts, 'create_dataset');
    if (!read.ok) return { ok: false, statusCode: 400, detail: read.detail };
    return {
      ok: true,
      request: {
        displayName: read.displayName!,
        similarityThreshold: read.similarityThreshold,
        source: read.source,
        options: read.options,
        fingerprint: formFingerprint(ROUTE, form.parts),
      },
    };
  }
  if (mediaType !== 'application/json')
    return { ok: false, statusCode: 400, detail: messages.createBodyType(contentType) };
  const tooLarge = bodyTooLarge(event, maxUploadBytes);
  if (tooLarge) return tooLarge;
  let body: unknown;
  try {
    body = JSON.parse(bodyBytes(event).toString('utf8'));
  } catch {
    return { ok: false, statusCode: 400, detail: messages.malformedJson };
  }
  const shape = CREATE_DATASET_JSON_BODY.safeParse(body);
  if (!shape.success) {
    // An unknown member is named first: it is the likeliest mistake (media sent as JSON).
    const issues = shape.error.issues;
    const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
    return { ok: false, statusCode: 400, detail: issue?.message ?? messages.malformedJson };
  }
  const { display_name: displayName, similarity_threshold: threshold } = shape.data;
  const parsed = parseTextFields({
    display_name: displayName,
    ...(threshold === undefined ? {} : { similarity_threshold: String(threshold) }),
  });
  if (!parsed.ok) return { ok: false, statusCode: 400, detail: parsed.detail };
  return {
    ok: true,
    request: {
      displayName: parsed.values.display_name!,
      similarityThreshold: parsed.values.similarity_threshold,
      source: undefined,
      options: DEFAULT_MEDIA_OPTIONS,
      fingerprint: fingerprint([ROUTE, parsed.values.display_name, parsed.values.similarity_threshold ?? null]),
    },
  };
}
