import { CfnCondition, CfnResource, Fn, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { allowEventBridgeRules } from './private/event-topic';
import { securityEventRules } from './private/security-event-patterns';
import { createManagedRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, validatePattern, validateUnique } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';

/** The region where IAM and Organizations (global services) record their API calls. */
const GLOBAL_SERVICE_EVENTS_REGION = 'us-east-1';
/** GuardDuty severities: 1.0 (low) to 10.0 (critical); high starts at 7.0. */
const MIN_SEVERITY = 1;
const MAX_SEVERITY = 10;
const DEFAULT_SEVERITY = 7;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]+$/;

/**
 * Options of the security alerts, also embedded in `AccountBaselineProps`.
 */
export interface SecurityAlertsOptions {
  /**
   * The topic the alerts go to: the critical alarm topic (for example
   * `PlatformAlarms.criticalTopic`). A topic of this app gets a topic policy
   * statement admitting EventBridge rules of this account and region, and
   * its KMS key (when it is a `kms.Key` of this app) the matching key
   * statement; for an imported topic, add both yourself or the alerts are
   * dropped.
   *
   * @default - a new topic encrypted with a new customer-managed key
   */
  readonly topic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the new topic (each confirms its
   * subscription). Only with the new topic: a topic you bring has its own
   * subscriptions.
   *
   * @default - none
   */
  readonly emails?: string[];

  /**
   * Lowest GuardDuty finding severity alerted on, from 1 to 10 (GuardDuty's
   * high severities start at 7, critical ones at 9).
   *
   * @default 7
   */
  readonly guardDutyMinimumSeverity?: number;

  /**
   * Alert on the calls of the global services IAM (policy changes) and
   * Organizations (SCP changes). Both record their calls in us-east-1 only,
   * so the two rules exist only in a us-east-1 stack (with a region-agnostic
   * stack, under a CloudFormation condition on `AWS::Region`). `true` in a
   * stack of another region is an error.
   *
   * @default - true in us-east-1 (or a region-agnostic stack), false elsewhere
   */
  readonly globalServiceEvents?: boolean;

  /**
   * Also forward every matched event, unchanged, to this event bus (Phase 2:
   * the management account's default bus, whose own `SecurityAlerts` with
   * `acceptOrganizationId` routes them to its topic). A role of this
   * construct may put events on that bus only.
   *
   * @default - no forwarding
   */
  readonly forwardToEventBusArn?: string;

  /**
   * Let every account of this organization put events on this account's
   * default event bus (Phase 2, in the management account): the event bus
   * policy admits principals whose `aws:PrincipalOrgID` is this ID. The
   * forwarded events then match this construct's rules and reach its topic.
   *
   * @default - the bus accepts no other account
   */
  readonly acceptOrganizationId?: string;
}

/**
 * Properties of `SecurityAlerts`.
 */
export interface SecurityAlertsProps extends SecurityAlertsOptions, StagedProps {}

/**
 * Real-time security alerts through EventBridge to an encrypted SNS topic,
 * each with a readable message: GuardDuty findings of high severity,
 * new and active Security Hub findings of CRITICAL or HIGH severity, root
 * user console sign-ins, changes to CloudTrail trails, and (in us-east-1)
 * changes to IAM policies and Organizations policies (SCPs).
 *
 * The CloudTrail-based alerts need a trail recording management events in
 * the account (`AccountBaseline`'s trail or an organization trail).
 * `AccountBaseline` creates one by default.
 */
