import { readFileSync } from 'node:fs';
import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import {
  CfnResource,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  type PolicyViolationBeta1,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { AppStack } from './app-stack';

/** Guard's own suppression metadata (`Metadata.guard.SuppressedRules`), plus why, readable in the template. */
interface GuardMetadata {
  SuppressedRules: string[];
  Reasons: Record<string, string>;
}

/** Acknowledges one AWS Guard rule (Control Tower proactive controls) on the CloudFormation resource of `scope`. */
export function acknowledgeGuard(scope: IConstruct, rule: string, reason: string): void {
  const resource = (scope instanceof CfnResource ? scope : scope.node.defaultChild) as CfnResource | undefined;
  if (!resource) throw new Error(`${scope.node.path} has no CloudFormation resource to acknowledge ${rule} on`);
  const guard = (resource.getMetadata('guard') as GuardMetadata | undefined) ?? { SuppressedRules: [], Reasons: {} };
  if (!guard.SuppressedRules.includes(rule)) guard.SuppressedRules.push(rule);
  guard.Reasons[rule] = reason;
  resource.addMetadata('guard', guard);
}

/**
 * The Control Tower Guard rules (@cdklabs/cdk-validator-cfnguard, run offline) as a CDK policy-validation plugin that
 * honours acknowledgements: a violation on a resource that acknowledges the rule is dropped, and an acknowledgement
 * with no violation behind it is reported, so none outlives its reason.
 */
export class AcknowledgingGuardValidator implements IPolicyValidationPluginBeta1 {
  readonly name = 'cfn-guard (Control Tower rules, acknowledgements applied)';
  private readonly guard: CfnGuardValidator;

  /** `props`: which rules to run, as CfnGuardValidator takes them (default: every Control Tower rule). */
  constructor(props: CfnGuardValidatorProps = {}) {
    this.guard = new CfnGuardValidator(props);
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    const acknowledged = new Map<string, Set<string>>();
    for (const path of context.templatePaths) {
      const template = JSON.parse(readFileSync(path, 'utf8')) as {
        Resources?: Record<string, { Metadata?: { guard?: GuardMetadata } }>;
      };
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {}))
        acknowledged.set(`${path}#${logicalId}`, new Set(resource.Metadata?.guard?.SuppressedRules ?? []));
    }
    const used = new Set<string>();
    const violations: PolicyViolationBeta1[] = report.violations.flatMap((violation) => {
      const open = violation.violatingResources.filter((resource) => {
        const key = `${resource.templatePath}#${resource.resourceLogicalId}`;
        if (!acknowledged.get(key)?.has(violation.ruleName)) return true;
        used.add(`${key}#${violation.ruleName}`);
        return false;
      });
      return open.length ? [{ ...violation, violatingResources: open }] : [];
    });
    for (const [key, rules] of acknowledged) {
      for (const rule of rules) {
        if (used.has(`${key}#${rule}`)) continue;
        const [templatePath, resourceLogicalId] = key.split('#') as [string, string];
        violations.push({
          ruleName: rule,
          description: `Stale acknowledgement: ${rule} is acknowledged on ${resourceLogicalId} but not violated there; remove it`,
          violatingResources: [{ resourceLogicalId, templatePath, locations: [] }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

/** Every Guard finding the deployment accepts (AppStack calls it), each with the reason it is accepted. */
export function acknowledgeGuardFindings(stack: AppStack, options: { logRetentionDays: number }): void {
  const ofType = (construct: IConstruct, type: string): construct is CfnResource =>
    construct instanceof CfnResource && construct.cfnResourceType === type;
  for (const construct of stack.node.findAll()) {
    if (ofType(construct, 'AWS::Logs::LogGroup')) {
      if (options.logRetentionDays < 365)
        acknowledgeGuard(
          construct,
          'cloudwatch_log_group_retention_period_check',
          'Retention is the operator setting logRetentionDays (default 30 days, to bound cost); set 365 or more where a year is required.',
        );
      acknowledgeGuard(
        construct,
        'cloudwatch_log_group_encrypted_check',
        'CloudWatch Logs encrypts every log group at rest with AWS-owned keys; the logs carry ids and messages, no credentials or media.',
      );
    }
    if (
      ofType(construct, 'AWS::Lambda::Permission') &&
      stack.resolve((construct as CfnResource & { principal?: string }).principal) === 'apigateway.amazonaws.com'
    ) {
      acknowledgeGuard(
        construct,
        'lambda_function_public_access_prohibited_check',
        "API Gateway's invoke permission, limited by SourceArn to this stack's own REST API (the control wants a SourceAccount too).",
      );
    }
    if (ofType(construct, 'AWS::Lambda::Function')) {
      acknowledgeGuard(
        construct,
        'lambda_inside_vpc_check',
        'The functions only call regional AWS APIs (DynamoDB, S3, Step Functions, STS, Secrets Manager) with IAM; a VPC would add ' +
          'network interfaces and endpoints without protecting anything more. The workers, which read untrusted media, run in the VPC.',
      );
    }
  }
  const { pipeline, mediaBucket, alarms } = stack;
  for (const taskDefinition of [pipeline.tasks.cpuTaskDefinition, pipeline.tasks.gpuTaskDefinition]) {
    acknowledgeGuard(
      taskDefinition,
      'ecs_task_definition_nonroot_user_check',
      'The worker image runs as the unprivileged user 10001 (USER in workers/Dockerfile); the control only reads the task definition.',
    );
    acknowledgeGuard(
      taskDefinition,
      'ecs_containers_readonly_access_check',
      'Workers stage archives, manifests, index files and the model on the container disk (up to 200 GiB); a read-only root would ' +
        'need every one of those paths on a mounted volume.',
    );
    acknowledgeGuard(
      taskDefinition,
      'ecs_task_definition_memory_hard_limit_check',
      'Memory is set at task level and overridden per run (assign 60 GiB, cluster 120 GiB, embed from the plan); a container hard ' +
        'limit would pin every run to the task definition default.',
    );
  }
  acknowledgeGuard(
    alarms.node.findChild('Key'),
    'kms_create_grant_aws_service_check',
    "The key's default statement delegates to the account's IAM policies; no principal of this stack may create grants on it.",
  );
  const accessLogs = mediaBucket.accessLogsBucket;
  for (const bucket of [mediaBucket.bucket, accessLogs]) {
    acknowledgeGuard(
      bucket,
      's3_bucket_default_encryption_kms_check',
      'SSE-S3 encryption: server access logs can only be delivered to SSE-S3 buckets, and the media bucket needs no key policy of its own.',
    );
    acknowledgeGuard(
      bucket,
      's3_event_notifications_enabled_check',
      'Nothing reacts to object events: the pipeline is started by the API and driven by Step Functions.',
    );
    acknowledgeGuard(
      bucket,
      's3_bucket_object_lock_enabled_check',
      'The pipeline replaces and deletes its own objects (staging expiry, failed batches, superseded clusterings); WORM storage would block that.',
    );
  }
  acknowledgeGuard(
    accessLogs,
    's3_bucket_versioning_enabled_check',
    'The access-log bucket only receives log objects from S3 and expires them; versions would keep expired logs.',
  );
  acknowledgeGuard(
    accessLogs,
    's3_bucket_logging_enabled_check',
    'This is the server access log bucket itself; logging it to itself would loop.',
  );
  acknowledgeGuard(
    pipeline.recovery.deadLetterQueue,
    'sqs_dlq_check',
    'This queue is the dead-letter queue of the stale-lock recovery rules and functions; it has none of its own.',
  );
}
