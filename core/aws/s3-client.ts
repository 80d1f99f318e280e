import { S3Client } from '@aws-sdk/client-s3';

/**
 * The SDK honours AWS_ENDPOINT_URL_S3; S3-compatible servers (s3rver) also need path-style addressing, and checksums only
 * when an operation requires them (s3rver stores aws-chunked streamed bodies as they come, trailers included).
 */
export function createS3Client(
  options: { endpoint?: string; region?: string; forcePathStyle?: boolean } = {},
): S3Client {
  return new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? process.env.S3_FORCE_PATH_STYLE === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
