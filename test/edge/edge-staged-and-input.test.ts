import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ApiLoadBalancer, ApiLoadBalancerProps } from '../../src/edge/api-load-balancer';
import { PlatformWebAcl, WebAclScope } from '../../src/edge/web-acl';
import { WebFrontend, WebFrontendProps } from '../../src/edge/web-frontend';
import { PlatformNetwork } from '../../src/network';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-2222-3333-4444-555555555555';

function staging(): StageProfile {
  const prod = StageProfiles.PRODUCTION;
  return {
    ...prod,
    edge: { ...prod.edge, loadBalancerDeletionProtection: false, requireCustomDomain: false, rateLimitPer5Minutes: 500 },
    dataProtection: { ...prod.dataProtection, retainOnDelete: false },
  };
}

describe('ApiLoadBalancer', () => {
  const PATH = 'TestStack/Api';
  function build(props: Partial<ApiLoadBalancerProps> = {}, stack: Stack = newTestStack()) {
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    return {
      stack,
      api: new ApiLoadBalancer(stack, 'Api', {
        vpc: network.vpc,
        securityGroup: network.loadBalancerSecurityGroup,
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT),
        domainName: 'api-origin.innovate.example',
        ...props,
      }),
    };
  }

  test('a stage contradicting the profile is refused', () => {
    expect(() => build({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
  });

  test('a derived staging profile: no deletion protection, logs not retained, its rate limit', () => {
    const { stack } = build({ profile: staging() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerClientIp', Statement: { RateBasedStatement: Match.objectLike({ Limit: 500 }) } })]),
    });
  });

  test.each<[string, string]>([
    ['a-', 'must be 1 to 32 letters, digits and hyphens'],
    ['-api', 'must be 1 to 32 letters, digits and hyphens'],
    ['internal-api', 'must be 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen and not starting with "internal-"'],
    ['a'.repeat(33), 'must be 1 to 32'],
    ['api_prod', 'must be 1 to 32'],
    ['', 'must be 1 to 32'],
  ])('refuses the load balancer name %j', (name, message) => {
    expect(() => build({ loadBalancerName: name })).toThrow(`${PATH}: invalid loadBalancerName ${JSON.stringify(name)}: ${message}`);
  });

  test('valid load balancer names: 1 and 32 characters, digits and inner hyphens', () => {
    expect(() => build({ loadBalancerName: 'a' })).not.toThrow();
    expect(() => build({ loadBalancerName: `a${'b'.repeat(30)}1` })).not.toThrow();
    const { stack } = build({ loadBalancerName: 'innovate-api-prod' });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'innovate-api-prod' });
  });

  test.each<[string, string]>([
    ['arn:aws:acm:eu-west-1:123456789012:certificate/aaaaaaaa-2222-3333-4444-555555555555', 'must be in us-east-1, not eu-west-1'],
    ['arn:aws:iam::123456789012:server-certificate/api', 'must be an ARN such as arn:aws:acm:us-east-1:123456789012:certificate/'],
    ['arn:aws:acm:us-east-1:123456789012:key/abc', 'must be an ARN such as'],
    ['api-origin.innovate.example', 'must be an ARN such as'],
  ])('refuses the certificate %s', (arn, message) => {
    const stack = newTestStack();
    expect(() => build({ certificate: acm.Certificate.fromCertificateArn(stack, 'Other', arn) }, stack)).toThrow(`${PATH}: invalid certificate ${JSON.stringify(arn)}: ${message}`);
  });

  test.each<[string, Partial<ApiLoadBalancerProps>, string]>([
    ['targetPort Infinity', { targetPort: Infinity }, `${PATH}: invalid targetPort Infinity: must be an integer from 1 to 65535`],
    ['accessLogRetentionDays NaN', { accessLogRetentionDays: NaN }, `${PATH}: invalid accessLogRetentionDays NaN: must be an integer from 1 to 3653`],
    ['a wildcard origin name', { domainName: '*.innovate.example' }, `${PATH}: invalid domainName "*.innovate.example": must be a fully qualified domain name`],
    ['an empty origin name', { domainName: '' }, `${PATH}: invalid domainName "": must be a fully qualified domain name`],
  ])('refuses %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('PlatformWebAcl', () => {
  const PATH = 'TestStack/Acl';
  const acl = (stack: Stack = newTestStack()) => new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.REGIONAL });
  const ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188';

  test('a stage contradicting the profile is refused; a derived profile gives its rate limit', () => {
    expect(() => new PlatformWebAcl(newTestStack(), 'Acl', { aclScope: WebAclScope.REGIONAL, stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
    const stack = newTestStack();
    new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.REGIONAL, profile: staging() });
    Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 500 }) } })]),
    });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test.each<[string, string]>([
    ['', 'must not be empty'],
    ['arn:aws:s3:::bucket', 'must be the ARN of an Application Load Balancer'],
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/50dc6c495c0c9188', 'must be the ARN of an Application Load Balancer'],
    ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188', 'must be in region us-east-1, where it is used; this ARN is in eu-west-1'],
    ['loadbalancer/app/api/50dc6c495c0c9188', 'must be the ARN of'],
  ])('associate refuses %j', (arn, message) => {
    expect(() => acl().associate('Alb', arn)).toThrow(`${PATH}: invalid associate(Alb).resourceArn ${JSON.stringify(arn)}: ${message}`);
  });

  test('associate: valid ARNs of each kind; a repeated id or resource is the caller\'s error', () => {
    const webAcl = acl();
    webAcl.associate('Alb', ALB);
    webAcl.associate('Rest', 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/prod');
    webAcl.associate('Pool', 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc123');
    webAcl.associate('Graph', 'arn:aws:appsync:us-east-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz');
    expect(() => webAcl.associate('Alb', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/50dc6c495c0c9188'))
      .toThrow(`${PATH}: invalid associate.id "Alb": is already used`);
    expect(() => webAcl.associate('Again', ALB)).toThrow(`${PATH}: invalid associate(Again).resourceArn "${ALB}": is already associated as Alb`);
    expect(() => webAcl.associate('', ALB)).toThrow(`${PATH}: invalid associate.id "": must be 1 to 255`);
  });

  test.each<[string, object, string]>([
    ['rateLimitPer5Minutes Infinity', { rateLimitPer5Minutes: Infinity }, `${PATH}: invalid rateLimitPer5Minutes Infinity: must be an integer from 10 to 2000000000`],
    ['rateLimitPer5Minutes 9', { rateLimitPer5Minutes: 9 }, `${PATH}: invalid rateLimitPer5Minutes 9`],
    ['logRetentionDays 400.5', { logRetentionDays: 400.5 }, `${PATH}: invalid logRetentionDays 400.5: must be one of`],
    ['logRetentionDays -Infinity', { logRetentionDays: -Infinity }, `${PATH}: invalid logRetentionDays -Infinity: must be one of`],
    ['a repeated country', { blockedCountries: ['CU', 'IR', 'CU'] }, `${PATH}: invalid blockedCountries ["CU","IR","CU"]: must list each country once; repeated: CU`],
  ])('refuses %s', (_name, props, message) => {
    expect(() => new PlatformWebAcl(newTestStack(), 'Acl', { aclScope: WebAclScope.REGIONAL, ...props })).toThrow(message);
  });
});

describe('WebFrontend', () => {
  const PATH = 'TestStack/Web';
  function build(props: WebFrontendProps = {}, stack: Stack = newTestStack()) {
    return { stack, web: new WebFrontend(stack, 'Web', props) };
  }
  const cert = (stack: Stack, arn = CERT) => acm.Certificate.fromCertificateArn(stack, 'Cert', arn);

  test('a stage contradicting the profile is refused; a derived profile without requireCustomDomain builds without a domain', () => {
    expect(() => build({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
    expect(() => build({ profile: staging() })).not.toThrow();
  });

  test.each<[string, string[], string]>([
    ['a repeated name', ['app.innovate.example', 'app.innovate.example'], 'invalid domainNames ["app.innovate.example","app.innovate.example"]: must not repeat a name'],
    ['a wildcard not in first place', ['app.*.innovate.example'], 'invalid domainNames[0] "app.*.innovate.example": must be a fully qualified domain name'],
    ['a bare wildcard', ['*'], 'invalid domainNames[0] "*": must be a fully qualified domain name'],
    ['an empty name', [''], 'invalid domainNames[0] "": must be a fully qualified domain name'],
    ['an upper-case name', ['App.innovate.example'], 'invalid domainNames[0] "App.innovate.example"'],
  ])('refuses %s', (_name, domainNames, message) => {
    const stack = newTestStack();
    expect(() => build({ domainNames, certificate: cert(stack) }, stack)).toThrow(`${PATH}: ${message}`);
  });

  test('a wildcard and a name it covers: built, with a warning', () => {
    const stack = newTestStack();
    build({ domainNames: ['*.innovate.example', 'app.innovate.example'], certificate: cert(stack) }, stack);
    Annotations.fromStack(stack).hasWarning(`/${PATH}`, Match.stringLikeRegexp('domainNames\\[1\\] app.innovate.example is already covered by the wildcard domainNames\\[0\\]'));
  });

  test.each<[string, string]>([
    ['arn:aws:acm:eu-west-1:123456789012:certificate/aaaaaaaa-2222-3333-4444-555555555555', 'must be in us-east-1, not eu-west-1'],
    ['arn:aws:iam::123456789012:server-certificate/web', 'must be an ARN such as arn:aws:acm:us-east-1:'],
    ['arn:aws:acm:us-east-1:123456789012:certificate', 'must be an ARN such as'],
  ])('refuses the certificate %s', (arn, message) => {
    const stack = newTestStack();
    expect(() => build({ domainNames: ['app.innovate.example'], certificate: cert(stack, arn) }, stack))
      .toThrow(`${PATH}: invalid certificate ${JSON.stringify(arn)}: ${message}`);
  });

  test('numbers print as given', () => {
    expect(() => build({ profile: staging(), hstsMaxAgeDays: Infinity })).toThrow(`${PATH}: invalid hstsMaxAgeDays Infinity: must be an integer from 1 to 3650`);
    expect(() => build({ profile: staging(), accessLogRetentionDays: NaN })).toThrow(`${PATH}: invalid accessLogRetentionDays NaN: must be an integer from 1 to 3653`);
  });
});
