import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { forcePathStyleSetting } from './path-style-setting';

/**
 * The SDK honours AWS_ENDPOINT_URL_S3; S3-compatible servers (s3rver) also need path-style addressing.
 */
export function createS3Client(
  options: { endpoint?: string; region?: string; forcePathStyle?: boolean } = {},
): S3Client {
  return new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? forcePathStyleSetting(),
    ...checksumSettings(options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
  });
}

/**
 * Against S3 itself the SDK's defaults stay: every upload carries a CRC checksum that S3 verifies, every download is
 * verified. Only an S3-compatible server behind a custom endpoint (s3rver, locally and in the tests) gets checksums
 * just where an operation requires them: s3rver stores aws-chunked streamed bodies as they come, trailers included.
 */
export function checksumSettings(
  endpoint: string | undefined,
): Pick<S3ClientConfig, 'requestChecksumCalculation' | 'responseChecksumValidation'> {
  if (!endpoint) return {};
  return { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' };
}
