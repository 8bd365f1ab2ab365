import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowEventBridgeRules } from './private/event-topic';
import { REMEDIATIONS } from './private/remediation-documents';
import { acknowledgeWildcardResource } from '../private/compliance';
import { createManagedRole } from '../private/managed-role';
import { propError, validateIntegerRange } from '../private/validation';

/** AWS Config's limits on automatic remediation retries. */
const MAX_ATTEMPTS = 25;
const MAX_RETRY_SECONDS = 2678000;

/**
 * Properties of `ConfigRemediation`.
 */
export interface ConfigRemediationProps {
  /**
   * The AWS Config managed rules to act on. Those whose violations are safe
   * to fix automatically (`ConfigRemediation.REMEDIATED_RULES`) get an
   * automatic remediation; the others' violations are notified to `topic`.
   */
  readonly rules: config.ManagedRule[];

  /**
   * Topic notified when a rule without remediation finds a resource
   * NON_COMPLIANT. A topic of this app gets a statement admitting EventBridge
   * rules of this account (and its key, when a `kms.Key` of this app).
   *
   * @default - no notification
   */
  readonly topic?: sns.ITopic;

  /**
   * Attempts of an automatic remediation before AWS Config gives up on a
   * resource (1 to 25), within `retryAttemptSeconds`.
   *
   * @default 5
   */
  readonly maximumAutomaticAttempts?: number;

  /**
   * Window in seconds in which `maximumAutomaticAttempts` are made
   * (1 to 2678000).
   *
   * @default 60
   */
  readonly retryAttemptSeconds?: number;
}

/**
 * AWS Config's automatic remediation for the violations that are safe to fix
 * without a person, through AWS-owned SSM Automation runbooks under one
 * least-privilege role (the runbooks' own API calls only), and an
 * EventBridge notification for every other rule's NON_COMPLIANT results.
 *
 * Fixed automatically: a bucket without its public access block
 * (`AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock`), the
 * account-level S3 Block Public Access
 * (`AWSConfigRemediation-ConfigureS3PublicAccessBlock`), EBS encryption by
 * default (`AWSConfigRemediation-EnableEbsEncryptionByDefault`).
 * `AccountBaseline` creates one for its rules (`enableAutoRemediation`).
 */
export class ConfigRemediation extends Construct {
  /** The managed-rule identifiers remediated automatically, and their runbooks. */
  public static readonly REMEDIATED_RULES: { [identifier: string]: string } = Object.fromEntries(
    Object.entries(REMEDIATIONS).map(([identifier, r]) => [identifier, r.document]));

  /** The remediation configurations, by the construct ID of their rule. */
  public readonly remediations: { [ruleId: string]: config.CfnRemediationConfiguration };
  /** The role the runbooks run as (when at least one rule is remediated). */
  public readonly automationRole?: iam.IRole;
  /** The notification of the other rules' violations (when `topic` is given and such rules exist). */
  public readonly violationNotification?: events.Rule;

  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props the rules and where violations are notified
   */
  constructor(scope: Construct, id: string, props: ConfigRemediationProps) {
    super(scope, id);
    const attempts = props.maximumAutomaticAttempts ?? 5;
    validateIntegerRange(this, 'maximumAutomaticAttempts', attempts, 1, MAX_ATTEMPTS);
    const retrySeconds = props.retryAttemptSeconds ?? 60;
    validateIntegerRange(this, 'retryAttemptSeconds', retrySeconds, 1, MAX_RETRY_SECONDS);
    if (!props.rules || props.rules.length === 0) {
      throw propError(this, 'rules', props.rules ?? [], 'must name at least one AWS Config rule');
    }
    const account = Stack.of(this).account;

    const identified = props.rules.map((rule) => ({ rule, identifier: identifierOf(rule) }));
    const remediated = identified.filter(({ identifier }) => identifier !== undefined && REMEDIATIONS[identifier] !== undefined);
    const notified = identified.filter((r) => !remediated.includes(r));

    this.remediations = {};
    if (remediated.length > 0) {
      const statements = [...new Set(remediated.map(({ identifier }) => identifier!))]
        .flatMap((identifier) => REMEDIATIONS[identifier].statements(account, Aws.PARTITION));
      const { role, policy } = createManagedRole(this, 'AutomationRole', {
        assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' }) },
          },
        }),
        description: 'SSM Automation fixes AWS Config violations that are safe to fix automatically (S3 public access, EBS default encryption)',
        statements,
      });
      this.automationRole = role;
      const wildcards = new Set(statements.flatMap((statement) => statement.resources).filter((resource) => resource.endsWith('*')));
      for (const resource of wildcards) {
        acknowledgeWildcardResource(policy, resource,
          'The account-level S3 Block Public Access and EBS encryption by default are account settings without an ARN (IAM accepts only *), '
          + 'and a bucket\'s ARN carries no account: the bucket statement is limited to this account by s3:ResourceAccount.');
      }
      for (const { rule, identifier } of remediated) {
        const spec = REMEDIATIONS[identifier!];
        const parameters: { [name: string]: unknown } = {
          AutomationAssumeRole: { StaticValue: { Values: [role.roleArn] } },
          ...Object.fromEntries(Object.entries(spec.staticParameters(account)).map(([name, value]) => [name, { StaticValue: { Values: [value] } }])),
          ...(spec.resourceIdParameter ? { [spec.resourceIdParameter]: { ResourceValue: { Value: 'RESOURCE_ID' } } } : {}),
        };
        const remediation = new config.CfnRemediationConfiguration(this, rule.node.id, {
          configRuleName: rule.configRuleName,
          targetType: 'SSM_DOCUMENT',
          targetId: spec.document,
          resourceType: spec.resourceType,
          parameters,
          automatic: true,
          maximumAutomaticAttempts: attempts,
          retryAttemptSeconds: retrySeconds,
        });
        this.remediations[rule.node.id] = remediation;
      }
    }

    if (props.topic && notified.length > 0) {
      allowEventBridgeRules(props.topic);
      const field = (path: string): string => events.EventField.fromPath(path);
      this.violationNotification = new events.Rule(this, 'ViolationNotification', {
        description: 'NON_COMPLIANT results of the AWS Config rules without automatic remediation',
        eventPattern: {
          source: ['aws.config'],
          detailType: ['Config Rules Compliance Change'],
          detail: {
            messageType: ['ComplianceChangeNotification'],
            configRuleName: notified.map(({ rule }) => rule.configRuleName),
            newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
          },
        },
      });
      this.violationNotification.addTarget({
        bind: () => ({
          arn: props.topic!.topicArn,
          input: events.RuleTargetInput.fromText(
            `[COMPLIANCE] AWS Config rule ${field('$.detail.configRuleName')}: ${field('$.detail.resourceType')} ${field('$.detail.resourceId')} `
            + `is NON_COMPLIANT in account ${field('$.detail.awsAccountId')}, ${field('$.detail.awsRegion')}, at ${field('$.time')}`,
          ),
        }),
      });
    }
  }
}

/** The managed rule's identifier (its CloudFormation `Source.SourceIdentifier`). */
function identifierOf(rule: config.ManagedRule): string | undefined {
  const cfn = rule.node.defaultChild;
  if (!(cfn instanceof config.CfnConfigRule)) return undefined;
  const value = (cfn.source as config.CfnConfigRule.SourceProperty).sourceIdentifier;
  return typeof value === 'string' && !Token.isUnresolved(value) ? value : undefined;
}
