import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** What an alarm topic is called and who may publish to it. */
export interface AlarmTopicOptions {
  /** Display name (the sender shown in e-mails and SMS). */
  readonly displayName: string;
  /** The customer-managed key the topic is encrypted with. */
  readonly key: kms.IKey;
  /** The conditions on CloudWatch's `sns:Publish` (which alarms may publish). */
  readonly publishConditions: { [operator: string]: any };
  /** Physical name. @default - generated */
  readonly topicName?: string;
}

/**
 * A KMS-encrypted, TLS-only SNS topic that CloudWatch alarms may publish to.
 * Its topic policy replaces SNS's default one, so CloudWatch is allowed
 * explicitly, under the given conditions.
 */
export function createAlarmTopic(scope: Construct, id: string, options: AlarmTopicOptions): sns.Topic {
  const topic = new sns.Topic(scope, id, {
    topicName: options.topicName,
    displayName: options.displayName,
    masterKey: options.key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: options.publishConditions,
  }));
  return topic;
}
