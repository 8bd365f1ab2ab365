import { CfnResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { buildSpec, DELIVERY_BUILD_STATES } from './private/build-spec';
import { PlatformCluster } from '../compute/platform-cluster';
import { createAccessLogsBucket } from '../private/access-logs-bucket';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { createEncryptedBucket } from '../private/encrypted-bucket';
import { allowCloudWatchLogs } from '../private/keys';
import { isReservedNamespace, validateNamespaceName } from '../private/kubernetes';
import { createManagedRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { AUDIT_RETENTION_DAYS, CLOUDWATCH_RETENTION_DAYS, propError, validateIntegerRange, validateOneOf, validatePattern, validateUnique } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';

/** The aws-cdk-lib feature flag that grants S3 log delivery through the bucket policy. */
const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';
/** CodeBuild project names: 2-150 letters, digits, '-' or '_', a letter or digit first. */
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$/;
/** CodeBuild's limits of a build's timeout, in minutes. */
const MIN_TIMEOUT_MINUTES = 5;
const MAX_TIMEOUT_MINUTES = 480;
/** Slack workspace (team) IDs start with T, channel IDs with C (public), G (private) or D. */
const SLACK_WORKSPACE_ID = /^T[A-Z0-9]{8,}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
/** Environment variable names the build spec sets itself. */
const RESERVED_VARIABLES = ['CLUSTER_NAME', 'DEPLOY_NAMESPACES', 'DEPLOY_SCRIPT', 'PLATFORM_STAGE'];
/** CodeBuild's curated Amazon Linux 2023 ARM (Graviton) standard image, with the AWS CLI. */
const BUILD_IMAGE = 'aws/codebuild/amazonlinux-aarch64-standard:3.0';
/** SNS's limit of a topic's display name. */
const MAX_TOPIC_DISPLAY_NAME = 100;
/** Days a deploy bundle is kept in the source bucket (a rollback to a commit re-uploads it). */
const SOURCE_EXPIRATION_DAYS = 90;

/**
 * Properties of an `ApplicationDelivery`.
 */
export interface ApplicationDeliveryProps extends StagedProps {
  /** The cluster the applications are deployed into (its API endpoint may be private). */
  readonly cluster: PlatformCluster;

  /**
   * The subnets the build runs in: they must reach the cluster's API
   * endpoint and, through NAT or VPC endpoints, AWS APIs and the registry.
   * Public subnets are refused: CodeBuild gives a build in a VPC no public
   * IP address, so it would have no way out without NAT.
   *
   * @default - the private subnets with egress of the cluster's VPC
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * The namespaces the build may deploy into (`AmazonEKSEditPolicy` in
   * these only): one or more distinct application namespaces, not
   * `default` nor `kube-*`.
   *
   * @default - the cluster's application namespaces (`addApplicationNamespace`), read at synthesis
   */
  readonly namespaces?: string[];

  /**
   * The CI role that starts the deployments (e.g.
   * `GithubDeployRoles.roleFor(stage)`): a managed policy in this stack lets
   * it upload deploy bundles to the source bucket and start and read builds
   * of this project only.
   *
   * @default - none: no role is given these rights here
   */
  readonly deployRole?: iam.IRole;

  /**
   * Name of the CodeBuild project (2-150 letters, digits, '-' or '_').
   *
   * @default - `<cluster name>-deploy`
   */
  readonly projectName?: string;

  /**
   * Path of the deploy script inside the deploy bundle, run with bash after
   * kubectl is pointed at the cluster. It receives `IMAGE_TAG` (from the
   * build's start), `CLUSTER_NAME`, `DEPLOY_NAMESPACES` and
   * `PLATFORM_STAGE`, and `environmentVariables`.
   *
   * @default 'deploy.sh'
   */
  readonly deployScript?: string;

  /**
   * Further plain-text environment variables of every build (no secrets:
   * CodeBuild shows them), names to string values. Names the build sets
   * itself are refused.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };

  /**
   * Minutes a deployment may take before CodeBuild stops it (5 to 480).
   *
   * @default 30
   */
  readonly timeoutMinutes?: number;

  /**
   * Days the build logs are kept (a CloudWatch Logs retention).
   *
   * @default - the profile's `cluster.controlPlaneLogRetentionDays`
   */
  readonly logRetentionDays?: number;

  /**
   * A topic of yours the outcome of every deployment is published to
   * (CodeBuild's state-change events through EventBridge): its policy and
   * key must let `events.amazonaws.com` publish.
   *
   * @default - a new KMS-encrypted topic
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The Slack workspace (team) ID notified of each outcome through AWS
   * Chatbot (`T` and 8 or more capitals or digits). The workspace must have
   * been authorized in the AWS Chatbot console once per account. Give it
   * together with `slackChannelId`.
   *
   * @default - no Slack notification (the topic only)
   */
  readonly slackWorkspaceId?: string;

  /**
   * The Slack channel ID notified (`C`, `G` or `D` and 8 or more capitals
   * or digits). Give it together with `slackWorkspaceId`.
   *
   * @default - no Slack notification (the topic only)
   */
  readonly slackChannelId?: string;
}

/**
 * Delivery of the applications into a cluster whose API endpoint is private:
 * a CodeBuild project in the VPC that CI starts through its deploy role.
 *
 * What it creates and how a deployment runs:
 *
 * - The project runs in the cluster's VPC (default: its private subnets)
 *   with a security group whose only egress is HTTPS, admitted to the
 *   cluster's endpoint on 443; ARM (Graviton) Amazon Linux 2023 standard
 *   image, no privileged mode, one build at a time (deployments never
 *   overlap), logs and bundles encrypted with a customer-managed key.
 * - Its role may read the deploy bundles, describe the cluster, and has an
 *   EKS access entry with `AmazonEKSEditPolicy` limited to `namespaces`:
 *   a deployment cannot touch another namespace, nor another environment's
 *   cluster.
 * - CI uploads a deploy bundle (chart and deploy script, at the commit) to
 *   the source bucket and starts a build with `IMAGE_TAG`; the build
 *   runs `aws eks update-kubeconfig` and then the bundle's deploy script
 *   (rollout, smoke tests, rollback on failure).
 * - The outcome (succeeded, failed, stopped) goes from CodeBuild's
 *   state-change events through EventBridge to an SNS topic and, with
 *   `slackWorkspaceId` and `slackChannelId`, to a Slack channel through
 *   AWS Chatbot.
 *
 * `deployRole` gets `codebuild:StartBuild` and `codebuild:BatchGetBuilds`
 * on this project only, and may upload to the source bucket's `bundles/`.
 */
export class ApplicationDelivery extends Construct {
  /** The profile the defaults came from. */
  public readonly profile: StageProfile;
  /** The CodeBuild project. */
  public readonly project: codebuild.CfnProject;
  /** The project's name (what `aws codebuild start-build --project-name` takes). */
  public readonly projectName: string;
  /** The project's ARN. */
  public readonly projectArn: string;
  /** The role the deployments run with (EKS edit rights in `namespaces` only). */
  public readonly buildRole: iam.IRole;
  /** The security group of the builds. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The bucket CI uploads the deploy bundles to (under `bundles/`). */
  public readonly sourceBucket: s3.IBucket;
  /** The key of the bundles, the build logs and the new topic. */
  public readonly encryptionKey: kms.IKey;
  /** The build logs. */
  public readonly logGroup: logs.ILogGroup;
  /** The topic every deployment's outcome is published to. */
  public readonly notificationTopic: sns.ITopic;
  /** The EventBridge rule publishing the outcomes. */
  public readonly outcomeRule: events.Rule;
  /** The Slack channel of the outcomes (when asked for). */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;
  /** The access entry of the build role. */
  public readonly accessEntry: eks.AccessEntry;

  constructor(scope: Construct, id: string, props: ApplicationDeliveryProps) {
    super(scope, id);
    // S3 log delivery through the bucket policy (not the legacy ACL).
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);
    this.profile = resolveProfile(this, props);
    const retain = this.profile.dataProtection.retainOnDelete;
    const cluster = props.cluster;
    this.projectName = props.projectName ?? `${cluster.clusterName}-deploy`;
    validatePattern(this, 'projectName', this.projectName, PROJECT_NAME, '2-150 letters, digits, \'-\' or \'_\', a letter or digit first (a CodeBuild project name)');
    const timeout = props.timeoutMinutes ?? 30;
    validateIntegerRange(this, 'timeoutMinutes', timeout, MIN_TIMEOUT_MINUTES, MAX_TIMEOUT_MINUTES);
    const retention = props.logRetentionDays ?? this.profile.cluster.controlPlaneLogRetentionDays;
    validateOneOf(this, 'logRetentionDays', retention, CLOUDWATCH_RETENTION_DAYS);
    const deployScript = props.deployScript ?? 'deploy.sh';
    validatePattern(this, 'deployScript', deployScript, /^(?!\/)(?!.*\.\.)[A-Za-z0-9._\-/]{1,255}$/,
      'a relative path inside the bundle: letters, digits, \'.\', \'_\', \'-\' and \'/\', without \'..\' or a leading \'/\'');
    const variables = props.environmentVariables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      throw propError(this, 'environmentVariables', variables, 'must be a map of variable names to string values');
    }
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== 'string') {
        throw propError(this, `environmentVariables.${name}`, value, 'must be a string (a plain-text value of the build)');
      }
      if (RESERVED_VARIABLES.includes(name) || name === 'IMAGE_TAG' || name.startsWith('CODEBUILD_') || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw propError(this, 'environmentVariables', name,
          `must be shell variable names other than IMAGE_TAG, CODEBUILD_* and ${RESERVED_VARIABLES.join(', ')} (set by the build)`);
      }
    }
    this.validateSlack(props);
    const namespaces = this.namespacesOf(props);
    this.projectArn = stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: this.projectName });

    // One key for what the deployments leave behind: bundles, logs, outcomes.
    const key = new kms.Key(this, 'Key', {
      description: `Deploy bundles, build logs and outcomes of ${this.projectName}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    this.encryptionKey = key;
    const logGroupName = `/aws/codebuild/${this.projectName}`;
    allowCloudWatchLogs(key, logGroupName);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: retention as logs.RetentionDays,
      encryptionKey: key,
      removalPolicy: removalPolicyFor(retain),
    });
    this.logGroup = logGroup;

    const accessLogs = createAccessLogsBucket(this, 'AccessLogs', {
      removalPolicy: removalPolicyFor(retain),
      expirationDays: AUDIT_RETENTION_DAYS,
      subject: 'the deploy-bundle bucket',
    });
    const bucket = createEncryptedBucket(this, 'Sources', {
      encryptionKey: key,
      accessLogsBucket: accessLogs,
      accessLogsPrefix: 'sources/',
      lifecycleRules: [{
        id: 'ExpireBundles',
        expiration: Duration.days(SOURCE_EXPIRATION_DAYS),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: removalPolicyFor(retain),
    });
    const noReplication = 'Deploy bundles are rebuilt from Git by the workflow at any commit; the build in another region would be started from there, so a copy in the recovery region holds nothing Git does not.';
    for (const b of [bucket, accessLogs]) {
      acknowledgeRules(b, noReplication, ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled']);
    }
    this.sourceBucket = bucket;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.cluster.vpc,
      description: `Deployments of ${this.projectName}: HTTPS out only (cluster API, AWS APIs, registry)`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: the cluster API endpoint, AWS APIs, tool downloads');
    new ec2.CfnSecurityGroupIngress(this, 'ToClusterEndpoint', {
      groupId: cluster.cluster.connections.securityGroups[0].securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      sourceSecurityGroupId: this.securityGroup.securityGroupId,
      description: `Deployments of ${this.projectName} to the cluster API`,
    });

    const subnets = cluster.cluster.vpc.selectSubnets(props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    if (subnets.hasPublic) {
      throw propError(this, 'subnets', props.subnets,
        'must be private subnets (with egress through NAT, or isolated with VPC endpoints): CodeBuild gives a build in a VPC no public IP address, '
        + 'so in a public subnet it could reach neither AWS APIs nor the registry');
    }
    const { role, policy } = createManagedRole(this, 'BuildRole', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.projectArn },
        },
      }),
      description: `Deployments of ${this.projectName} into ${cluster.clusterName}`,
      statements: this.buildStatements(cluster, bucket, key, logGroup, subnets),
    });
    acknowledgeWildcardResource(policy, '*',
      'CodeBuild in a VPC creates and describes the build\'s network interface; EC2 offers these calls without resource-level permissions (CodeBuild\'s documented VPC policy). '
      + 'Creating the interface\'s permission is limited to the build\'s subnets and to CodeBuild.');
    acknowledgeWildcardResource(policy, stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
      'The build\'s network interface is created at each build, its ID unknown before; only in the build\'s subnets, only for CodeBuild (ec2:Subnet, ec2:AuthorizedService).');
    acknowledgeWildcardResource(policy, `${logGroup.logGroupArn}:*`, 'The log streams of this project\'s log group, one per build, named at run time.');
    acknowledgeWildcardResource(policy, bucket.arnForObjects('bundles/*'), 'The deploy bundles, one per commit, named at run time.');
    explainCheckovException(policy.node.defaultChild as CfnResource, 'CKV_AWS_111',
      'CodeBuild\'s documented VPC statements: creating and deleting the build\'s network interface has no resource-level scope before the interface exists; '
      + 'its permission is limited to the build\'s subnets and to CodeBuild, and every other write (logs, the key) names its resource.');
    this.buildRole = role;

    this.accessEntry = new eks.AccessEntry(this, 'AccessEntry', {
      cluster: cluster.cluster,
      principal: role.roleArn,
      accessPolicies: [eks.AccessPolicy.fromAccessPolicyName('AmazonEKSEditPolicy', {
        accessScopeType: eks.AccessScopeType.NAMESPACE,
        namespaces: Lazy.list({ produce: namespaces }),
      })],
    });

    this.project = new codebuild.CfnProject(this, 'Project', {
      name: this.projectName,
      description: `Deploys the applications into ${cluster.clusterName} (namespaces: the application namespaces)`,
      serviceRole: role.roleArn,
      encryptionKey: key.keyArn,
      source: {
        type: 'S3',
        location: `${bucket.bucketName}/bundles/latest.zip`,
        buildSpec: buildSpec(),
      },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'ARM_CONTAINER',
        computeType: 'BUILD_GENERAL1_SMALL',
        image: BUILD_IMAGE,
        imagePullCredentialsType: 'CODEBUILD',
        privilegedMode: false,
        environmentVariables: [
          { name: 'CLUSTER_NAME', value: cluster.clusterName, type: 'PLAINTEXT' },
          { name: 'DEPLOY_NAMESPACES', value: Lazy.string({ produce: () => namespaces().join(',') }), type: 'PLAINTEXT' },
          { name: 'DEPLOY_SCRIPT', value: deployScript, type: 'PLAINTEXT' },
          { name: 'PLATFORM_STAGE', value: this.profile.stage, type: 'PLAINTEXT' },
          ...Object.entries(variables).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' })),
        ],
      },
      vpcConfig: {
        vpcId: cluster.cluster.vpc.vpcId,
        subnets: subnets.subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
      },
      logsConfig: {
        cloudWatchLogs: { status: 'ENABLED', groupName: logGroup.logGroupName },
        s3Logs: { status: 'DISABLED' },
      },
      timeoutInMinutes: timeout,
      queuedTimeoutInMinutes: 60,
      // Deployments of one environment never overlap: a second start waits.
      concurrentBuildLimit: 1,
    });
    acknowledgeRules(this.project,
      'The rule is meant for GitHub and Bitbucket sources (it asks for OAuth instead of credentials in the URL); this project\'s source is an S3 object in its own encrypted bucket, which carries no repository URL and takes no SourceAuth (CloudFormation accepts it for GitHub and Bitbucket only).',
      ['HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl']);
    // The role's policy must exist before CodeBuild checks it.
    this.project.node.addDependency(policy, this.accessEntry);

    this.notificationTopic = props.notificationTopic ?? this.createTopic(key);
    this.outcomeRule = new events.Rule(this, 'Outcomes', {
      description: `Outcome of each deployment of ${this.projectName}`,
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: { 'project-name': [this.projectName], 'build-status': [...DELIVERY_BUILD_STATES] },
      },
      targets: [new targets.SnsTopic(this.notificationTopic)],
    });
    if (props.slackWorkspaceId !== undefined && props.slackChannelId !== undefined) {
      this.slackChannel = this.createSlackChannel(props.slackWorkspaceId, props.slackChannelId);
    }

    if (props.deployRole) this.grantStartDeployment('DeployRolePolicy', props.deployRole);
  }

  /**
   * Let a CI role start deployments of this project and follow them: upload
   * a bundle under `bundles/`, `codebuild:StartBuild` and
   * `codebuild:BatchGetBuilds` on this project only. The statements are a
   * customer-managed policy in this construct's stack attached to the role.
   *
   * @param id construct ID of the policy
   * @param role the CI role
   */
  public grantStartDeployment(id: string, role: iam.IRole): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, id, {
      description: `Start and follow deployments of ${this.projectName}`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartAndFollowDeployments',
          actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
          resources: [this.projectArn],
        }),
        new iam.PolicyStatement({
          sid: 'UploadDeployBundles',
          actions: ['s3:PutObject'],
          resources: [this.sourceBucket.arnForObjects('bundles/*')],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptDeployBundles',
          actions: ['kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    acknowledgeWildcardResource(policy, this.sourceBucket.arnForObjects('bundles/*'), 'The deploy bundles, one per commit, named at run time.');
    return policy;
  }

  private buildStatements(
    cluster: PlatformCluster, bucket: s3.IBucket, key: kms.IKey, logGroup: logs.ILogGroup, subnets: ec2.SelectedSubnets,
  ): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    return [
      new iam.PolicyStatement({
        sid: 'WriteBuildLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadDeployBundles',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects('bundles/*')],
      }),
      new iam.PolicyStatement({
        sid: 'LocateTheBucket',
        actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'UseTheDeliveryKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'FindTheCluster',
        actions: ['eks:DescribeCluster'],
        resources: [cluster.cluster.clusterArn],
      }),
      new iam.PolicyStatement({
        sid: 'BuildNetworkInterface',
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeDhcpOptions',
          'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'AttachTheBuildToItsSubnets',
        actions: ['ec2:CreateNetworkInterfacePermission'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
        conditions: {
          StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
          ArnEquals: { 'ec2:Subnet': subnets.subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })) },
        },
      }),
    ];
  }

  private createTopic(key: kms.Key): sns.Topic {
    // SNS takes at most 100 characters; a project name may have 150 (a cluster name 100, plus -deploy).
    const displayName = `Deployments of ${this.projectName}`;
    const topic = new sns.Topic(this, 'Topic', {
      displayName: Token.isUnresolved(displayName) ? displayName : displayName.slice(0, MAX_TOPIC_DISPLAY_NAME),
      masterKey: key,
      enforceSSL: true,
    });
    // EventBridge publishes to the encrypted topic with the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishOutcomes',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    return topic;
  }

  private createSlackChannel(workspaceId: string, channelId: string): chatbot.SlackChannelConfiguration {
    // Notifications only: a guardrail that denies everything, so nobody
    // in the channel can run AWS commands through the bot.
    const guardrail = new iam.ManagedPolicy(this, 'SlackGuardrail', {
      description: `Guardrail of the Slack channel of ${this.projectName}: notifications only, no commands`,
      statements: [new iam.PolicyStatement({ sid: 'NotificationsOnly', effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] })],
    });
    acknowledgeRules(guardrail, 'A deny-all guardrail (Effect Deny on every action): the wildcard takes rights away, it grants none.', ['AwsSolutions-IAM5']);
    const role = new iam.Role(this, 'SlackRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: `AWS Chatbot for the deployments of ${this.projectName}: posts notifications, no permissions`,
    });
    const channel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
      slackChannelConfigurationName: this.projectName.slice(0, 128),
      slackWorkspaceId: workspaceId,
      slackChannelId: channelId,
      notificationTopics: [this.notificationTopic],
      role,
      guardrailPolicies: [guardrail],
      userRoleRequired: true,
    });
    return channel;
  }

  private validateSlack(props: ApplicationDeliveryProps): void {
    const { slackWorkspaceId: workspace, slackChannelId: channel } = props;
    if ((workspace === undefined) !== (channel === undefined)) {
      const [given, missing] = workspace === undefined ? ['slackChannelId', 'slackWorkspaceId'] : ['slackWorkspaceId', 'slackChannelId'];
      throw propError(this, missing, undefined, `must be given with ${given}: Slack needs both the workspace and the channel ID`);
    }
    validatePattern(this, 'slackWorkspaceId', workspace, SLACK_WORKSPACE_ID, 'a Slack workspace (team) ID: T and 8 or more capitals or digits');
    validatePattern(this, 'slackChannelId', channel, SLACK_CHANNEL_ID, 'a Slack channel ID: C, G or D and 8 or more capitals or digits');
  }

  /** The namespaces, checked when they are read (the cluster's may be added after this construct). */
  private namespacesOf(props: ApplicationDeliveryProps): () => string[] {
    const given = props.namespaces;
    if (given !== undefined) {
      if (!Array.isArray(given) || given.length === 0) {
        throw propError(this, 'namespaces', given, 'must be a list of one or more namespace names');
      }
      given.forEach((name, i) => {
        if (Token.isUnresolved(name)) return;
        if (typeof name !== 'string') {
          throw propError(this, `namespaces[${i}]`, name, 'must be a Kubernetes namespace name: 1-63 lowercase letters, digits or hyphens');
        }
        validateNamespaceName(this, `namespaces[${i}]`, name);
        if (isReservedNamespace(name)) throw propError(this, `namespaces[${i}]`, name, 'must be an application namespace, not default nor kube-*');
      });
      validateUnique(this, 'namespaces', given);
    }
    const read = () => given ?? props.cluster.namespaces;
    this.node.addValidation({
      validate: () => read().length > 0 ? [] : [
        `${this.node.path}: namespaces is empty: add an application namespace to the cluster (addApplicationNamespace) or set namespaces`,
      ],
    });
    return read;
  }
}
