import {
  FORM_TEXT_FIELDS,
  type FormKind,
  MEDIA_SOURCE_FIELDS,
  type TextFieldName,
} from '../../core/api-schema/form-fields';
import { DEFAULT_ARCHIVE_LIMITS } from '../../core/media/archive-safety';
import * as messages from '../../core/operations/api-messages';
import type { MediaOptions, MediaSource, UploadedMedia } from '../../core/operations/media-source';
import { parseTextFields } from './form-fields';
import type { FormPart } from './multipart-form';

const { files: FILES_FIELD, archive: ARCHIVE_FIELD, s3Uri: S3_URI_FIELD } = MEDIA_SOURCE_FIELDS;

export type MediaFormResult =
  | {
      readonly ok: true;
      /** Undefined only where the form allows no source (create-dataset). */
      readonly source: MediaSource | undefined;
      readonly options: MediaOptions;
      readonly displayName: string | undefined;
      /** create-dataset only: the dataset's near-duplicate threshold instead of its encoder's. */
      readonly similarityThreshold: number | undefined;
    }
  | { readonly ok: false; readonly detail: string };

const ARCHIVE_NAME = /\.(zip|tar|tar\.gz|tgz)$/i;

/**
 * Turns the parts of an add-media or create-dataset form into a source and options, cheapest checks first: field names,
 * part kinds, repeats, text values, exactly one source; then the bytes of each upload (sniffed) or the archive (inspected
 * by a full dry-run extraction). A blank `s3_uri` counts as absent, as HTML forms send empty inputs.
 */
export async function readMediaForm(parts: readonly FormPart[], kind: FormKind): Promise<MediaFormResult> {
  const textFields: readonly string[] = FORM_TEXT_FIELDS[kind];
  const text: Partial<Record<TextFieldName, string>> = {};
  const files: Extract<FormPart, { kind: 'file' }>[] = [];
  const archives: Extract<FormPart, { kind: 'file' }>[] = [];
  const s3Uris: string[] = [];

  for (const part of parts) {
    if (part.name === FILES_FIELD || part.name === ARCHIVE_FIELD) {
      if (part.kind !== 'file') return refused(messages.fieldMustBeFile(part.name));
      (part.name === FILES_FIELD ? files : archives).push(part);
    } else if (part.name === S3_URI_FIELD || textFields.includes(part.name)) {
      if (part.kind !== 'field') return refused(messages.fieldMustBeText(part.name));
      if (part.name === S3_URI_FIELD) {
        if (part.value.trim() !== '') s3Uris.push(part.value.trim());
      } else {
        const name = part.name as TextFieldName;
        if (text[name] !== undefined) return refused(messages.repeatedField(name));
        text[name] = part.value;
      }
    } else {
      return refused(messages.unknownField(part.name, [FILES_FIELD, ARCHIVE_FIELD, S3_URI_FIELD, ...textFields]));
    }
  }

  const fields = parseTextFields(text);
  if (!fields.ok) return refused(fields.detail);
  const values = fields.values;
  if (kind === 'create_dataset' && values.display_name === undefined) return refused(messages.displayNameRequired);

  const sourceCount = (files.length > 0 ? 1 : 0) + archives.length + s3Uris.length;
  if (sourceCount > 1 || (sourceCount === 0 && kind === 'add_media')) return refused(messages.EXACTLY_ONE_SOURCE);

  const options: MediaOptions = {
    autoReindex: values.auto_reindex ?? false,
    assumeRole: values.assume_role ?? null,
    useSpot: values.use_spot ?? null,
    overrides: {
      batch_n_images: values.batch_n_images ?? null,
      batch_n_videos: values.batch_n_videos ?? null,
      batch_n_objects: values.batch_n_objects ?? null,
    },
  };
  const done = (source: MediaSource | undefined): MediaFormResult => ({
    ok: true,
    source,
    options,
    displayName: values.display_name,
    similarityThreshold: values.similarity_threshold,
  });

  if (s3Uris.length === 1) return done({ kind: 's3_uri', uri: s3Uris[0]! });
  // The sniffer and the archive readers are imported for the forms that carry files or an archive: an `s3_uri` form
  // (and every refused one) never loads them, and the bundles load faster (bench/README.md "Cold start").
  if (files.length > 0) {
    const { sniffMedia } = await import('../../core/media/sniff-media');
    const uploads: UploadedMedia[] = [];
    for (const file of files) {
      if (file.bytes.length === 0) return refused(messages.emptyFile(file.filename));
      const sniffed = await sniffMedia(file.bytes, file.filename);
      if (!sniffed.ok) return refused(messages.unsupportedFile(file.filename, sniffed.reason));
      uploads.push({
        name: file.filename,
        bytes: file.bytes,
        type: sniffed.type,
        ext: sniffed.ext,
        mime: sniffed.mime,
      });
    }
    return done({ kind: 'files', files: uploads });
  }
  const archive = archives[0];
  if (archive) {
    if (!ARCHIVE_NAME.test(archive.filename)) return refused(messages.unsupportedArchiveName(archive.filename));
    if (archive.bytes.length === 0) return refused(messages.emptyArchive(archive.filename));
    const { inspectArchive } = await import('../../core/media/archive-extract');
    const inspection = await inspectArchive(archive.bytes, archive.filename, DEFAULT_ARCHIVE_LIMITS);
    if (!inspection.ok) return refused(messages.unsafeArchive(inspection.reason));
    if (inspection.entries === 0) return refused(messages.archiveWithoutFiles(archive.filename));
    return done({ kind: 'archive', archive: { name: archive.filename, bytes: archive.bytes } });
  }
  return done(undefined);
}

const refused = (detail: string): MediaFormResult => ({ ok: false, detail });