export class SecurityAlerts extends Construct {
  /** The profile this block was built from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** The topic the alerts go to. */
  public readonly topic: sns.ITopic;
  /** The key of the topic created here (undefined when a topic was given). */
  public readonly encryptionKey?: kms.Key;
  /** The EventBridge rules, by construct ID (`GuardDutyFindings`, `SecurityHubFindings`, `RootSignIn`, `TrailChanges`, `IamPolicyChanges`, `OrganizationsPolicyChanges`). */
  public readonly rules: { [id: string]: events.Rule };
  private organizationPolicy?: events.CfnEventBusPolicy;
  private acceptedOrganizationId?: string;

  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props topic, forwarding and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: SecurityAlertsProps = {}) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const stack = Stack.of(this);

    const severity = props.guardDutyMinimumSeverity ?? DEFAULT_SEVERITY;
    if (!Token.isUnresolved(severity) && (typeof severity !== 'number' || !Number.isFinite(severity) || severity < MIN_SEVERITY || severity > MAX_SEVERITY)) {
      throw propError(this, 'guardDutyMinimumSeverity', severity, `must be a GuardDuty severity from ${MIN_SEVERITY} to ${MAX_SEVERITY}`);
    }
    const emails = props.emails ?? [];
    if (props.topic && emails.length > 0) {
      throw propError(this, 'emails', emails, 'subscribe to the topic created here; a topic you bring (topic) keeps its own subscriptions: subscribe them to it');
    }
    emails.forEach((email, i) => {
      if (!Token.isUnresolved(email) && (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email))) {
        throw propError(this, `emails[${i}]`, email, 'must be an e-mail address such as security@example.com');
      }
    });
    validateUnique(this, 'emails', emails);
    if (props.forwardToEventBusArn !== undefined) {
      validatePattern(this, 'forwardToEventBusArn', props.forwardToEventBusArn, EVENT_BUS_ARN, 'must be an event bus ARN: arn:aws:events:<region>:<account>:event-bus/<name>');
      const [, , , , account] = props.forwardToEventBusArn.split(':');
      if (!Token.isUnresolved(props.forwardToEventBusArn) && !Token.isUnresolved(stack.account) && account === stack.account) {
        throw propError(this, 'forwardToEventBusArn', props.forwardToEventBusArn,
          'must be a bus of another account (the management account): this account\'s own rules already alert on its events');
      }
    }

    const region = stack.region;
    const regionKnown = !Token.isUnresolved(region);
    if (props.globalServiceEvents === true && regionKnown && region !== GLOBAL_SERVICE_EVENTS_REGION) {
      throw propError(this, 'globalServiceEvents', true,
        `needs a stack in ${GLOBAL_SERVICE_EVENTS_REGION} (this one is in ${region}): IAM and Organizations record their API calls in ${GLOBAL_SERVICE_EVENTS_REGION} only, `
        + `so the rules would never fire here; set it in the account's ${GLOBAL_SERVICE_EVENTS_REGION} stack`);
    }
    const globalEvents = props.globalServiceEvents ?? (!regionKnown || region === GLOBAL_SERVICE_EVENTS_REGION);
    const inGlobalRegion = globalEvents && !regionKnown
      ? new CfnCondition(this, 'InGlobalServiceEventsRegion', { expression: Fn.conditionEquals(stack.region, GLOBAL_SERVICE_EVENTS_REGION) })
      : undefined;

    if (props.topic) {
      this.topic = props.topic;
    } else {
      this.encryptionKey = new kms.Key(this, 'Key', {
        description: `Encrypts the security alert topic of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy: removalPolicyFor(this.profile.dataProtection.retainOnDelete),
      });
      const topic = new sns.Topic(this, 'Topic', {
        displayName: 'Security alerts',
        masterKey: this.encryptionKey,
        enforceSSL: true,
      });
      emails.forEach((email) => topic.addSubscription(new subscriptions.EmailSubscription(email)));
      this.topic = topic;
    }
    allowEventBridgeRules(this.topic);

    const forward = props.forwardToEventBusArn !== undefined
      ? this.forwardTarget(props.forwardToEventBusArn)
      : undefined;

    this.rules = {};
    for (const spec of securityEventRules(severity)) {
      if (spec.global && !globalEvents) continue;
      const rule = new events.Rule(this, spec.id, { description: spec.description, eventPattern: spec.pattern });
      rule.addTarget(new TopicWithMessage(this.topic, spec.message));
      if (forward) rule.addTarget(forward);
      if (spec.global && inGlobalRegion) {
        (rule.node.defaultChild as CfnResource).cfnOptions.condition = inGlobalRegion;
      }
      this.rules[spec.id] = rule;
    }

    if (props.acceptOrganizationId !== undefined) {
      this.acceptEventsFromOrganization(props.acceptOrganizationId);
    }
  }

  /** The policy of the default event bus, once the organization's events are accepted. */
  public get eventBusPolicy(): events.CfnEventBusPolicy | undefined {
    return this.organizationPolicy;
  }

  /**
   * Let every account of the organization put events on this account's
   * default event bus (Phase 2, in the management account): the forwarded
   * security events of the member accounts then match these rules and reach
   * this topic. Calling it again with the same ID does nothing.
   *
   * @param organizationId the organization's ID, `o-` and 10 to 32 lowercase letters or digits
   */
  public acceptEventsFromOrganization(organizationId: string): void {
    validatePattern(this, 'acceptOrganizationId', organizationId, ORGANIZATION_ID, 'must be an organization ID: o- and 10 to 32 lowercase letters or digits');
    if (this.acceptedOrganizationId !== undefined) {
      if (this.acceptedOrganizationId === organizationId) return;
      throw propError(this, 'acceptOrganizationId', organizationId, `must be the organization already accepted (${this.acceptedOrganizationId}): an account belongs to one organization`);
    }
    this.acceptedOrganizationId = organizationId;
    this.organizationPolicy = new events.CfnEventBusPolicy(this, 'OrganizationEventBusPolicy', {
      statementId: 'AllowSecurityEventsFromTheOrganization',
      statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    });
  }

  /** The bus target of the forwarding, with a role that may put events on that bus only. */
  private forwardTarget(busArn: string): events.IRuleTarget {
    const { role } = createManagedRole(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge forwards security events to the management account\'s event bus',
      statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [busArn] })],
    });
    return new targets.EventBus(events.EventBus.fromEventBusArn(this, 'ManagementBus', busArn), { role });
  }
}

/**
 * An SNS target sending a readable message. Publishing is admitted by the
 * topic policy `allowEventBridgeRules` writes (scoped to this account's
 * rules), not by `targets.SnsTopic`'s unconditioned grant.
 */
class TopicWithMessage implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic, private readonly message: events.RuleTargetInput) {}

  public bind(): events.RuleTargetConfig {
    return { arn: this.topic.topicArn, input: this.message };
  }
}
