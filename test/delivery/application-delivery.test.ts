import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GithubDeployRoles } from '../../src/access/github-deploy-roles';
import { PlatformCluster } from '../../src/compute/platform-cluster';
import { ApplicationDelivery, ApplicationDeliveryProps } from '../../src/delivery/application-delivery';
import { PlatformNetwork } from '../../src/network/platform-network';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { testKubectlLayer } from '../helpers/eks';
import { decide, IamPolicyDocument, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface Environment {
  readonly stack: Stack;
  readonly cluster: PlatformCluster;
  readonly delivery: ApplicationDelivery;
}

/** A cluster stack of `stage` with its application namespace and its delivery. */
function environment(app: App, stage: PlatformStage, extra: Partial<ApplicationDeliveryProps> = {}): Environment {
  const name = stage === PlatformStage.PRODUCTION ? 'Prod' : 'Dev';
  const stack = newTestStack(app, `${name}Cluster`);
  const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
  const cluster = new PlatformCluster(stack, 'Cluster', {
    stage,
    vpc: network.vpc,
    kubectlLayer: testKubectlLayer(stack),
    clusterName: `innovate-eks-${name.toLowerCase()}`,
    nodeSecurityGroups: [network.applicationSecurityGroup],
  });
  cluster.addApplicationNamespace('backend');
  const delivery = new ApplicationDelivery(stack, 'Delivery', { stage, cluster, subnets: network.applicationSubnets, ...extra });
  return { stack, cluster, delivery };
}

/** The customer-managed policies of a template attached to a role of another stack, resolved. */
function attachedPolicies(template: Template): IamPolicyDocument[] {
  const json = template.toJSON() as { Resources: Record<string, any> };
  return Object.values(json.Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && (r.Properties.Roles ?? []).some((role: any) => 'Fn::ImportValue' in role))
    .map((r) => resolveIntrinsics(r.Properties.PolicyDocument, json));
}

describe('ApplicationDelivery: development cannot touch production', () => {
  const app = newTestApp();
  const account = newTestStack(app, 'Account');
  const roles = new GithubDeployRoles(account, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform', productionCdkQualifier: 'prod' });
  const dev = environment(app, PlatformStage.DEVELOPMENT, { deployRole: roles.roleFor(PlatformStage.DEVELOPMENT) });
  const prod = environment(app, PlatformStage.PRODUCTION, {
    deployRole: roles.roleFor(PlatformStage.PRODUCTION),
    slackWorkspaceId: 'T0123456789',
    slackChannelId: 'C0123456789',
  });
  const devTemplate = Template.fromStack(dev.stack);
  const prodTemplate = Template.fromStack(prod.stack);
  const accountTemplate = Template.fromStack(account);
  const devProject = `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/innovate-eks-dev-deploy`;
  const prodProject = `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/innovate-eks-prod-deploy`;

  test('each deploy role may start and follow its own environment\'s deployments only', () => {
    const devPolicies = attachedPolicies(devTemplate);
    const prodPolicies = attachedPolicies(prodTemplate);
    expect(devPolicies).toHaveLength(1);
    expect(prodPolicies).toHaveLength(1);
    for (const action of ['codebuild:StartBuild', 'codebuild:BatchGetBuilds']) {
      expect(decide(devPolicies, { action, resource: devProject })).toBe('ALLOW');
      expect(decide(devPolicies, { action, resource: prodProject })).toBe('IMPLICIT_DENY');
      expect(decide(prodPolicies, { action, resource: prodProject })).toBe('ALLOW');
      expect(decide(prodPolicies, { action, resource: devProject })).toBe('IMPLICIT_DENY');
    }
    // Nothing else of CodeBuild (no project changes, no other projects).
    expect(decide(devPolicies, { action: 'codebuild:UpdateProject', resource: devProject })).toBe('IMPLICIT_DENY');
    // The policies are attached to the right roles (by name, across stacks).
    const roleOf = (template: Template) => JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((r: any) => (r.Properties.Roles ?? []).some((role: any) => 'Fn::ImportValue' in role)).map((r: any) => r.Properties.Roles));
    expect(roleOf(devTemplate)).toMatch(/GithubDeployDevelopmentRole/);
    expect(roleOf(devTemplate)).not.toMatch(/GithubDeployProductionRole/);
    expect(roleOf(prodTemplate)).toMatch(/GithubDeployProductionRole/);
    expect(roleOf(prodTemplate)).not.toMatch(/GithubDeployDevelopmentRole/);
  });

  test('each deploy role may upload bundles to its own environment\'s bucket only', () => {
    const devPolicies = attachedPolicies(devTemplate);
    const bucketOf = (template: Template) => Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('DeliverySources'))!;
    expect(decide(devPolicies, { action: 's3:PutObject', resource: `arn:aws:s3:::${bucketOf(devTemplate)}/bundles/abc.zip` })).toBe('ALLOW');
    // (Both buckets have the same logical ID in the test; the other environment's has another name.)
    expect(decide(devPolicies, { action: 's3:PutObject', resource: 'arn:aws:s3:::innovate-prod-bundles/bundles/abc.zip' })).toBe('IMPLICIT_DENY');
    expect(decide(devPolicies, { action: 's3:PutObject', resource: `arn:aws:s3:::${bucketOf(devTemplate)}/other/abc.zip` })).toBe('IMPLICIT_DENY');
    expect(decide(devPolicies, { action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucketOf(devTemplate)}/bundles/abc.zip` })).toBe('IMPLICIT_DENY');
  });

  test('the production path requires the protected environment: its role trusts that subject only, never a branch', () => {
    const trust = accountTemplate.toJSON().Resources[Object.keys(accountTemplate.findResources('AWS::IAM::Role')).find((id) => id.startsWith('GithubDeployProductionRole'))!]
      .Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:innovate-inc/platform:environment:production',
      },
    });
    expect(JSON.stringify(trust)).not.toContain('ref:refs/heads');
  });

  test('each build role edits its own cluster\'s application namespaces only', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const cluster = Object.keys(template.findResources('AWS::EKS::Cluster'))[0];
      const entries = Object.values(template.findResources('AWS::EKS::AccessEntry'))
        .filter((e: any) => JSON.stringify(e.Properties.PrincipalArn).includes('DeliveryBuildRole')) as any[];
      expect(entries).toHaveLength(1);
      expect(entries[0].Properties.ClusterName).toEqual({ Ref: cluster });
      expect(entries[0].Properties.AccessPolicies).toEqual([{
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
        AccessScope: { Type: 'namespace', Namespaces: ['backend'] },
      }]);
    }
    // Each entry is of its own stack's build role (a reference inside the stack, not an imported ARN).
    for (const template of [devTemplate, prodTemplate]) {
      const entry = Object.values(template.findResources('AWS::EKS::AccessEntry'))
        .find((e: any) => JSON.stringify(e.Properties.PrincipalArn).includes('DeliveryBuildRole')) as any;
      expect(entry.Properties.PrincipalArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DeliveryBuildRole/), 'Arn'] });
    }
  });

  test('the build role describes its own cluster only and reads the bundles, nothing to write elsewhere', () => {
    const json = devTemplate.toJSON() as { Resources: Record<string, any> };
    const roleId = Object.keys(devTemplate.findResources('AWS::IAM::Role')).find((id) => id.startsWith('DeliveryBuildRole'))!;
    const policy = Object.values(json.Resources as Record<string, any>)
      .find((r) => r.Type === 'AWS::IAM::ManagedPolicy' && (r.Properties.Roles ?? []).some((role: any) => role.Ref === roleId));
    const doc = resolveIntrinsics(policy.Properties.PolicyDocument, json);
    const clusterId = Object.keys(devTemplate.findResources('AWS::EKS::Cluster'))[0];
    expect(decide([doc], { action: 'eks:DescribeCluster', resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${clusterId}` })).toBe('ALLOW');
    expect(decide([doc], { action: 'eks:DescribeCluster', resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/innovate-eks-prod` })).toBe('IMPLICIT_DENY');
    expect(decide([doc], { action: 's3:PutObject', resource: 'arn:aws:s3:::any/bundles/x.zip' })).toBe('IMPLICIT_DENY');
    expect(decide([doc], { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/any` })).toBe('IMPLICIT_DENY');
    // Its trust: CodeBuild, for this project of this account only.
    const role = json.Resources[roleId];
    expect(resolveIntrinsics(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition, json)).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': devProject },
    });
  });

  test('the project runs inside the VPC, unprivileged, encrypted, one deployment at a time', () => {
    devTemplate.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'innovate-eks-dev-deploy',
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryKey'), 'Arn'] },
      Environment: Match.objectLike({ Type: 'ARM_CONTAINER', PrivilegedMode: false, Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0' }),
      VpcConfig: {
        VpcId: { Ref: Match.stringLikeRegexp('^NetworkVpc') },
        Subnets: [
          { Ref: Match.stringLikeRegexp('ApplicationSubnet1') },
          { Ref: Match.stringLikeRegexp('ApplicationSubnet2') },
          { Ref: Match.stringLikeRegexp('ApplicationSubnet3') },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliverySecurityGroup'), 'GroupId'] }],
      },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^DeliveryLogs') } }, S3Logs: { Status: 'DISABLED' } },
      ConcurrentBuildLimit: 1,
      TimeoutInMinutes: 30,
    });
    devTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/codebuild/innovate-eks-dev-deploy',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryKey'), 'Arn'] },
    });
  });

  test('the build\'s group sends HTTPS only, and the cluster endpoint admits it on 443', () => {
    devTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Deployments of innovate-eks-dev-deploy'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    devTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      // The cluster security group EKS puts on the endpoint's network interfaces.
      GroupId: { 'Fn::GetAtt': [Object.keys(devTemplate.findResources('AWS::EKS::Cluster'))[0], 'ClusterSecurityGroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliverySecurityGroup'), 'GroupId'] },
    });
  });

  test('the build spec refuses a build without an image tag, then runs the bundle\'s deploy script against the cluster', () => {
    const project = Object.values(devTemplate.findResources('AWS::CodeBuild::Project'))[0] as any;
    const spec = JSON.parse(project.Properties.Source.BuildSpec);
    const commands: string[] = spec.phases.build.commands;
    expect(commands[0]).toMatch(/IMAGE_TAG.*exit 1/);
    expect(commands[1]).toBe('aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$AWS_REGION"');
    expect(commands[2]).toBe('bash "$DEPLOY_SCRIPT"');
    const variables = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(variables).toMatchObject({
      CLUSTER_NAME: 'innovate-eks-dev', DEPLOY_NAMESPACES: 'backend', DEPLOY_SCRIPT: 'deploy.sh', PLATFORM_STAGE: 'development',
    });
    expect(project.Properties.Source.Type).toBe('S3');
  });

  test('every outcome reaches the encrypted topic through EventBridge, and Slack through AWS Chatbot', () => {
    const rule = Object.values(prodTemplate.findResources('AWS::Events::Rule'))
      .find((r: any) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.codebuild')) as any;
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.codebuild'],
      'detail-type': ['CodeBuild Build State Change'],
      'detail': { 'project-name': ['innovate-eks-prod-deploy'], 'build-status': ['SUCCEEDED', 'FAILED', 'STOPPED'] },
    });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^DeliveryTopic/) } })]);
    prodTemplate.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryKey'), 'Arn'] } });
    prodTemplate.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123456789',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^DeliveryTopic') }],
      GuardrailPolicies: [{ Ref: Match.stringLikeRegexp('^DeliverySlackGuardrail') }],
      UserRoleRequired: true,
    });
    // The guardrail takes every right away: the channel only receives.
    const guardrail = Object.entries(prodTemplate.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('DeliverySlackGuardrail'))![1] as any;
    expect(guardrail.Properties.PolicyDocument.Statement).toEqual([{ Sid: 'NotificationsOnly', Effect: 'Deny', Action: '*', Resource: '*' }]);
    // EventBridge may use the key to publish to the encrypted topic.
    const keyPolicy = JSON.stringify((Object.entries(prodTemplate.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('DeliveryKey'))![1] as any).Properties.KeyPolicy);
    expect(keyPolicy).toContain('events.amazonaws.com');
    // Without Slack IDs, the topic only.
    devTemplate.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  test('development stacks keep nothing on delete; production retains its key, logs and bundles', () => {
    for (const [template, policy] of [[devTemplate, 'Delete'], [prodTemplate, 'Retain']] as const) {
      for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket']) {
        const ours = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith('Delivery'));
        expect(ours.length).toBeGreaterThan(0);
        for (const [, r] of ours) expect((r as any).DeletionPolicy).toBe(policy);
      }
    }
  });

  test('the four compliance packs report nothing', () => {
    expect(complianceFindings(app)).toEqual([]);
  });
});

