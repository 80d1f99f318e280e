/**
 * The compute planner: a pure function from a batch's counted sizes (or the caller's overrides) and the deployment's
 * limits to the shards, device, task size and capacity the embed Map runs with. The formula is explained in
 * docs/planner.md; bench/planner-table.ts prints it for a few request shapes.
 */
export interface CountedBatch {
  readonly n_images: number;
  readonly n_videos: number;
  readonly n_objects: number;
  readonly total_bytes: number;
  /** Manifest parts written by discover (`manifest/part-{n}.jsonl`); shards cover these, whatever the overrides say. */
  readonly n_parts: number;
}

/** Replace the counts used for sizing (null / absent: use the counted value). They never change the real work. */
export interface SizingOverrides {
  readonly batch_n_images?: number | null;
  readonly batch_n_videos?: number | null;
  readonly batch_n_objects?: number | null;
}

export interface PlannerDeployment {
  readonly defaultUseSpot: boolean;
  readonly maxShards: number;
  readonly maxConcurrency: number;
  readonly gpuSpotCapacityProvider: string;
  readonly gpuOnDemandCapacityProvider: string;
  readonly gpuTaskDefinitionArn: string;
  readonly cpuTaskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface PlanRequest {
  readonly counted: CountedBatch;
  readonly overrides?: SizingOverrides | null;
  /** null / absent: the deployment's default. */
  readonly useSpot?: boolean | null;
  readonly deployment: PlannerDeployment;
}

export interface Shard {
  readonly index: number;
  /** Manifest parts [part_start, part_end). */
  readonly part_start: number;
  readonly part_end: number;
}

/** PascalCase: Step Functions' ecs:runTask parameters are the API's names in PascalCase. */
interface CapacityProviderStrategyItem {
  readonly CapacityProvider: string;
  readonly Weight: number;
}

type Device = 'gpu' | 'cpu';

export interface Plan {
  readonly shards: readonly Shard[];
  readonly max_concurrency: number;
  readonly device: Device;
  /** Task-level CPU units and memory, as strings because ECS RunTask `Overrides.Cpu` / `Overrides.Memory` take strings. */
  readonly cpu: string;
  readonly memory_mib: string;
  readonly use_spot: boolean;
  readonly capacity: {
    readonly primary: readonly CapacityProviderStrategyItem[];
    readonly fallback: readonly CapacityProviderStrategyItem[];
  };
  readonly task_definition: string;
  readonly network: {
    readonly AwsvpcConfiguration: {
      readonly Subnets: readonly string[];
      readonly SecurityGroups: readonly string[];
      readonly AssignPublicIp: 'DISABLED';
    };
  };
  /** The counts the plan was sized for (after overrides), for plan.json and the logs. */
  readonly sizing: {
    readonly n_images: number;
    readonly n_videos: number;
    readonly n_objects: number;
    readonly image_equivalents: number;
    readonly heavy: boolean;
  };
}

/** Cost of one item relative to one image: a video is decoded and embedded as ~20 keyframes; an object is one crop. */
const IMAGE_EQUIVALENTS = { image: 1, video: 20, object: 1 } as const;
/** Below this many image-equivalents a GPU instance would spend longer starting than working: run on Fargate. */
const CPU_BELOW_IMAGE_EQUIVALENTS = 200;
/** Work per GPU shard (≈ 8–10 minutes at ~100 image-equivalents/s): long enough to amortise task start, short enough to retry. */
const GPU_SHARD_IMAGE_EQUIVALENTS = 50_000;
/** Media this large on average (raw TIFFs, long videos) need a bigger decode budget. */
const HEAVY_AVERAGE_BYTES = 32 * 1024 * 1024;
/** Share of the work in videos from which a task gets the bigger size (ffmpeg decodes on the CPU). */
const HEAVY_VIDEO_SHARE = 0.25;

/**
 * Task sizes. CPU ones are valid Fargate combinations; GPU ones fit one task with one NVIDIA GPU per 4-vCPU/16-GiB
 * (standard) or 8-vCPU/32-GiB (heavy) instance (g4dn/g5/g6 .xlarge / .2xlarge), leaving room for the ECS agent.
 */
export const TASK_SIZES = {
  cpu: { standard: { cpu: 2048, memory: 4096 }, heavy: { cpu: 4096, memory: 8192 } },
  gpu: { standard: { cpu: 4096, memory: 12288 }, heavy: { cpu: 8192, memory: 28672 } },
} as const;

const FARGATE_CAPACITY = { spot: 'FARGATE_SPOT', onDemand: 'FARGATE' } as const;

export function planCompute(request: PlanRequest): Plan {
  const { counted, deployment } = request;
  checkRequest(request);
  const overrides = request.overrides ?? {};
  const n_images = overrides.batch_n_images ?? counted.n_images;
  const n_videos = overrides.batch_n_videos ?? counted.n_videos;
  const n_objects = overrides.batch_n_objects ?? counted.n_objects;
  const videoWork = n_videos * IMAGE_EQUIVALENTS.video;
  const imageEquivalents = n_images * IMAGE_EQUIVALENTS.image + videoWork + n_objects * IMAGE_EQUIVALENTS.object;

  const device: Device = imageEquivalents < CPU_BELOW_IMAGE_EQUIVALENTS ? 'cpu' : 'gpu';
  const countedMedia = counted.n_images + counted.n_videos;
  const averageBytes = countedMedia > 0 ? counted.total_bytes / countedMedia : 0;
  const heavy =
    averageBytes >= HEAVY_AVERAGE_BYTES || (imageEquivalents > 0 && videoWork / imageEquivalents >= HEAVY_VIDEO_SHARE);
  const size = TASK_SIZES[device][heavy ? 'heavy' : 'standard'];

  const wanted = device === 'gpu' ? Math.ceil(imageEquivalents / GPU_SHARD_IMAGE_EQUIVALENTS) : 1;
  const shardCount = counted.n_parts === 0 ? 0 : clamp(wanted, 1, Math.min(deployment.maxShards, counted.n_parts));
  const useSpot = request.useSpot ?? deployment.defaultUseSpot;

  return {
    shards: splitParts(counted.n_parts, shardCount),
    max_concurrency: clamp(shardCount, 1, Math.min(deployment.maxConcurrency, INLINE_MAP_MAX_CONCURRENCY)),
    device,
    cpu: String(size.cpu),
    memory_mib: String(size.memory),
    use_spot: useSpot,
    capacity: capacityFor(device, useSpot, deployment),
    task_definition: device === 'gpu' ? deployment.gpuTaskDefinitionArn : deployment.cpuTaskDefinitionArn,
    network: {
      AwsvpcConfiguration: {
        Subnets: [...deployment.subnetIds],
        SecurityGroups: [...deployment.securityGroupIds],
        AssignPublicIp: 'DISABLED',
      },
    },
    sizing: { n_images, n_videos, n_objects, image_equivalents: imageEquivalents, heavy },
  };
}

/** `count` contiguous, non-empty ranges that together cover parts [0, nParts); sizes differ by at most one. */
export function splitParts(nParts: number, count: number): Shard[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    part_start: Math.floor((index * nParts) / count),
    part_end: Math.floor(((index + 1) * nParts) / count),
  }));
}

