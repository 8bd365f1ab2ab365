import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ApiLoadBalancer, ApiLoadBalancerProps, LoadBalancerAccess, PlatformNetwork, PlatformStage, PlatformWebAcl, WebAclMode, WebAclScope } from '../../src';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function build(props: Partial<ApiLoadBalancerProps> = {}, stage = PlatformStage.PRODUCTION) {
  const stack = newTestStack();
  const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
  const api = new ApiLoadBalancer(stack, 'Api', {
    stage,
    vpc: network.vpc,
    securityGroup: network.loadBalancerSecurityGroup,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
    domainName: 'api-origin.innovate.example',
    ...props,
  });
  return { stack, network, api, template: Template.fromStack(stack) };
}

describe('ApiLoadBalancer', () => {
  const { stack, network, api, template } = build();

  test('is internal, in the application subnets, behind the load balancer security group, dropping invalid headers', () => {
    const applicationSubnets = network.vpc.selectSubnets(network.applicationSubnets).subnetIds.map((id) => stack.resolve(id));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'application',
      Subnets: applicationSubnets,
      SecurityGroups: [stack.resolve(network.loadBalancerSecurityGroup.securityGroupId)],
    });
    const attributes = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0].Properties.LoadBalancerAttributes;
    expect(attributes).toEqual(expect.arrayContaining([
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      { Key: 'deletion_protection.enabled', Value: 'true' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]));
  });

  test('HTTPS listener: the ACM certificate, a TLS 1.3/1.2 policy, forwarding to the IP target group', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: stack.resolve(api.targetGroup.targetGroupArn) }],
    });
  });

  test('internal: HTTPS only, no HTTP listener', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    expect(api.httpListener).toBeUndefined();
  });

  test('no listener opens the security group: only CloudFront\'s origin-facing prefix list reaches it, on 443', () => {
    const id = stack.getLogicalId(network.loadBalancerSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    expect(template.toJSON().Resources[id].Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r: any) => r.Properties)
      .filter((r: any) => r.GroupId['Fn::GetAtt'][0] === id);
    const prefixList = stack.resolve(network.cloudFrontPrefixListId);
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, SourcePrefixListId: prefixList })]);
  });

  test('IP target group on the application port with the health endpoint', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 8080,
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    expect(api.targetPort).toBe(8080);
  });

  test('access logs go to a versioned, encrypted, TLS-only bucket kept 365 days in production', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('a REGIONAL web ACL rate-limiting by the viewer address CloudFront passes (X-Viewer-Ip) is associated with the load balancer', () => {
    expect(api.webAcl.aclScope).toBe(WebAclScope.REGIONAL);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({
        Name: 'RateLimitPerClientIp',
        Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'FORWARDED_IP', ForwardedIPConfig: { HeaderName: 'X-Viewer-Ip', FallbackBehavior: 'NO_MATCH' } }) },
      })]),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: stack.resolve(api.loadBalancer.loadBalancerArn),
      WebACLArn: stack.resolve(api.webAcl.webAclArn),
    });
  });

  test('no Shield Advanced protection unless switched on', () => {
    template.resourceCountIs('AWS::Shield::Protection', 0);
  });

  test('pins the logical IDs of its resources', () => {
    expect(logicalIds(template, (_, type) => !type.startsWith('AWS::EC2::') || type === 'AWS::EC2::SecurityGroup')).toMatchSnapshot();
  });
});

describe('ApiLoadBalancer options', () => {
  test('development: no deletion protection, access logs kept 30 days and destroyed with the stack', () => {
    const { template } = build({}, PlatformStage.DEVELOPMENT);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('internet-facing: public subnets, HTTP redirected to HTTPS permanently, and the web ACL counts by source IP', () => {
    const { stack, network, template } = build({ internetFacing: true });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: network.vpc.selectSubnets(network.publicSubnets).subnetIds.map((id) => stack.resolve(id)),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerClientIp', Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP' }) } })]),
    });
  });

  test('Shield Advanced: a protection of the load balancer with automatic application-layer mitigation', () => {
    const { stack, api, template } = build({ shieldAdvanced: true });
    template.hasResourceProperties('AWS::Shield::Protection', {
      ResourceArn: stack.resolve(api.loadBalancer.loadBalancerArn),
      ApplicationLayerAutomaticResponseConfiguration: { Status: 'ENABLED', Action: { Block: {} } },
    });
  });

  test('Shield Advanced mitigation only counts while the web ACL counts', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const webAcl = new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.REGIONAL, mode: WebAclMode.COUNT, forwardedIpHeader: ApiLoadBalancer.VIEWER_IP_HEADER });
    new ApiLoadBalancer(stack, 'Api', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      domainName: 'api-origin.innovate.example',
      webAcl,
      shieldAdvanced: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Shield::Protection', { ApplicationLayerAutomaticResponseConfiguration: { Action: { Count: {} } } });
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
  });

  test('webAclMode COUNT and countOversizedBodies shape the new web ACL', () => {
    const { api, template } = build({ webAclMode: WebAclMode.COUNT, countOversizedBodies: true });
    expect(api.webAcl.mode).toBe(WebAclMode.COUNT);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({
        Name: 'AWS-AWSManagedRulesCommonRuleSet',
        OverrideAction: { Count: {} },
        Statement: { ManagedRuleGroupStatement: Match.objectLike({ RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }) },
      })]),
    });
  });

  test('custom target port, health path and TLS 1.3-only policy', () => {
    const { template } = build({ targetPort: 5000, healthCheckPath: '/ready', sslPolicy: elbv2.SslPolicy.TLS13_13 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 5000, HealthCheckPath: '/ready' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
  });
});

