import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface PipelineNetworkProps {
  /** NAT gateways; 0 keeps the worker subnets without any route to the internet. */
  readonly natGateways: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The private network the workers run in: two AZs, worker subnets with no inbound path, S3 and DynamoDB through free
 * gateway endpoints, and interface endpoints for everything a task or a GPU instance needs to start and log (ECR,
 * CloudWatch Logs, ECS agent/telemetry for Managed Instances) and for STS AssumeRole. With natGateways = 0 (the
 * default) nothing leaves AWS's network; a `modelUri` on https:// or sources in another region then need a NAT.
 * Interface endpoints exist even with NAT: image pulls through them cost less than through a NAT gateway.
 */
export class PipelineNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** Subnets the tasks and GPU instances are placed in. */
  readonly workerSubnets: ec2.ISubnet[];
  /** Attached to every task and GPU instance: no ingress, HTTPS out only. */
  readonly workerSecurityGroup: ec2.SecurityGroup;
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineNetworkProps) {
    super(scope, id);
    const isolated = props.natGateways === 0;
    const workerSubnetType = isolated ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'workers', subnetType: workerSubnetType, cidrMask: 20 },
        // Only the NAT gateways live here, with their Elastic IPs: nothing launched in them gets a public address.
        ...(isolated
          ? []
          : [{ name: 'nat', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false }]),
      ],
      restrictDefaultSecurityGroup: true,
    });
    this.workerSubnets = this.vpc.selectSubnets({ subnetType: workerSubnetType }).subnets;

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: this.vpc,
      description: 'Pipeline workers (ECS tasks and GPU instances): no inbound, HTTPS out',
      allowAllOutbound: false,
    });
    this.workerSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs, S3 and sources over HTTPS',
    );

    // Endpoints answer the workers only (a CIDR rule would also admit anything else placed in the VPC later).
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints of the pipeline VPC: HTTPS from the workers',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(this.workerSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the workers');

    const subnets = { subnets: this.workerSubnets };
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [subnets] });
    const interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
      Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
      EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
      EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
    };
    for (const [endpointId, service] of Object.entries(interfaceEndpoints)) {
      this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }
}
