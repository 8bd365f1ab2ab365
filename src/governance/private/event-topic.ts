import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/** Topics and keys that already admit EventBridge rules of their account (one statement each, however many rule sets use them). */
const ADMITTED = new WeakSet<IConstruct>();

/** Only rules of this account and region may publish (confused-deputy protection). */
export function eventRuleSourceConditions(scope: IConstruct): { [operator: string]: unknown } {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }) },
  };
}

/**
 * Let EventBridge rules of this account and region publish to `topic`: a
 * topic policy statement and, when the topic is encrypted with a key of this
 * app, the key policy statement SNS needs to encrypt the message. An
 * imported topic or key is left alone (its policies are its owner's); the
 * return value says whether the topic could be changed.
 */
export function allowEventBridgeRules(topic: sns.ITopic): boolean {
  const conditions = eventRuleSourceConditions(topic);
  if (!ADMITTED.has(topic)) {
    ADMITTED.add(topic);
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }));
  }
  const key = topic instanceof sns.Topic ? topic.masterKey : undefined;
  if (key instanceof kms.Key && !ADMITTED.has(key)) {
    ADMITTED.add(key);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesToPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }));
  }
  return topic instanceof sns.Topic;
}
