import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { localManifestHasLocationColumn } from '../../core/operations/manifest-precheck';

const folder = mkdtempSync(join(tmpdir(), 'manifest-precheck-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string, body: string | Uint8Array) => {
  writeFileSync(join(folder, name), body);
  return join(folder, name);
};

describe('manifest pre-check of a local path (on-prem routes)', () => {
  it('tells a csv / parquet manifest with a location column from one without, and leaves the rest to discovery', async () => {
    expect(await localManifestHasLocationColumn(file('good.csv', 'label,Path\ncat,/data/a.jpg\n'))).toBe(true);
    expect(await localManifestHasLocationColumn(file('bad.csv', 'image,label\n/data/a.jpg,cat\n'))).toBe(false);
    const parquet = (name: string) =>
      parquetWriteBuffer({ columnData: [{ name, data: ['/data/a.jpg'], type: 'STRING' }] });
    expect(await localManifestHasLocationColumn(file('good.parquet', new Uint8Array(parquet('filename'))))).toBe(true);
    expect(await localManifestHasLocationColumn(file('bad.parquet', new Uint8Array(parquet('image'))))).toBe(false);
    expect(await localManifestHasLocationColumn(file('list.txt', '/data/a.jpg\n'))).toBeUndefined();
    expect(await localManifestHasLocationColumn(file('broken.parquet', 'not parquet'))).toBeUndefined();
    expect(await localManifestHasLocationColumn(join(folder, 'missing.csv'))).toBeUndefined();
  });
});
