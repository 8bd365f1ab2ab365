import { Annotations, ArnFormat, Aws, CfnResource, CfnRule, Duration, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { validateCountryCodes } from './private/countries';
import { explainCheckovException } from '../private/compliance';
import { allowCloudWatchLogs } from '../private/keys';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { AUDIT_RETENTION_DAYS, propError, validateArn, validateIntegerRange, validateLogRetentionDays } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';

/** AWS WAF delivers logs only to CloudWatch log groups whose name starts with this. */
const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';
/** Longest log group name CloudWatch Logs accepts for AWS WAF logs. */
const MAX_LOG_GROUP_NAME_LENGTH = 512;
/** Longest web ACL name AWS WAF accepts. */
const MAX_WEB_ACL_NAME_LENGTH = 128;
/** A derived web ACL name keeps the derived log group name within 100 characters, readable in the console. */
const DERIVED_WEB_ACL_NAME_LENGTH = 100 - WAF_LOG_GROUP_PREFIX.length;
/** Smallest and largest `Limit` of an AWS WAF rate-based rule. */
const MIN_RATE_LIMIT = 10;
const MAX_RATE_LIMIT = 2_000_000_000;
/** The rate-based rule counts requests over 5 minutes, matching `rateLimitPer5Minutes`. */
const RATE_WINDOW_SECONDS = 300;
/** Longest header name AWS WAF accepts in a forwarded-IP configuration. */
const MAX_HEADER_NAME_LENGTH = 255;
/** The only Region where AWS WAF accepts a CLOUDFRONT-scoped web ACL. */
const CLOUDFRONT_REGION = 'us-east-1';
/** Request headers that carry credentials: replaced by `REDACTED` in the request logs. */
const REDACTED_HEADERS = ['authorization', 'cookie'];

const WEB_ACL_NAME = /^[A-Za-z0-9_-]+$/;
const LOG_GROUP_NAME = /^[A-Za-z0-9_\-/.#]+$/;
/** An HTTP header field name: one or more RFC 7230 `tchar`s. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The construct ID of an association. */
const ASSOCIATION_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** The regional resources AWS WAF protects, by ARN service and resource prefix. */
const ASSOCIABLE = [
  { service: 'elasticloadbalancing', resourcePrefix: 'loadbalancer/app/', what: 'an Application Load Balancer', example: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188' },
  { service: 'apigateway', resourcePrefix: '/restapis/', what: 'an API Gateway REST API stage', example: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages/prod' },
  { service: 'appsync', resourcePrefix: 'apis/', what: 'an AppSync API', example: 'arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz' },
  { service: 'cognito-idp', resourcePrefix: 'userpool/', what: 'a Cognito user pool', example: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc123' },
  { service: 'apprunner', resourcePrefix: 'service/', what: 'an App Runner service', example: 'arn:aws:apprunner:eu-west-1:123456789012:service/api/0123456789abcdef' },
  { service: 'ec2', resourcePrefix: 'verified-access-instance/', what: 'a Verified Access instance', example: 'arn:aws:ec2:eu-west-1:123456789012:verified-access-instance/vai-0123456789abcdef0' },
  { service: 'amplify', resourcePrefix: 'apps/', what: 'an Amplify app', example: 'arn:aws:amplify:eu-west-1:123456789012:apps/d1a2b3c4' },
];
/**
 * Where a web ACL can be used.
 */
export enum WebAclScope {
  /**
   * In front of CloudFront distributions. AWS WAF accepts such a web ACL only
   * in us-east-1; the distribution refers to it by ARN (`webAclId`).
   */
  CLOUDFRONT = 'CLOUDFRONT',

  /**
   * In front of regional resources (Application Load Balancers, API Gateway
   * REST APIs, AppSync, Cognito user pools) of the stack's Region, attached
   * with `PlatformWebAcl.associate()`.
   */
  REGIONAL = 'REGIONAL',
}

/**
 * What the web ACL's rules do with the requests they match.
 */
export enum WebAclMode {
  /** Every rule blocks the requests it matches. */
  BLOCK = 'BLOCK',

  /**
   * Every rule only counts the requests it matches and lets them through:
   * a roll-out mode to see in the metrics and logs what `BLOCK` would stop
   * before it stops anything.
   */
  COUNT = 'COUNT',
}

/**
 * Properties of a `PlatformWebAcl`.
 */
export interface PlatformWebAclProps extends StagedProps {
  /**
   * Where the web ACL is used: `CLOUDFRONT` (the stack must be in us-east-1)
   * or `REGIONAL` (load balancers and APIs of the stack's Region).
   */
  readonly aclScope: WebAclScope;

  /**
   * Name of the web ACL, 1 to 128 letters, digits, `_` and `-`. It is also the
   * metric name of the web ACL and part of the default log group name.
   *
   * @default - derived from the construct path, unique in the account
   */
  readonly webAclName?: string;

  /**
   * What the rules do with the requests they match. Use `COUNT` to roll the
   * web ACL out in front of live traffic, then switch to `BLOCK`.
   *
   * @default WebAclMode.BLOCK
   */
  readonly mode?: WebAclMode;

  /**
   * Requests one client may send in any 5-minute window before the rate
   * rule blocks it, an integer from 10 to 2,000,000,000.
   *
   * @default - the profile's `edge.rateLimitPer5Minutes`
   */
  readonly rateLimitPer5Minutes?: number;

  /**
   * Header carrying the client's IP address, e.g. `X-Forwarded-For` for a
   * regional web ACL behind CloudFront (where every request comes from a
   * CloudFront address): the rate limit and the country block read the
   * client's address from it. Requests without a valid address in the
   * header are neither rate-limited nor geo-blocked here (CloudFront's own
   * web ACL has already judged them by their real source address). A client
   * can put any address first in that header, so the authoritative per-IP
   * limit is the CloudFront web ACL's.
   *
   * @default - the request's source IP address
   */
  readonly forwardedIpHeader?: string;

  /**
   * ISO 3166-1 alpha-2 codes (upper case, e.g. `GB`, not `UK`) of the
   * countries whose requests are blocked. An empty list adds no geo rule.
   *
   * @default - the profile's `edge.blockedCountries`
   */
  readonly blockedCountries?: string[];

  /**
   * Add the AWS managed anonymous IP list: requests from VPNs, proxies, Tor
   * nodes and hosting providers. The list inspects the source address: on a
   * regional web ACL behind CloudFront that is CloudFront's, which its
   * hosting-provider rule may match; turn it on at the CloudFront web ACL,
   * or try it in COUNT mode first.
   *
   * @default false
   */
  readonly anonymousIpList?: boolean;

  /**
   * Add AWS WAF Bot Control at the common inspection level (self-identified
   * bots, scrapers, crawlers). Bot Control is billed on top of the web ACL:
   * a monthly subscription fee and a charge per million inspected requests.
   *
   * @default false
   */
  readonly botControl?: boolean;

  /**
   * Only count, instead of block, the common rule set's
   * `SizeRestrictions_BODY` rule, which matches request bodies over 8 KB.
   * Turn it on for APIs that accept larger JSON or file uploads.
   *
   * @default false
   */
  readonly countOversizedBodies?: boolean;

  /**
   * Days the request logs are kept. Must be a value CloudWatch Logs accepts.
   *
   * @default - the profile's `edge.wafLogRetentionDays`
   */
  readonly logRetentionDays?: number;

  /**
   * Name of the log group receiving the request logs. AWS WAF requires the
   * `aws-waf-logs-` prefix; at most 512 letters, digits and `_-/.#`.
   *
   * @default - `aws-waf-logs-` followed by the web ACL name
   */
  readonly logGroupName?: string;

  /**
   * KMS key that encrypts the request logs. It must allow the CloudWatch
   * Logs service principal of this Region to use it.
   *
   * @default - a new customer-managed key with rotation enabled, retained when the profile's `dataProtection.retainOnDelete` is on
   */
  readonly encryptionKey?: kms.IKey;
}

/** Everything the constructor resolved and validated, read by the rule builder. */
interface RuleSpec {
  readonly mode: WebAclMode;
  readonly blockedCountries: string[];
  readonly rateLimit: number;
  readonly forwardedIpHeader?: string;
  readonly anonymousIpList: boolean;
  readonly botControl: boolean;
  readonly countOversizedBodies: boolean;
}

/**
 * An AWS WAF web ACL with the platform's rules, logging every request to a
 * KMS-encrypted CloudWatch log group (credentials redacted).
 *
 * Requests are allowed unless a rule matches. The rules, in order:
 * blocked countries, a per-client rate limit, the AWS managed IP reputation
 * list, (optionally) the anonymous IP list, the common rule set, known bad
 * inputs, SQL injection and (optionally) Bot Control. Each rule keeps its
 * priority whether or not the optional rules are on, so switching one on
 * never reorders the others.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
 * import { PlatformStage, PlatformWebAcl, WebAclMode, WebAclScope } from '@innovate-inc/platform-constructs';
 *
 * declare const edgeStack: Stack;     // in us-east-1
 * declare const stack: Stack;
 * declare const loadBalancer: elbv2.IApplicationLoadBalancer;
 *
 * // In a us-east-1 stack, for a CloudFront distribution:
 * const acl = new PlatformWebAcl(edgeStack, 'WebAcl', {
 *   stage: PlatformStage.PRODUCTION,
 *   aclScope: WebAclScope.CLOUDFRONT,
 * });
 * // distribution: webAclId: acl.webAclArn
 *
 * // In front of a regional load balancer, counting only while rolling out:
 * const apiAcl = new PlatformWebAcl(stack, 'ApiWebAcl', {
 *   aclScope: WebAclScope.REGIONAL,
 *   mode: WebAclMode.COUNT,
 *   countOversizedBodies: true,
 * });
 * apiAcl.associate('Alb', loadBalancer.loadBalancerArn);
 */
export class PlatformWebAcl extends Construct {
  /** The stage preset this web ACL was built from. */
  public readonly profile: StageProfile;
  /** Where the web ACL can be used. */
  public readonly aclScope: WebAclScope;
  /** The header the rate limit and country block read the client's address from, if any. */
  public readonly forwardedIpHeader?: string;
  /** What the rules do with the requests they match. */
  public readonly mode: WebAclMode;
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** ARN of the web ACL: a CloudFront distribution's `webAclId`. */
  public readonly webAclArn: string;
  /** Name of the web ACL, also its CloudWatch metric name. */
  public readonly webAclName: string;
  /** Log group receiving the request logs. */
  public readonly logGroup: logs.LogGroup;
  /** KMS key encrypting the request logs. */
  public readonly encryptionKey: kms.IKey;
  /** Priority of each rule of the web ACL, by rule name (also its metric name). */
  public readonly rulePriorities: { [name: string]: number };

  private readonly associated = new Map<string, string>();

  /**
   * @param scope the parent construct; for `CLOUDFRONT`, a stack in us-east-1
   * @param id the construct ID; it prefixes every logical ID and the default name, so keep it stable
   * @param props the scope and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: PlatformWebAclProps) {
    super(scope, id);

    this.profile = resolveProfile(this, props);
    const preset = this.profile.edge;
    const retain = this.profile.dataProtection.retainOnDelete;

    this.aclScope = props.aclScope;
    this.validateScope();
    this.mode = props.mode ?? WebAclMode.BLOCK;
    this.forwardedIpHeader = props.forwardedIpHeader;
    if (!Object.values(WebAclMode).includes(this.mode)) {
      throw propError(this, 'mode', this.mode, `must be one of ${Object.values(WebAclMode).join(', ')}`);
    }
    this.webAclName = props.webAclName ?? Names.uniqueResourceName(this, { maxLength: DERIVED_WEB_ACL_NAME_LENGTH, separator: '-' });
    this.validateName('webAclName', this.webAclName, MAX_WEB_ACL_NAME_LENGTH, WEB_ACL_NAME, 'letters, digits, _ and -');
    const spec: RuleSpec = {
      mode: this.mode,
      blockedCountries: validateCountryCodes(this, 'blockedCountries', props.blockedCountries ?? preset.blockedCountries),
      rateLimit: props.rateLimitPer5Minutes ?? preset.rateLimitPer5Minutes,
      forwardedIpHeader: props.forwardedIpHeader,
      anonymousIpList: props.anonymousIpList ?? false,
      botControl: props.botControl ?? false,
      countOversizedBodies: props.countOversizedBodies ?? false,
    };
    validateIntegerRange(this, 'rateLimitPer5Minutes', spec.rateLimit, MIN_RATE_LIMIT, MAX_RATE_LIMIT);
    if (spec.forwardedIpHeader !== undefined) {
      this.validateName('forwardedIpHeader', spec.forwardedIpHeader, MAX_HEADER_NAME_LENGTH, HEADER_NAME, 'an HTTP header name (RFC 7230 token characters)');
    }
    const retentionDays = props.logRetentionDays ?? preset.wafLogRetentionDays;
    validateLogRetentionDays(this, 'logRetentionDays', retentionDays);
    const logGroupName = props.logGroupName ?? `${WAF_LOG_GROUP_PREFIX}${this.webAclName}`;
    this.validateLogGroupName(logGroupName);

    const rules = webAclRules(spec);
    this.rulePriorities = Object.fromEntries(rules.map((rule) => [rule.name, rule.priority]));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      scope: this.aclScope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.webAclName),
      rules,
    });
    this.webAclArn = this.webAcl.attrArn;

    // Request logs: every request, credentials redacted, KMS-encrypted,
    // retention by stage.
    this.encryptionKey = props.encryptionKey ?? this.createLogKey(retain, logGroupName);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: this.encryptionKey,
      retention: retentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(retain),
    });
    if (retentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(
        this.logGroup.node.defaultChild as CfnResource,
        'CKV_AWS_338',
        `AWS WAF request logs are kept ${retentionDays} days by choice (stage ${this.profile.stage}); production keeps them ${AUDIT_RETENTION_DAYS} days.`,
      );
    }
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAclArn,
      // AWS WAF wants the log group's ARN without the ':*' suffix that the
      // log group's own Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    });
    // The ARN above is built from the name, not referenced: wait for the group.
    logging.node.addDependency(this.logGroup);
  }

  /**
   * Put a regional resource (an Application Load Balancer, an API Gateway
   * stage, an AppSync API, a Cognito user pool) behind this web ACL.
   * `REGIONAL` web ACLs only: a CloudFront distribution refers to a
   * `CLOUDFRONT` web ACL by its `webAclArn` instead.
   *
   * @param id the construct ID of the association
   * @param resourceArn ARN of the resource, in the stack's Region
   */
  public associate(id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    if (this.aclScope !== WebAclScope.REGIONAL) {
      throw propError(
        this,
        `associate(${id}).resourceArn`,
        resourceArn,
        `only a REGIONAL web ACL can be associated; this one is ${this.aclScope}: set it as the CloudFront distribution's webAclId (webAclArn) instead`,
      );
    }
    if (typeof id !== 'string' || !ASSOCIATION_ID.test(id)) {
      throw propError(this, 'associate.id', id, 'must be 1 to 255 letters, digits, hyphens and underscores (a construct ID)');
    }
    if (this.node.tryFindChild(id)) {
      throw propError(this, 'associate.id', id, 'is already used by another association or part of this web ACL: give each association its own id');
    }
    this.validateAssociatedArn(id, resourceArn);
    const association = new wafv2.CfnWebACLAssociation(this, id, { resourceArn, webAclArn: this.webAclArn });
    if (!Token.isUnresolved(resourceArn)) this.associated.set(resourceArn, id);
    return association;
  }

  /**
   * Requests the web ACL blocked (all rules together), summed per minute.
   * In `COUNT` mode nothing is blocked; see the per-rule `CountedRequests`.
   *
   * A `CLOUDFRONT` web ACL reports in us-east-1, without a Region dimension.
   *
   * @param props overrides of the metric's options
   */
  public metricBlockedRequests(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const dimensionsMap: { [name: string]: string } = { WebACL: this.webAclName, Rule: 'ALL' };
    if (this.aclScope === WebAclScope.REGIONAL) {
      dimensionsMap.Region = Stack.of(this).region;
    }
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** A concrete ARN must be one of the resource types a web ACL protects, in this stack's region, and not associated twice. */
  private validateAssociatedArn(id: string, resourceArn: string): void {
    const prop = `associate(${id}).resourceArn`;
    validateNotEmptyArn(this, prop, resourceArn);
    if (Token.isUnresolved(resourceArn)) return;
    const service = resourceArn.split(':')[2];
    const kind = ASSOCIABLE.find((k) => k.service === service && resourceArn.split(':').slice(5).join(':').startsWith(k.resourcePrefix));
    if (!kind) {
      throw propError(this, prop, resourceArn, `must be the ARN of ${ASSOCIABLE.map((k) => k.what).join(', ')}`);
    }
    validateArn(this, prop, resourceArn, {
      service: kind.service, resourcePrefix: kind.resourcePrefix, region: Stack.of(this).region, example: kind.example,
    });
    const previous = this.associated.get(resourceArn);
    if (previous !== undefined) {
      throw propError(this, prop, resourceArn, `is already associated as ${previous}: a resource takes one web ACL`);
    }
  }

  /** Refuse an unknown scope, and a CloudFront web ACL outside us-east-1. */
  private validateScope(): void {
    if (!Object.values(WebAclScope).includes(this.aclScope)) {
      throw propError(this, 'aclScope', this.aclScope, `must be one of ${Object.values(WebAclScope).join(', ')}`);
    }
    if (this.aclScope !== WebAclScope.CLOUDFRONT) return;
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      Annotations.of(this).addWarningV2(
        '@innovate-inc/platform-constructs:PlatformWebAcl.regionUnknown',
        `A CLOUDFRONT web ACL deploys only in ${CLOUDFRONT_REGION}, and this stack has no explicit region. Deploy it to ${CLOUDFRONT_REGION} or set the stack's env.`,
      );
      // Deployed elsewhere, the change set fails up front with this message
      // instead of WAF failing half-way through the stack.
      new CfnRule(this, 'OnlyInUsEast1', {
        assertions: [{
          assert: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_REGION),
          assertDescription: `${this.node.path} is a CLOUDFRONT web ACL: AWS WAF creates those in ${CLOUDFRONT_REGION} only. Deploy this stack to ${CLOUDFRONT_REGION}.`,
        }],
      });
      return;
    }
    if (region !== CLOUDFRONT_REGION) {
      throw propError(
        this,
        'aclScope',
        this.aclScope,
        `a CloudFront web ACL must be created in ${CLOUDFRONT_REGION}; this stack is in ${region}: put the web ACL in a ${CLOUDFRONT_REGION} stack and pass its webAclArn to the distribution`,
      );
    }
  }

  /** Throw unless a concrete `value` is 1 to `maxLength` characters matching `pattern`. */
  private validateName(prop: string, value: string, maxLength: number, pattern: RegExp, allowed: string): void {
    if (Token.isUnresolved(value)) return;
    if (value.length > maxLength || !pattern.test(value)) {
      throw propError(this, prop, value, `must be 1 to ${maxLength} characters: ${allowed}`);
    }
  }

  private validateLogGroupName(name: string): void {
    if (Token.isUnresolved(name)) return;
    if (!name.startsWith(WAF_LOG_GROUP_PREFIX)) {
      throw propError(this, 'logGroupName', name, `must start with '${WAF_LOG_GROUP_PREFIX}': AWS WAF delivers logs only to such log groups`);
    }
    this.validateName('logGroupName', name, MAX_LOG_GROUP_NAME_LENGTH, LOG_GROUP_NAME, 'letters, digits and _-/.#');
  }

  private createLogKey(retain: boolean, logGroupName: string): kms.Key {
    const key = new kms.Key(this, 'LogKey', {
      description: `Encrypts the AWS WAF request logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    // The key serves this log group only.
    allowCloudWatchLogs(key, logGroupName);
    return key;
  }
}

/**
 * Read the client's address from `header`; a request without a valid address
 * there does not match (it is not counted against anyone's limit, nor
 * blocked outright).
 */
function forwardedIp(header: string): wafv2.CfnWebACL.ForwardedIPConfigurationProperty {
  return { headerName: header, fallbackBehavior: 'NO_MATCH' };
}

/** Metrics and sampled requests for the web ACL or one rule, under `name`. */
function visibility(name: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name };
}

/**
 * The web ACL's rules, by priority. Priorities are fixed per rule, with gaps,
 * so a rule switched on or off never moves another: their metrics and any
 * alarm or dashboard built on them stay valid.
 */
function webAclRules(spec: RuleSpec): wafv2.CfnWebACL.RuleProperty[] {
  const action: wafv2.CfnWebACL.RuleActionProperty = spec.mode === WebAclMode.BLOCK ? { block: {} } : { count: {} };
  const rules: wafv2.CfnWebACL.RuleProperty[] = [];

  if (spec.blockedCountries.length > 0) {
    rules.push(customRule('BlockedCountries', 0, action, {
      geoMatchStatement: {
        countryCodes: spec.blockedCountries,
        ...(spec.forwardedIpHeader === undefined ? {} : { forwardedIpConfig: forwardedIp(spec.forwardedIpHeader) }),
      },
    }));
  }
  rules.push(customRule('RateLimitPerClientIp', 10, action, {
    rateBasedStatement: {
      limit: spec.rateLimit,
      evaluationWindowSec: RATE_WINDOW_SECONDS,
      ...(spec.forwardedIpHeader === undefined
        ? { aggregateKeyType: 'IP' }
        : {
          aggregateKeyType: 'FORWARDED_IP',
          forwardedIpConfig: forwardedIp(spec.forwardedIpHeader),
        }),
    },
  }));

  const managed = (name: string, priority: number, extra: Partial<wafv2.CfnWebACL.ManagedRuleGroupStatementProperty> = {}) =>
    rules.push(managedRule(name, priority, spec.mode, extra));
  managed('AWSManagedRulesAmazonIpReputationList', 20);
  if (spec.anonymousIpList) managed('AWSManagedRulesAnonymousIpList', 30);
  managed('AWSManagedRulesCommonRuleSet', 40, spec.countOversizedBodies
    ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] }
    : {});
  managed('AWSManagedRulesKnownBadInputsRuleSet', 50);
  managed('AWSManagedRulesSQLiRuleSet', 60);
  if (spec.botControl) {
    managed('AWSManagedRulesBotControlRuleSet', 70, {
      managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
    });
  }
  return rules;
}

/** A rule of our own: `action` on the requests `statement` matches. */
function customRule(
  name: string,
  priority: number,
  action: wafv2.CfnWebACL.RuleActionProperty,
  statement: wafv2.CfnWebACL.StatementProperty,
): wafv2.CfnWebACL.RuleProperty {
  return { name, priority, action, statement, visibilityConfig: visibility(name) };
}

/**
 * An AWS managed rule group, named `AWS-<group>` like the console does. In
 * `COUNT` mode the whole group only counts.
 */
function managedRule(
  group: string,
  priority: number,
  mode: WebAclMode,
  extra: Partial<wafv2.CfnWebACL.ManagedRuleGroupStatementProperty>,
): wafv2.CfnWebACL.RuleProperty {
  const name = `AWS-${group}`;
  return {
    name,
    priority,
    overrideAction: mode === WebAclMode.BLOCK ? { none: {} } : { count: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group, ...extra } },
    visibilityConfig: visibility(name),
  };
}

function validateNotEmptyArn(scope: Construct, prop: string, value: string): void {
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
    throw propError(scope, prop, value, 'must not be empty: the ARN of the resource to protect');
  }
}