describe('ApiLoadBalancer bad input', () => {
  test.each([
    [{ sslPolicy: elbv2.SslPolicy.RECOMMENDED }, /invalid sslPolicy "ELBSecurityPolicy-2016-08": must be a policy that negotiates TLS 1.2 or newer/],
    [{ sslPolicy: elbv2.SslPolicy.TLS13_10 }, /invalid sslPolicy "ELBSecurityPolicy-TLS13-1-0-2021-06"/],
    [{ domainName: 'API.example.com' }, /invalid domainName "API.example.com": must be a fully qualified domain name/],
    [{ domainName: 'localhost' }, /invalid domainName "localhost"/],
    [{ domainName: '-api.example.com' }, /invalid domainName "-api.example.com"/],
    [{ targetPort: 0 }, /invalid targetPort 0: must be an integer from 1 to 65535/],
    [{ targetPort: 70000 }, /invalid targetPort 70000/],
    [{ healthCheckPath: 'health' }, /invalid healthCheckPath "health": must be a path starting with "\/"/],
    [{ healthCheckPath: '/he alth' }, /invalid healthCheckPath "\/he alth"/],
    [{ accessLogRetentionDays: 0 }, /invalid accessLogRetentionDays 0: must be an integer from 1 to 3653/],
  ])('%j is refused', (props, message) => {
    expect(() => build(props as Partial<ApiLoadBalancerProps>)).toThrow(message);
  });

  test('a certificate of another region is refused', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const foreign = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    expect(() => new ApiLoadBalancer(stack, 'Api', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', foreign),
      domainName: 'api-origin.innovate.example',
    })).toThrow(`TestStack/Api: invalid certificate "${foreign}": must be in us-east-1, not eu-west-1`);
  });

  test('a given web ACL: not keyed on the viewer address behind CloudFront, in another region, or with options meant for a new one, is refused', () => {
    const app = newTestApp();
    const stack = newTestStack(app);
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const common = {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      domainName: 'api-origin.innovate.example',
    };
    const bySource = new PlatformWebAcl(stack, 'BySource', { aclScope: WebAclScope.REGIONAL });
    expect(() => new ApiLoadBalancer(stack, 'Api1', { ...common, webAcl: bySource }))
      .toThrow(/invalid webAcl "TestStack\/BySource": must read the client's address from X-Viewer-Ip/);
    const other = new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const foreign = new PlatformWebAcl(other, 'Acl', { aclScope: WebAclScope.REGIONAL, forwardedIpHeader: ApiLoadBalancer.VIEWER_IP_HEADER });
    expect(() => new ApiLoadBalancer(stack, 'Api2', { ...common, webAcl: foreign }))
      .toThrow(/invalid webAcl "Ireland\/Acl": must be in the load balancer's region us-east-1, not eu-west-1/);
    const good = new PlatformWebAcl(stack, 'Good', { aclScope: WebAclScope.REGIONAL, forwardedIpHeader: ApiLoadBalancer.VIEWER_IP_HEADER });
    expect(() => new ApiLoadBalancer(stack, 'Api3', { ...common, webAcl: good, webAclMode: WebAclMode.COUNT }))
      .toThrow(/invalid webAclMode "COUNT": applies only to the web ACL this construct creates/);
    // Two load balancers may share one web ACL.
    new ApiLoadBalancer(stack, 'Api4', { ...common, webAcl: good });
    new ApiLoadBalancer(stack, 'Api5', { ...common, webAcl: good });
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACLAssociation', 2);
  });

  test('a CLOUDFRONT web ACL is refused', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const webAcl = new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.CLOUDFRONT });
    expect(() => new ApiLoadBalancer(stack, 'Api', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      domainName: 'api-origin.innovate.example',
      webAcl,
    })).toThrow(/invalid webAcl "TestStack\/Acl": must be a REGIONAL web ACL/);
  });
});

describe('ApiLoadBalancer compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s has no unacknowledged finding in the four cdk-nag packs', (stage) => {
    const { stack } = build({}, stage);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('internet-facing, behind an INTERNET network, has no unacknowledged finding', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, loadBalancerAccess: LoadBalancerAccess.INTERNET });
    new ApiLoadBalancer(stack, 'Api', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      domainName: 'api.innovate.example',
      internetFacing: true,
    });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