function capacityFor(device: Device, useSpot: boolean, deployment: PlannerDeployment): Plan['capacity'] {
  const onDemand = device === 'gpu' ? deployment.gpuOnDemandCapacityProvider : FARGATE_CAPACITY.onDemand;
  const spot = device === 'gpu' ? deployment.gpuSpotCapacityProvider : FARGATE_CAPACITY.spot;
  const strategy = (provider: string) => [{ CapacityProvider: provider, Weight: 1 }];
  return { primary: strategy(useSpot ? spot : onDemand), fallback: strategy(onDemand) };
}

/**
 * An inline Map runs at most 40 iterations at once, whatever MaxConcurrency says (docs/DESIGN.md, "Past 40 shards at
 * once"): the plan never asks for more, so the figure it reports is the one that runs.
 */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

function checkRequest({ counted, overrides, deployment }: PlanRequest): void {
  const problems: string[] = [];
  const nonNegative = (name: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined && !(Number.isSafeInteger(value) && value >= 0))
      problems.push(`${name} must be a non-negative integer, got ${value}`);
  };
  for (const name of ['n_images', 'n_videos', 'n_objects', 'total_bytes', 'n_parts'] as const)
    nonNegative(name, counted[name]);
  for (const name of ['batch_n_images', 'batch_n_videos', 'batch_n_objects'] as const)
    nonNegative(name, overrides?.[name]);
  for (const name of ['maxShards', 'maxConcurrency'] as const)
    if (!(Number.isSafeInteger(deployment[name]) && deployment[name] >= 1))
      problems.push(`${name} must be a positive integer, got ${deployment[name]}`);
  if (problems.length) throw new RangeError(`Cannot plan this batch: ${problems.join('; ')}`);
}
