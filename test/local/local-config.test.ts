import { describe, expect, it } from 'vitest';
import { LocalConfigError, readLocalConfig } from '../../local/config';
import { handlerEnvironment, LOCAL_CREDENTIALS, type LocalModel, workerBaseEnvironment } from '../../local/environment';
import { localStateMachineArns } from '../../local/workflows/local-pipeline';

const MODEL: LocalModel = {
  uri: 'file:///data/models/m.onnx',
  sha256: 'a'.repeat(64),
  cacheDir: '/data/models/cache',
  embeddingConfig: { model_id: 'm', dimension: 8, input_size: 8, mean: [0, 0, 0], std: [1, 1, 1], version: '1' },
};
const ENDPOINTS = { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2', sfn: 'http://127.0.0.1:3' };

describe('local settings', () => {
  it('has defaults for everything and reports every bad value at once', () => {
    expect(readLocalConfig({})).toMatchObject({
      port: 2080,
      s3Port: 4569,
      host: '127.0.0.1',
      tableName: 'add-media',
      defaultUseSpot: false,
      localMediaRoots: [],
      maxRequestsPerUser: 1,
    });
    expect(readLocalConfig({ LOCAL_MEDIA_ROOTS: ' /media , /srv/photos/ ' }).localMediaRoots).toEqual([
      '/media',
      '/srv/photos',
    ]);
    expect(() => readLocalConfig({ LOCAL_MEDIA_ROOTS: '/media,photos' })).toThrow(
      new LocalConfigError(
        'Invalid settings: LOCAL_MEDIA_ROOTS must be a comma-separated list of absolute folders, got "/media,photos"',
      ),
    );
    expect(() => readLocalConfig({ PORT: 'http', MAX_SHARDS: '0', DEFAULT_USE_SPOT: 'yes' })).toThrow(
      new LocalConfigError(
        'Invalid settings: PORT must be a port number (0-65535), got "http"; MAX_SHARDS must be a positive integer, got "0"; DEFAULT_USE_SPOT must be true or false, got "yes"',
      ),
    );
  });

  it('takes an encoder of your own only with its hash and embedding config', () => {
    const config = JSON.stringify(MODEL.embeddingConfig);
    expect(
      readLocalConfig({
        MODEL_URI: '/models/clip.onnx',
        MODEL_SHA256: 'B'.repeat(64),
        DEFAULT_EMBEDDING_CONFIG: config,
      }).model,
    ).toEqual({
      uri: 'file:///models/clip.onnx',
      sha256: 'b'.repeat(64),
      embeddingConfig: { ...MODEL.embeddingConfig, model_sha256: 'b'.repeat(64) },
    });
    expect(() => readLocalConfig({ MODEL_URI: '/models/clip.onnx' })).toThrow(
      'missing: MODEL_SHA256, DEFAULT_EMBEDDING_CONFIG',
    );
  });

  it('gives handlers the embedded endpoints and the dev auth defaults, keeping what the user set', () => {
    const config = readLocalConfig({});
    const env = handlerEnvironment(config, ENDPOINTS, MODEL, localStateMachineArns('us-east-1'), {
      ADD_MEDIA_ENABLED: 'false',
      AUTH_ISSUER: 'me',
    });
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_SFN: ENDPOINTS.sfn,
      AWS_ENDPOINT_URL_DYNAMODB: ENDPOINTS.dynamodb,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      ADD_MEDIA_ENABLED: 'false',
      AUTH_ISSUER: 'me',
      LOCAL_PATHS_ALLOWED: 'true',
      DEFAULT_EMBEDDING_CONFIG: JSON.stringify(MODEL.embeddingConfig),
    });
    expect(env.AUTH_JWT_SECRET).toBeDefined();
    expect(
      handlerEnvironment(config, ENDPOINTS, MODEL, localStateMachineArns('us-east-1'), {
        AUTH_JWKS_URL: 'https://idp/jwks',
      }).AUTH_JWT_SECRET,
    ).toBeUndefined();
  });

  it("adds the service's own origins to ALLOWED_ORIGINS, so the gallery's cookie POSTs pass the CSRF rule", () => {
    const arns = localStateMachineArns('us-east-1');
    const origins = (env: NodeJS.ProcessEnv, allowed?: string) =>
      handlerEnvironment(readLocalConfig(env), ENDPOINTS, MODEL, arns, allowed ? { ALLOWED_ORIGINS: allowed } : {})
        .ALLOWED_ORIGINS;
    expect(origins({ PORT: '8080' }, 'https://app.example.com')).toBe(
      'https://app.example.com,http://127.0.0.1:8080,http://localhost:8080,http://[::1]:8080',
    );
    expect(origins({ HOST: '0.0.0.0', PORT: '8080' })).toBe(
      'http://127.0.0.1:8080,http://localhost:8080,http://[::1]:8080',
    );
    expect(origins({ HOST: 'gallery.lan', PORT: '8080' })).toBe('http://gallery.lan:8080');
    expect(origins({ PORT: '0' })).toBe('');
  });

  it('gives workers the container basics only, nothing else of the service environment', () => {
    const env = workerBaseEnvironment(readLocalConfig({}), ENDPOINTS, MODEL, {
      PATH: '/bin',
      HOME: '/home/x',
      AUTH_JWT_SECRET: 'secret',
      VL_TOKEN: 't',
    });
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'HOME',
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_ENDPOINT_URL_DYNAMODB',
        'AWS_ENDPOINT_URL_S3',
        'S3_FORCE_PATH_STYLE',
        'TABLE_NAME',
        'BUCKET_NAME',
        'MODEL_URI',
        'MODEL_SHA256',
        'MODEL_CACHE_DIR',
        'LOCAL_PATHS_ALLOWED',
        'LOCAL_MEDIA_ROOTS',
        'SERVICE_PATHS',
        'SOURCE_BUCKET_NAMES',
        'LOG_LEVEL',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      ].sort(),
    );
  });
});
