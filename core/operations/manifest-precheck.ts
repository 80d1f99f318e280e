import { open } from 'node:fs/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { locationColumnIndex } from '../media/manifest-columns';
import { type ManifestFormat, manifestFormatOf, parseS3Uri } from '../media/s3-uri';

/** Enough for any real header line; a longer one is left to discovery. */
const HEADER_BYTES = 64 * 1024;

/**
 * Whether a csv or parquet manifest names a location column, read before the 202 (the header line; the parquet
 * footer): a manifest without one would only fail once the operation runs. True when it names one, false when it
 * certainly does not, undefined when this cannot tell (not csv/parquet, header longer than HEADER_BYTES, unreadable):
 * discovery decides then. Each parser is imported when a manifest of its format is met: most requests name none, and
 * the add-media and create-dataset bundles load faster without them (bench/README.md "Cold start").
 */
async function hasLocationColumn(format: ManifestFormat | undefined, file: AsyncBuffer): Promise<boolean | undefined> {
  if (format === 'csv') {
    const head = Buffer.from(await file.slice(0, Math.min(HEADER_BYTES, file.byteLength)));
    const end = head.indexOf('\n');
    if (end === -1 && file.byteLength > HEADER_BYTES) return undefined;
    const line = head.subarray(0, end === -1 ? head.length : end).toString('utf8');
    const { parse: parseCsv } = await import('csv-parse/sync');
    const [header] = parseCsv(line, { bom: true, relax_column_count: true, relax_quotes: true }) as string[][];
    return locationColumnIndex(header ?? []) !== -1;
  }
  if (format === 'parquet') {
    const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
    const names = parquetSchema(await parquetMetadataAsync(file)).children.map((child) => child.element.name);
    return locationColumnIndex(names) !== -1;
  }
  return undefined;
}

/** `false` only for a manifest under `uri` that certainly has no location column. */
export async function s3ManifestHasLocationColumn(client: S3Client, uri: string): Promise<boolean | undefined> {
  const { bucket, key } = parseS3Uri(uri);
  const format = manifestFormatOf(key);
  if (format !== 'csv' && format !== 'parquet') return undefined;
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const file: AsyncBuffer = {
    byteLength: head.ContentLength ?? 0,
    slice: async (start, end) => {
      const range = `bytes=${start}-${(end ?? head.ContentLength ?? 0) - 1}`;
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
      const bytes = await object.Body!.transformToByteArray();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  return hasLocationColumn(format, file).catch(() => undefined);
}

/** The same for a manifest file on this machine (the on-prem `path` routes). */
export async function localManifestHasLocationColumn(path: string): Promise<boolean | undefined> {
  const format = manifestFormatOf(path);
  if (format !== 'csv' && format !== 'parquet') return undefined;
  const handle = await open(path).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    const file: AsyncBuffer = {
      byteLength: size,
      slice: async (start, end = size) => {
        const bytes = Buffer.alloc(end - start);
        await handle.read(bytes, 0, bytes.length, start);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
    return await hasLocationColumn(format, file).catch(() => undefined);
  } finally {
    await handle.close();
  }
}
