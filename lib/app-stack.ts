import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api/api';
import type { DeploymentConfig } from './config';
import { DataTable } from './data-table';
import { acknowledgeGuardFindings } from './guard';
import { MediaBucket } from './media-bucket';
import { acknowledgeFindings } from './nag';
import { OperationalAlarms } from './operational-alarms';
import { Pipeline } from './pipeline/pipeline';

export interface AppStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** The whole deployment: table, bucket, pipeline (state machines + compute) and the API in front. */
export class AppStack extends Stack {
  readonly dataTable: DataTable;
  readonly mediaBucket: MediaBucket;
  readonly pipeline: Pipeline;
  readonly api: Api;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.dataTable = new DataTable(this, 'DataTable');
    this.mediaBucket = new MediaBucket(this, 'MediaBucket', {
      stagingExpirationDays: config.stagingExpirationDays,
      accessLogRetention: config.logRetention,
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      table: this.dataTable.table,
      bucket: this.mediaBucket.bucket,
      config,
    });
    this.api = new Api(this, 'Api', {
      table: this.dataTable.table,
      bucket: this.mediaBucket.bucket,
      addMediaStateMachine: this.pipeline.addMediaStateMachine,
      reindexStateMachine: this.pipeline.reindexStateMachine,
      config,
    });

    this.alarms = new OperationalAlarms(this, 'Alarms', { alarmEmail: config.alarmEmail });
    this.alarms.notifyEveryAlarm(this);

    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic of the operational alarms (failed or timed-out executions, stale-lock dead letters)',
      value: this.alarms.topic.topicArn,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; routes are under api/v1/ (set VL_BASE_URL to it)',
      value: this.api.restApi.url,
    });
    new CfnOutput(this, 'TableName', { value: this.dataTable.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.mediaBucket.bucket.bucketName });
    const secret = this.api.authorizer.jwtSecret;
    if (secret) {
      new CfnOutput(this, 'JwtSecretArn', {
        description: 'Secrets Manager secret holding the HS256 key that signs API tokens',
        value: secret.secretArn,
      });
    }
    acknowledgeFindings(this);
    acknowledgeGuardFindings(this, { logRetentionDays: config.logRetention });
  }
}