describe('ApplicationDelivery input', () => {
  function attempt(extra: Partial<ApplicationDeliveryProps>): () => void {
    return () => environment(newTestApp(), PlatformStage.DEVELOPMENT, extra);
  }

  test.each([
    [{ projectName: 'a' }, /projectName.*"a"/],
    [{ timeoutMinutes: 4 }, /timeoutMinutes.*4/],
    [{ timeoutMinutes: 481 }, /timeoutMinutes.*481/],
    [{ logRetentionDays: 8 }, /logRetentionDays.*8/],
    [{ deployScript: '../deploy.sh' }, /deployScript.*\.\.\/deploy\.sh/],
    [{ environmentVariables: { IMAGE_TAG: 'x' } }, /environmentVariables.*IMAGE_TAG/],
    [{ environmentVariables: { CLUSTER_NAME: 'x' } }, /environmentVariables.*CLUSTER_NAME/],
    [{ namespaces: ['kube-system'] }, /namespaces\[0\].*kube-system/],
    [{ slackWorkspaceId: 'T0123456789' }, /slackChannelId.*must be given with slackWorkspaceId/],
    [{ slackChannelId: 'C0123456789' }, /slackWorkspaceId.*must be given with slackChannelId/],
    [{ slackWorkspaceId: 'workspace', slackChannelId: 'C0123456789' }, /slackWorkspaceId.*workspace/],
    [{ slackWorkspaceId: 'T0123456789', slackChannelId: '#deploys' }, /slackChannelId.*#deploys/],
  ])('%j is refused', (extra, message) => {
    expect(attempt(extra)).toThrow(message);
  });

  test.each([
    [{ environmentVariables: { RELEASE: 5 } }, 'DevCluster/Delivery: invalid environmentVariables.RELEASE 5: must be a string (a plain-text value of the build)'],
    [{ environmentVariables: { RELEASE: null } }, 'DevCluster/Delivery: invalid environmentVariables.RELEASE null: must be a string (a plain-text value of the build)'],
    [{ environmentVariables: ['RELEASE=api'] }, 'DevCluster/Delivery: invalid environmentVariables ["RELEASE=api"]: must be a map of variable names to string values'],
    [{ namespaces: null }, 'DevCluster/Delivery: invalid namespaces null: must be a list of one or more namespace names'],
    [{ namespaces: 'backend' }, 'DevCluster/Delivery: invalid namespaces "backend": must be a list of one or more namespace names'],
    [{ namespaces: [] }, 'DevCluster/Delivery: invalid namespaces []: must be a list of one or more namespace names'],
    [{ namespaces: [7] }, 'DevCluster/Delivery: invalid namespaces[0] 7: must be a Kubernetes namespace name'],
    [{ namespaces: ['backend', 'web', 'backend'] }, 'DevCluster/Delivery: invalid namespaces[2] "backend": duplicates namespaces[0]: each entry must be unique'],
    [{ subnets: { subnetType: ec2.SubnetType.PUBLIC } }, /^DevCluster\/Delivery: invalid subnets \{"subnetType":"Public"\}: must be private subnets \(with egress through NAT, or isolated with VPC endpoints\): /],
  ] as Array<[any, string | RegExp]>)('%j is refused with a message naming the prop, the value and what is allowed', (extra, message) => {
    expect(attempt(extra)).toThrow(message);
  });

  test('a long project name is cut to the 100 characters of the topic\'s display name, not refused by CloudFormation', () => {
    const projectName = `p${'x'.repeat(149)}`;
    const { stack } = environment(newTestApp(), PlatformStage.DEVELOPMENT, { projectName });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', { Name: projectName });
    const topic = Object.values(template.findResources('AWS::SNS::Topic'))[0] as any;
    expect(topic.Properties.DisplayName).toBe(`Deployments of ${projectName}`.slice(0, 100));
    expect(topic.Properties.DisplayName).toHaveLength(100);
  });

  test('the default project name of a long cluster name (<cluster>-deploy) synthesizes with a display name of at most 100 characters', () => {
    const app = newTestApp();
    const stack = newTestStack(app, 'Long');
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const clusterName = `innovate-${'c'.repeat(91)}`;
    const cluster = new PlatformCluster(stack, 'Cluster', {
      stage: PlatformStage.DEVELOPMENT,
      vpc: network.vpc,
      kubectlLayer: testKubectlLayer(stack),
      clusterName,
      nodeSecurityGroups: [network.applicationSecurityGroup],
    });
    cluster.addApplicationNamespace('backend');
    const delivery = new ApplicationDelivery(stack, 'Delivery', { stage: PlatformStage.DEVELOPMENT, cluster });
    expect(delivery.projectName).toBe(`${clusterName}-deploy`);
    const topic = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Topic'))[0] as any;
    expect(topic.Properties.DisplayName).toBe(`Deployments of ${clusterName}-deploy`.slice(0, 100));
  });

  test('a cluster without application namespaces fails synthesis', () => {
    const app = newTestApp();
    const stack = newTestStack(app, 'Bare');
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const cluster = new PlatformCluster(stack, 'Cluster', {
      stage: PlatformStage.DEVELOPMENT,
      vpc: network.vpc,
      kubectlLayer: testKubectlLayer(stack),
      nodeSecurityGroups: [network.applicationSecurityGroup],
    });
    new ApplicationDelivery(stack, 'Delivery', { stage: PlatformStage.DEVELOPMENT, cluster });
    expect(() => app.synth()).toThrow(/namespaces is empty/);
  });
});
