import busboy from 'busboy';
import * as messages from '../../core/operations/api-messages';

/** One part of a multipart/form-data body, in the order it came. */
export type FormPart =
  | { readonly kind: 'field'; readonly name: string; readonly value: string }
  | {
      readonly kind: 'file';
      readonly name: string;
      readonly filename: string;
      readonly mimeType: string;
      readonly bytes: Buffer;
    };

export interface MultipartLimits {
  /** Parts of any kind. */
  readonly maxParts: number;
  readonly maxFiles: number;
  readonly maxFields: number;
  readonly maxFieldBytes: number;
  readonly maxFieldNameBytes: number;
  /** Bytes of any one file (the whole body is already bounded before parsing). */
  readonly maxFileBytes: number;
}

/** Sized for the API's forms: a handful of text fields, a few hundred small files at most. */
export const DEFAULT_MULTIPART_LIMITS: Omit<MultipartLimits, 'maxFileBytes'> = {
  maxParts: 520,
  maxFiles: 500,
  maxFields: 20,
  maxFieldBytes: 4096,
  maxFieldNameBytes: 100,
};

export type FormParseResult =
  | { readonly ok: true; readonly parts: readonly FormPart[] }
  | { readonly ok: false; readonly statusCode: 400 | 413; readonly detail: string };

/**
 * Parses a whole multipart body held in memory with busboy. Anything malformed or over a limit is a client error with a
 * message, never an exception: busboy's errors (bad boundary, truncated body, broken part headers) become 400s.
 */
export function parseMultipartForm(
  body: Buffer,
  contentType: string,
  limits: MultipartLimits,
): Promise<FormParseResult> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: {
        parts: limits.maxParts,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes,
        fieldNameSize: limits.maxFieldNameBytes,
        fileSize: limits.maxFileBytes,
        headerPairs: 20,
      },
    });
  } catch (error) {
    return Promise.resolve(failure(400, messages.malformedMultipart(errorMessage(error))));
  }

  return new Promise((resolve) => {
    const parts: FormPart[] = [];
    const pendingFiles: Promise<void>[] = [];
    let refusal: FormParseResult | undefined;
    let settled = false;
    const settle = (result: FormParseResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const refuse = (result: FormParseResult) => {
      refusal ??= result;
    };

    parser.on('field', (name, value, info) => {
      if (Buffer.byteLength(name) > limits.maxFieldNameBytes)
        return refuse(failure(400, messages.fieldNameTooLong(limits.maxFieldNameBytes)));
      if (info.valueTruncated) return refuse(failure(400, messages.fieldTooLong(name, limits.maxFieldBytes)));
      parts.push({ kind: 'field', name, value });
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        truncated = true;
      });
      pendingFiles.push(
        new Promise<void>((done) => {
          // A file stream that fails (body cut inside it) must not become an unhandled 'error' event.
          stream.on('error', (error) => {
            refuse(failure(400, messages.malformedMultipart(errorMessage(error))));
            done();
          });
          stream.on('end', () => {
            if (truncated) refuse(failure(413, messages.bodyTooLarge(limits.maxFileBytes)));
            else
              parts.push({
                kind: 'file',
                name,
                filename: info.filename ?? '',
                mimeType: info.mimeType,
                bytes: Buffer.concat(chunks),
              });
            done();
          });
        }),
      );
    });
    parser.on('partsLimit', () => refuse(failure(400, messages.tooManyParts(limits.maxParts))));
    parser.on('filesLimit', () => refuse(failure(400, messages.tooManyFiles(limits.maxFiles))));
    parser.on('fieldsLimit', () => refuse(failure(400, messages.tooManyFields(limits.maxFields))));
    parser.on('error', (error) => settle(failure(400, messages.malformedMultipart(errorMessage(error)))));
    parser.on('close', () => {
      void Promise.all(pendingFiles).then(() => settle(refusal ?? { ok: true, parts }));
    });
    parser.end(body);
  });
}

const failure = (statusCode: 400 | 413, detail: string): FormParseResult => ({ ok: false, statusCode, detail });

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
