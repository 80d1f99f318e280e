import { Size } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { GpuInstanceConfig } from '../config';
import { acknowledge, formattedArnReference } from './nag-references';

export interface PipelineComputeProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  readonly gpuInstance: GpuInstanceConfig;
}

/** Disk of each GPU instance for images, layers and the media a shard decodes (the CUDA image alone is several GiB). */
const GPU_INSTANCE_STORAGE = Size.gibibytes(150);

/**
 * Where the workers run: one ECS cluster (Container Insights on) with four capacity providers — FARGATE and
 * FARGATE_SPOT for CPU tasks, and two ECS Managed Instances providers for GPU tasks (Fargate has no GPUs), one
 * launching Spot and one On-Demand instances that match `gpuInstance` (NVIDIA, attribute-based selection). The plan
 * step picks one of them per operation; a spot shortage or interruption reruns a shard on the on-demand one.
 */
export class PipelineCompute extends Construct {
  readonly cluster: ecs.Cluster;
  readonly gpuSpotCapacityProvider: ecs.ManagedInstancesCapacityProvider;
  readonly gpuOnDemandCapacityProvider: ecs.ManagedInstancesCapacityProvider;
  /** The role ECS uses to launch and terminate the GPU instances (shared by both providers). */
  readonly infrastructureRole: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineComputeProps) {
    super(scope, id);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });

    this.infrastructureRole = new iam.Role(this, 'GpuInfrastructureRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS Managed Instances: launches and terminates the pipeline GPU instances',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForManagedInstances'),
      ],
    });
    acknowledge(
      this.infrastructureRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances]',
      'The AWS managed policy ECS Managed Instances documents for its infrastructure role; it is maintained by AWS as the ' +
        'service gains features and only passes roles named ecsInstanceRole*, which the capacity providers create.',
    );

    const instanceRequirements = gpuInstanceRequirements(props.gpuInstance);
    const provider = (providerId: string, capacityOptionType: ecs.CapacityOptionType) => {
      const capacityProvider = new ecs.ManagedInstancesCapacityProvider(this, providerId, {
        infrastructureRole: this.infrastructureRole,
        subnets: props.subnets,
        securityGroups: [props.securityGroup],
        instanceRequirements,
        capacityOptionType,
        taskVolumeStorage: GPU_INSTANCE_STORAGE,
        propagateTags: ecs.PropagateManagedInstancesTags.CAPACITY_PROVIDER,
      });
      this.cluster.addManagedInstancesCapacityProvider(capacityProvider);
      acknowledgeInstanceRole(capacityProvider);
      return capacityProvider;
    };
    this.gpuSpotCapacityProvider = provider('GpuSpot', ecs.CapacityOptionType.SPOT);
    this.gpuOnDemandCapacityProvider = provider('GpuOnDemand', ecs.CapacityOptionType.ON_DEMAND);
  }
}

function gpuInstanceRequirements(gpu: GpuInstanceConfig): ec2.InstanceRequirementsConfig {
  return {
    vCpuCountMin: gpu.vcpuMin,
    vCpuCountMax: gpu.vcpuMax,
    memoryMin: Size.mebibytes(gpu.memoryMinMiB),
    ...(gpu.memoryMaxMiB !== undefined ? { memoryMax: Size.mebibytes(gpu.memoryMaxMiB) } : {}),
    acceleratorCountMin: gpu.acceleratorCountMin,
    acceleratorCountMax: gpu.acceleratorCountMax,
    acceleratorTypes: [...gpu.acceleratorTypes],
    acceleratorManufacturers: [...gpu.acceleratorManufacturers],
    ...(gpu.acceleratorNames.length > 0 ? { acceleratorNames: [...gpu.acceleratorNames] } : {}),
    ...(gpu.acceleratorTotalMemoryMinMiB !== undefined
      ? { acceleratorTotalMemoryMin: Size.mebibytes(gpu.acceleratorTotalMemoryMinMiB) }
      : {}),
    cpuManufacturers: [...gpu.cpuManufacturers],
    ...(gpu.allowedInstanceTypes ? { allowedInstanceTypes: [...gpu.allowedInstanceTypes] } : {}),
  };
}

/** The instance role the provider creates carries the ECS agent's one unscoped action. */
function acknowledgeInstanceRole(provider: ecs.ManagedInstancesCapacityProvider): void {
  const instanceRole = provider.node.tryFindChild('InstanceRole');
  if (!instanceRole) return;
  acknowledge(
    instanceRole,
    'AwsSolutions-IAM5[Resource::*]',
    'ecs:DiscoverPollEndpoint supports no resource-level permission; the GPU instance role registers only with this cluster.',
  );
  acknowledge(
    instanceRole,
    `AwsSolutions-IAM5[Resource::${formattedArnReference(instanceRole, 'ecs', 'container-instance/*')}]`,
    'The ECS agent of a GPU instance acts on its own container instance, whose id ECS assigns at registration (policy made by ' +
      'ManagedInstancesCapacityProvider).',
  );
}
