import { existsSync, readFileSync } from 'node:fs';
import { Annotations, ArnFormat, Aws, Duration, IgnoreMode, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TASK_SIZES } from '../../core/pipeline/planner';
import { REPO_ROOT } from '../base-function';
import type { DeploymentConfig } from '../config';
import { STAGING_PREFIX } from '../media-bucket';
import { acknowledge, arnReference, formattedArnReference } from './nag-references';

/** The one container of both task definitions; the state machines address their overrides to it by this name. */
const WORKER_CONTAINER_NAME = 'worker';
const WORKER_DOCKERFILE = 'workers/Dockerfile';
/** ECS's maximum stopTimeout. */
const WORKER_STOP_TIMEOUT = Duration.seconds(120);
/** Key prefix of everything the pipeline writes (docs/data-model.md). */
export const DATASETS_PREFIX = 'datasets/';

/**
 * What the image build may see of the repository root (its context): the patterns of workers/Dockerfile.dockerignore,
 * which BuildKit applies, so the asset hash changes only when the image's inputs do. The Dockerfile and its ignore
 * file stay in the staged copy that `cdk deploy` builds from. Synth only fingerprints these files; it never builds.
 */
function workerImageExcludes(): string[] {
  const ignoreFile = `${REPO_ROOT}${WORKER_DOCKERFILE}.dockerignore`;
  if (!existsSync(ignoreFile))
    throw new Error(`${ignoreFile} is missing: it defines the worker image's build context.`);
  const patterns = readFileSync(ignoreFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return [...patterns, `!${WORKER_DOCKERFILE}`, `!${WORKER_DOCKERFILE}.dockerignore`];
}

/**
 * Task-level size of the CPU task definition (what Discover runs with); Assign and Cluster override it per run from
 * STEP_SIZES, embed shards from the plan. All are valid Fargate combinations.
 */
const CPU_TASK_SIZE = { cpu: 2048, memoryMiB: 8192 } as const;
export const STEP_SIZES = {
  /**
   * Holds the batch's vectors and those of the batches added since the clustering (2 KiB per media at 512 dimensions,
   * for batches of millions); the committed clustering is streamed through 8 MiB of buffers.
   */
  assign: { cpu: 8192, memoryMiB: 61440 },
  /** Builds the kNN graph over every committed vector: the largest Fargate task, for datasets of ten million media. */
  cluster: { cpu: 16384, memoryMiB: 122880 },
} as const;
/** Fargate's maximum: archives, manifests and the index files are staged on local disk. */
const CPU_EPHEMERAL_STORAGE_GIB = 200;

export interface WorkerTasksProps {
  readonly table: dynamodb.ITableV2 | dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly config: DeploymentConfig;
}

/**
 * The worker image (workers/Dockerfile, linux/amd64) and the two task definitions that run it: `cpu` on Fargate
 * (discover, assign, cluster, and embed for small batches) and `gpu` on ECS Managed Instances with one NVIDIA GPU
 * (embed). Both share a least-privilege task role and a minimal execution role.
 *
 * Deployment constants are the container's environment (table, bucket, model, threshold, ExternalId); the state
 * machines add only what belongs to one run (TASK, DATASET_ID, OPERATION_ID, ...), see docs/pipeline.md.
 */
export class WorkerTasks extends Construct {
  readonly image: ecrAssets.DockerImageAsset;
  readonly cpuTaskDefinition: ecs.TaskDefinition;
  readonly gpuTaskDefinition: ecs.TaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkerTasksProps) {
    super(scope, id);
    const { config } = props;

    this.image = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: REPO_ROOT,
      file: WORKER_DOCKERFILE,
      exclude: workerImageExcludes(),
      ignoreMode: IgnoreMode.DOCKER,
      platform: ecrAssets.Platform.LINUX_AMD64,
      ...(config.workerModel
        ? { buildArgs: { MODEL_URL: config.workerModel.url, MODEL_SHA256: config.workerModel.sha256 } }
        : {}),
    });
    if (!config.workerModel) {
      // Synth works without them; building the image (cdk deploy) does not.
      Annotations.of(this).addWarningV2(
        'add-media:workerModel',
        'workerModelUrl and workerModelSha256 are not set: the worker image build (cdk deploy) needs the ONNX image encoder to bake in.',
      );
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pulls the pipeline worker image and writes its logs',
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description:
        'Pipeline workers: datasets/* read/write, staging/* read, the table, allowed source buckets and roles',
    });
    this.grantWorkerAccess(props);

    const environment: Record<string, string> = {
      BUCKET_NAME: props.bucket.bucketName,
      TABLE_NAME: props.table.tableName,
      AWS_REGION: Aws.REGION,
      LOG_LEVEL: 'INFO',
      LOCAL_PATHS_ALLOWED: 'false',
      // Discovery applies the API's bucket rule to every location a manifest lists, as to the source itself.
      SOURCE_BUCKET_NAMES: config.sourceBucketNames.join(','),
      SIMILARITY_THRESHOLD: String(config.similarityThreshold),
      // A model from elsewhere is checked against the pin of the config (lib/config.ts requires one), not the image's.
      ...(config.modelUri
        ? { MODEL_URI: config.modelUri, MODEL_SHA256: config.defaultEmbeddingConfig?.model_sha256 ?? '' }
        : {}),
      ...(config.assumeRoleExternalId ? { ASSUME_ROLE_EXTERNAL_ID: config.assumeRoleExternalId } : {}),
    };

    this.cpuTaskDefinition = new ecs.TaskDefinition(this, 'Cpu', {
      compatibility: ecs.Compatibility.FARGATE,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: String(CPU_TASK_SIZE.cpu),
      memoryMiB: String(CPU_TASK_SIZE.memoryMiB),
      ephemeralStorageGiB: CPU_EPHEMERAL_STORAGE_GIB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    this.addWorker(this.cpuTaskDefinition, 'cpu', { ...environment, EXECUTION_PROVIDER: 'cpu' });

    this.gpuTaskDefinition = new ecs.TaskDefinition(this, 'Gpu', {
      compatibility: ecs.Compatibility.MANAGED_INSTANCES,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: String(TASK_SIZES.gpu.standard.cpu),
      memoryMiB: String(TASK_SIZES.gpu.standard.memory),
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    this.addWorker(this.gpuTaskDefinition, 'gpu', { ...environment, EXECUTION_PROVIDER: 'cuda' }, 1);

    acknowledgeExecutionRole(this.executionRole);
  }

  private addWorker(
    taskDefinition: ecs.TaskDefinition,
    streamPrefix: string,
    environment: Record<string, string>,
    gpuCount?: number,
  ): void {
    taskDefinition.addContainer(WORKER_CONTAINER_NAME, {
      containerName: WORKER_CONTAINER_NAME,
      image: ecs.ContainerImage.fromDockerImageAsset(this.image),
      essential: true,
      environment,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix }),
      // SIGTERM to SIGKILL: the two minutes Fargate Spot gives too; the worker exits 75 before (workers/runtime/interruption.ts).
      stopTimeout: WORKER_STOP_TIMEOUT,
      ...(gpuCount ? { gpuCount } : {}),
    });
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      'The container environment holds deployment constants only (table and bucket names, region, model URI, similarity ' +
        'threshold, the STS ExternalId, which is an identifier and not a secret); no credential is passed this way.',
    );
  }

  private grantWorkerAccess({ table, bucket, config }: WorkerTasksProps): void {
    table.grantReadWriteData(this.taskRole);
    const role = this.taskRole;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DatasetArtefacts',
        // DeleteObject: discover removes what a failed extraction left under its own batch (workers/discover/s3-io.ts).
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${DATASETS_PREFIX}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StagedUploads',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${STAGING_PREFIX}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListOwnPrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${DATASETS_PREFIX}*`, `${STAGING_PREFIX}*`] } },
      }),
    );
    bucket.encryptionKey?.grantEncryptDecrypt(role);

    const model = modelObject(config);
    if (model)
      role.addToPolicy(
        new iam.PolicyStatement({ sid: 'ModelObject', actions: ['s3:GetObject'], resources: [this.s3Arn(model)] }),
      );

    // Sources in these buckets are read with the task role itself (no assume_role): list and read, never write.
    if (config.sourceBucketNames.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadSourceBuckets',
          actions: ['s3:GetObject'],
          resources: config.sourceBucketNames.map((name) => this.s3Arn(`${name}/*`)),
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ListSourceBuckets',
          actions: ['s3:ListBucket'],
          resources: config.sourceBucketNames.map((name) => this.s3Arn(name)),
        }),
      );
    }

    if (config.allowedAssumeRoleArns.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeAllowedSourceRoles',
          actions: ['sts:AssumeRole'],
          resources: [...config.allowedAssumeRoleArns],
          ...(config.assumeRoleExternalId
            ? { conditions: { StringEquals: { 'sts:ExternalId': config.assumeRoleExternalId } } }
            : {}),
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'SourceIdentityOnAllowedRoles',
          actions: ['sts:SetSourceIdentity'],
          resources: [...config.allowedAssumeRoleArns],
        }),
      );
    }
    this.acknowledgeTaskRole({ table, bucket, config });
  }

  private s3Arn(resource: string): string {
    return Stack.of(this).formatArn({
      service: 's3',
      region: '',
      account: '',
      resource,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
  }

  private acknowledgeTaskRole({ table, bucket, config }: WorkerTasksProps): void {
    const wildcard = (resource: string, reason: string) =>
      acknowledge(this.taskRole, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
    const bucketArn = arnReference(bucket);
    wildcard(
      `${bucketArn}/${DATASETS_PREFIX}*`,
      'Workers write every artefact of a batch or clustering under datasets/ (keys are generated per dataset, operation and shard).',
    );
    wildcard(
      `${bucketArn}/${STAGING_PREFIX}*`,
      'Discover reads the uploads staged for its operation under staging/ (read only).',
    );
    wildcard(
      `${arnReference(table)}/index/*`,
      'Workers query the indexes of this one table only; the index ARN wildcard is how DynamoDB grants index access.',
    );
    const model = modelObject(config);
    if (model?.includes('*'))
      wildcard(
        formattedArnReference(this, 's3', model, { global: true }),
        'The model object named by the modelUri setting.',
      );
    for (const name of config.sourceBucketNames) {
      const reason = `Media sources in bucket ${name}, which the operator allowed in sourceBucketNames: read and list only.`;
      wildcard(formattedArnReference(this, 's3', `${name}/*`, { global: true }), reason);
      if (name.includes('*')) wildcard(formattedArnReference(this, 's3', name, { global: true }), reason);
    }
    for (const pattern of config.allowedAssumeRoleArns.filter((arn) => arn.includes('*'))) {
      wildcard(
        pattern,
        'A role pattern the operator allowed in allowedAssumeRoleArns: sources are read only through roles matching it.',
      );
    }
  }
}

/** `bucket/key` of an s3:// modelUri, if that is what it is. */
function modelObject(config: DeploymentConfig): string | undefined {
  return config.modelUri?.match(/^s3:\/\/(.+)$/)?.[1];
}

function acknowledgeExecutionRole(role: iam.Role): void {
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken supports no resource-level permission; image pulls are limited to the worker repository.',
  );
}
