import { createInterface } from 'node:readline';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { locationColumnIndex, noLocationColumn } from '../../core/media/manifest-columns';
import type { ManifestFormat } from '../../core/media/s3-uri';
import { WorkerError } from '../runtime/failure';
import type { ManifestLimits } from './config';
import type { ManifestFile } from './manifest-file';

/** One row's location as written in the manifest (undefined when the cell is empty), with its 1-based row number. */
export interface ManifestValue {
  readonly row: number;
  readonly value: string | undefined;
}

/**
 * The locations a manifest lists, streamed: `.txt` one per line (blank lines and lines starting with `#` ignored), `.csv`
 * from the column named by its header, `.parquet` from the column of that name, row group by row group. More rows than
 * `maxRows` or a line longer than `maxLineBytes` fails the operation (WorkerError) before anything is buffered beyond it.
 */
export async function* manifestValues(
  file: ManifestFile,
  format: ManifestFormat,
  limits: ManifestLimits,
): AsyncGenerator<ManifestValue> {
  const rows =
    format === 'txt'
      ? txtValues(file, limits)
      : format === 'csv'
        ? csvValues(file, limits)
        : parquetValues(file, limits);
  let count = 0;
  for await (const value of rows) {
    count += 1;
    if (count > limits.maxRows)
      throw new WorkerError(`Manifest ${file.name} has more than ${limits.maxRows} rows (MAX_MANIFEST_ROWS)`);
    yield value;
  }
}

async function* txtValues(file: ManifestFile, limits: ManifestLimits): AsyncGenerator<ManifestValue> {
  const guarded = guardedStream(await file.stream(), limits.maxLineBytes, file.name);
  let row = 0;
  let first = true;
  try {
    for await (const line of createInterface({ input: guarded, crlfDelay: Infinity })) {
      const value = (first ? line.replace(/^\uFEFF/, '') : line).trim();
      first = false;
      if (value === '' || value.startsWith('#')) continue;
      row += 1;
      yield { row, value };
    }
  } finally {
    guarded.destroy();
  }
}

async function* csvValues(file: ManifestFile, limits: ManifestLimits): AsyncGenerator<ManifestValue> {
  const guarded = guardedStream(await file.stream(), limits.maxLineBytes, file.name);
  const parser = guarded.pipe(parseCsv({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }));
  guarded.on('error', (error) => parser.destroy(error));
  let column: number | undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (column === undefined) {
        column = locationColumn(record, file.name);
        continue;
      }
      row += 1;
      const value = record[column];
      yield { row, value: value === undefined || value === '' ? undefined : value };
    }
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    throw new WorkerError(`Manifest ${file.name} is not valid CSV: ${(error as Error).message}`);
  } finally {
    guarded.destroy();
  }
  if (column === undefined) throw new WorkerError(`Manifest ${file.name} is empty`);
}

async function* parquetValues(file: ManifestFile, limits: ManifestLimits): AsyncGenerator<ManifestValue> {
  const access = await file.randomAccess();
  try {
    let metadata;
    try {
      metadata = await parquetMetadataAsync(access.buffer);
    } catch (error) {
      throw new WorkerError(`Manifest ${file.name} is not a valid parquet file: ${(error as Error).message}`);
    }
    if (metadata.num_rows > BigInt(limits.maxRows)) {
      throw new WorkerError(`Manifest ${file.name} has more than ${limits.maxRows} rows (MAX_MANIFEST_ROWS)`);
    }
    const names = parquetSchema(metadata).children.map((child) => child.element.name);
    const column = names[locationColumn(names, file.name)]!;
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const records = await parquetReadObjects({ file: access.buffer, metadata, columns: [column], rowStart, rowEnd });
      for (const [offset, record] of records.entries()) {
        const row = rowStart + offset + 1;
        const value = parquetText(record[column], file.name, row);
        if (value !== undefined && Buffer.byteLength(value) > limits.maxLineBytes)
          throw lineTooLong(file.name, limits.maxLineBytes, row);
        yield { row, value };
      }
      rowStart = rowEnd;
    }
  } finally {
    await access.close();
  }
}

function parquetText(cell: unknown, name: string, row: number): string | undefined {
  if (cell === null || cell === undefined || cell === '') return undefined;
  if (typeof cell === 'string') return cell;
  if (cell instanceof Uint8Array) return new TextDecoder().decode(cell);
  throw new WorkerError(`Manifest ${name} row ${row}: the location column must hold text, found ${typeof cell}`);
}

function locationColumn(header: readonly string[], name: string): number {
  const index = locationColumnIndex(header);
  if (index === -1) throw new WorkerError(noLocationColumn(name));
  return index;
}

function lineTooLong(name: string, max: number, line: number): WorkerError {
  return new WorkerError(
    `Manifest ${name} has a line longer than ${max} bytes (line ${line}; MAX_MANIFEST_LINE_BYTES)`,
  );
}

/**
 * Passes a manifest's bytes through, failing as soon as a line (bytes between newlines) grows past `maxLineBytes`, so a
 * manifest without newlines cannot make the line reader or the CSV parser buffer it whole.
 */
function guardedStream(source: Readable, maxLineBytes: number, name: string): Transform {
  let lineBytes = 0;
  let line = 1;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        lineBytes += (newline === -1 ? chunk.length : newline) - start;
        if (lineBytes > maxLineBytes) {
          callback(lineTooLong(name, maxLineBytes, line));
          return;
        }
        if (newline === -1) break;
        lineBytes = 0;
        line += 1;
        start = newline + 1;
      }
      callback(null, chunk);
    },
  });
  source.on('error', (error) => guard.destroy(error));
  guard.on('close', () => source.destroy());
  return source.pipe(guard);
}
