import { describe, expect, it } from 'vitest';
import { apiConfigFromEnv, LAMBDA_MAX_UPLOAD_BYTES } from '../../core/config/api-config';
import { DEFAULT_EMBEDDING_CONFIG, TEST_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';

describe('apiConfigFromEnv', () => {
  it('applies the documented defaults', () => {
    const config = apiConfigFromEnv({ TABLE_NAME: 'table' });
    expect(config).toMatchObject({
      tableName: 'table',
      addMediaEnabled: true,
      allowedAssumeRoleArns: [],
      assumeRoleExternalId: undefined,
      defaultEmbeddingConfig: DEFAULT_EMBEDDING_CONFIG,
      maxUploadBytes: LAMBDA_MAX_UPLOAD_BYTES,
      allowedOrigins: [],
      sourceBucketNames: [],
      localPathsAllowed: false,
    });
    expect(LAMBDA_MAX_UPLOAD_BYTES).toBe(4_669_440);
  });

  it('parses every variable', () => {
    const config = apiConfigFromEnv({
      TABLE_NAME: 't',
      BUCKET_NAME: 'b',
      ADD_MEDIA_ENABLED: 'FALSE',
      ALLOWED_ASSUME_ROLE_ARNS: ' arn:aws:iam::123456789012:role/a , arn:aws:iam::*:role/vl-* ,',
      DEFAULT_EMBEDDING_CONFIG: JSON.stringify(TEST_EMBEDDING_CONFIG),
      MAX_UPLOAD_BYTES: '1048576',
      ALLOWED_ORIGINS: 'https://app.example.com',
      SOURCE_BUCKET_NAMES: 'media-a,media-*',
      LOCAL_PATHS_ALLOWED: '1',
    });
    expect(config).toMatchObject({
      bucketName: 'b',
      addMediaEnabled: false,
      allowedAssumeRoleArns: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::*:role/vl-*'],
      defaultEmbeddingConfig: TEST_EMBEDDING_CONFIG,
      maxUploadBytes: 1_048_576,
      allowedOrigins: ['https://app.example.com'],
      sourceBucketNames: ['media-a', 'media-*'],
      localPathsAllowed: true,
    });
  });

  it('reads a variable only when it is used, and names a missing or bad one', () => {
    const config = apiConfigFromEnv({
      TABLE_NAME: 't',
      ADD_MEDIA_ENABLED: 'maybe',
      MAX_UPLOAD_BYTES: '-5',
      ALLOWED_ASSUME_ROLE_ARNS: 'role/x',
    });
    expect(config.tableName).toBe('t');
    expect(() => config.bucketName).toThrow('BUCKET_NAME is not set');
    expect(() => config.reindexStateMachineArn).toThrow('REINDEX_STATE_MACHINE_ARN is not set');
    expect(() => config.addMediaEnabled).toThrow('ADD_MEDIA_ENABLED must be true or false, got "maybe"');
    expect(() => config.maxUploadBytes).toThrow('MAX_UPLOAD_BYTES must be a positive integer, got "-5"');
    expect(() => config.allowedAssumeRoleArns).toThrow(
      /ALLOWED_ASSUME_ROLE_ARNS must be a comma-separated list of role ARNs .*role\/x/,
    );
  });
});
