import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../core/aws/s3-client';
import { createS3Client as createWorkerS3Client } from '../../workers/runtime/clients';

/** The checksum settings a client resolved (the SDK keeps them as providers). */
async function checksums(client: {
  config: { requestChecksumCalculation: unknown; responseChecksumValidation: unknown };
}) {
  const value = async (setting: unknown) => (typeof setting === 'function' ? await setting() : setting);
  return {
    request: await value(client.config.requestChecksumCalculation),
    response: await value(client.config.responseChecksumValidation),
  };
}

describe('S3 checksums', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('stay on against S3 itself: every upload carries a checksum, every download is verified', async () => {
    delete process.env.AWS_ENDPOINT_URL_S3;
    delete process.env.AWS_ENDPOINT_URL;
    expect(await checksums(createS3Client({ region: 'eu-west-1' }))).toEqual({
      request: 'WHEN_SUPPORTED',
      response: 'WHEN_SUPPORTED',
    });
    expect(await checksums(createWorkerS3Client({ AWS_REGION: 'eu-west-1' }))).toEqual({
      request: 'WHEN_SUPPORTED',
      response: 'WHEN_SUPPORTED',
    });
  });

  it('are only sent where required behind a custom endpoint (s3rver locally and in the tests)', async () => {
    const expected = { request: 'WHEN_REQUIRED', response: 'WHEN_REQUIRED' };
    expect(await checksums(createS3Client({ endpoint: 'http://127.0.0.1:4569' }))).toEqual(expected);
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4569';
    expect(await checksums(createS3Client())).toEqual(expected);
    expect(
      await checksums(createWorkerS3Client({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' })),
    ).toEqual(expected);
  });
});
