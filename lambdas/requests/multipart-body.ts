import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as messages from '../../core/operations/api-messages';
import { bodyByteLength, bodyBytes, mediaTypeOf, requestHeader } from '../http/event-input';
import { DEFAULT_MULTIPART_LIMITS, type FormParseResult, parseMultipartForm } from './multipart-form';

const MULTIPART_FORM_DATA = 'multipart/form-data';
/** What `requests.post(url, data={...})` and `curl -d` send: text fields only, so an s3_uri source but never files. */
const URLENCODED_FORM = 'application/x-www-form-urlencoded';

export const isFormMediaType = (mediaType: string | undefined) =>
  mediaType === MULTIPART_FORM_DATA || mediaType === URLENCODED_FORM;

/** Rejects an oversized body before decoding it (413, pointing to the S3 route), then parses the form. */
export async function readMultipartBody(event: APIGatewayProxyEvent, maxUploadBytes: number): Promise<FormParseResult> {
  const contentType = requestHeader(event, 'content-type');
  if (!isFormMediaType(mediaTypeOf(contentType)))
    return { ok: false, statusCode: 400, detail: messages.notMultipart(contentType) };
  const tooLarge = bodyTooLarge(event, maxUploadBytes);
  if (tooLarge) return tooLarge;
  return parseMultipartForm(bodyBytes(event), contentType!, {
    ...DEFAULT_MULTIPART_LIMITS,
    maxFileBytes: maxUploadBytes,
  });
}

export function bodyTooLarge(
  event: APIGatewayProxyEvent,
  maxUploadBytes: number,
): { readonly ok: false; readonly statusCode: 413; readonly detail: string } | undefined {
  return bodyByteLength(event) > maxUploadBytes
    ? { ok: false, statusCode: 413, detail: messages.bodyTooLarge(maxUploadBytes) }
    : undefined;
}
