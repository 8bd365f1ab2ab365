import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApiLoadBalancer, PlatformNetwork, PlatformStage, PlatformWebAcl, WebAclMode, WebAclScope, WebFrontend, WebFrontendProps, WebFrontendRisk,
} from '../../src';
import { DEFAULT_CONTENT_SECURITY_POLICY } from '../../src/edge/private/content-security-policy';
import { SPA_REWRITE_FUNCTION_CODE } from '../../src/edge/private/spa-rewrite';
import { VIEWER_IP_FUNCTION_CODE } from '../../src/edge/private/viewer-ip';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';

const EDGE_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-2222-3333-4444-555555555555';
const ORIGIN_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/bbbbbbbb-2222-3333-4444-555555555555';
/** aws-cdk-lib's managed policies, by their fixed IDs. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** A frontend with a custom domain and the API behind it, in a stack of its own. */
function build(props: WebFrontendProps = {}, stack: Stack = newTestStack()) {
  // The test AZs, moved to the stack's region (a VPC's subnets are in its own region).
  const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS.map((az) => az.replace('us-east-1', stack.region)) });
  const api = new ApiLoadBalancer(stack, 'Api', {
    vpc: network.vpc,
    securityGroup: network.loadBalancerSecurityGroup,
    certificate: acm.Certificate.fromCertificateArn(stack, 'OriginCertificate', ORIGIN_CERTIFICATE.replace('us-east-1', stack.region)),
    domainName: 'api-origin.innovate.example',
  });
  const frontend = new WebFrontend(stack, 'Web', {
    domainNames: ['app.innovate.example'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'EdgeCertificate', EDGE_CERTIFICATE),
    api: { loadBalancer: api.loadBalancer, domainName: api.domainName },
    ...props,
  });
  return { stack, api, frontend, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template): any {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
}

describe('WebFrontend bucket', () => {
  const { stack, frontend, template } = build();
  const bucketId = stack.getLogicalId(frontend.bucket.node.defaultChild as any);

  test('private, versioned, KMS-encrypted with its own key, retained in production', () => {
    const bucket = template.toJSON().Resources[bucketId];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(frontend.encryptionKey.keyArn) } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('TLS-only bucket policy; reads only for this distribution (no wildcard)', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .find((p: any) => p.Properties.Bucket.Ref === bucketId) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': stack.resolve(frontend.distribution.distributionArn) } },
      }),
    ]));
    expect(JSON.stringify(statements)).not.toContain('distribution/*');
  });

  test('the key lets this distribution decrypt, named by its ARN', () => {
    const keyId = stack.getLogicalId(frontend.encryptionKey.node.defaultChild as any);
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: 'kms:Decrypt',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': stack.resolve(frontend.distribution.distributionArn) } },
    })]));
    expect(JSON.stringify(statements)).not.toContain('distribution/*');
  });
});

describe('WebFrontend distribution', () => {
  const { stack, api, frontend, template } = build();
  const config = distributionConfig(template);
  const s3Origin = config.Origins.find((o: any) => o.S3OriginConfig);
  const apiOrigin = config.Origins.find((o: any) => o.VpcOriginConfig);

  test('reads the bucket through origin access control (SigV4 always), no origin access identity', () => {
    expect(s3Origin.OriginAccessControlId).toEqual(stack.resolve(
      (frontend.node.findChild('OriginAccessControl') as cloudfront.S3OriginAccessControl).originAccessControlId));
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(JSON.stringify(stack.resolve(s3Origin.DomainName))).toContain('.s3.us-east-1.');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
  });

  test('custom domain with its certificate and TLSv1.2_2021, SNI', () => {
    expect(config.Aliases).toEqual(['app.innovate.example']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: EDGE_CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(frontend.domainName).toBe('app.innovate.example');
  });

  test('HTTP/2 and HTTP/3, IPv6, the preset price class, index.html as root object', () => {
    expect(config).toMatchObject({ HttpVersion: 'http2and3', IPV6Enabled: true, PriceClass: 'PriceClass_All', DefaultRootObject: 'index.html' });
  });

  test('the SPA rewrite runs on viewer requests of the S3 behaviour only; no distribution-wide error responses', () => {
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{
      EventType: 'viewer-request',
      FunctionARN: stack.resolve(frontend.spaRewriteFunction.functionArn),
    }]);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const rewriteArn = stack.resolve(frontend.spaRewriteFunction.functionArn);
    for (const behavior of config.CacheBehaviors) {
      expect(JSON.stringify(behavior.FunctionAssociations ?? [])).not.toContain(JSON.stringify(rewriteArn));
    }
    expect(config.CustomErrorResponses).toBeUndefined();
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
  });

  test('/api/* goes to the load balancer uncached, with every viewer header but Host, cookies and query strings, HTTPS only', () => {
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(config.CacheBehaviors[0]).toMatchObject({
      PathPattern: '/api/*',
      TargetOriginId: apiOrigin.Id,
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      ResponseHeadersPolicyId: stack.resolve(frontend.responseHeadersPolicy.responseHeadersPolicyId),
    });
  });

  test('the API behaviour passes the viewer\'s address in X-Viewer-Ip, which the API\'s web ACL reads', () => {
    expect(config.CacheBehaviors[0].FunctionAssociations).toEqual([{
      EventType: 'viewer-request',
      FunctionARN: stack.resolve(frontend.apiViewerIpFunction!.functionArn),
    }]);
    expect(ApiLoadBalancer.VIEWER_IP_HEADER).toBe('X-Viewer-Ip');
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({
        Name: 'RateLimitPerClientIp',
        Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'FORWARDED_IP', ForwardedIPConfig: { HeaderName: 'X-Viewer-Ip', FallbackBehavior: 'NO_MATCH' } }) },
      })]),
    });
  });

  test('origin lock: the API is reached through a VPC origin to the internal load balancer over TLS 1.2', () => {
    expect(apiOrigin.DomainName).toBe('api-origin.innovate.example');
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        Arn: stack.resolve(api.loadBalancer.loadBalancerArn),
        HTTPSPort: 443,
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      }),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  });

  test('the CLOUDFRONT web ACL is attached and named in a tag', () => {
    expect(frontend.webAcl.aclScope).toBe(WebAclScope.CLOUDFRONT);
    expect(config.WebACLId).toEqual(stack.resolve(frontend.webAcl.webAclArn));
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      Tags: Match.arrayWith([{ Key: 'innovate:web-acl', Value: frontend.webAcl.webAclName }]),
    });
  });

  test('geo restriction from the preset', () => {
    expect(config.Restrictions).toEqual({ GeoRestriction: { RestrictionType: 'blacklist', Locations: ['CU', 'IR', 'KP', 'SY'] } });
  });

  test('standard logging into an ACL-enabled, expiring log bucket', () => {
    expect(config.Logging).toMatchObject({ Bucket: stack.resolve(frontend.accessLogsBucket.bucketRegionalDomainName), Prefix: 'cloudfront/', IncludeCookies: false });
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
    });
  });

  test('security headers: HSTS 2 years with subdomains, nosniff, frame DENY, referrer policy, the same-origin CSP', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Preload: false, Override: true },
        },
      }),
    });
    expect(DEFAULT_CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(DEFAULT_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  test('no Shield Advanced protection unless switched on', () => {
    template.resourceCountIs('AWS::Shield::Protection', 0);
  });

  test('pins the logical IDs of its resources', () => {
    expect(logicalIds(template, (id) => id.startsWith('Web'))).toMatchSnapshot();
  });
});

describe('WebFrontend.grantDeploy', () => {
  test('a managed policy on the CI role: the bucket\'s files, its key and this distribution\'s invalidations only', () => {
    const stack = newTestStack();
    const frontend = new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT });
    const role = iam.Role.fromRoleArn(stack, 'Ci', 'arn:aws:iam::123456789012:role/github-deploy-development', { mutable: false });
    frontend.grantDeploy('Deployer', role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['github-deploy-development'],
      PolicyDocument: {
        Statement: [
          { Sid: 'ListTheAppFiles', Effect: 'Allow', Action: 's3:ListBucket', Resource: stack.resolve(frontend.bucket.bucketArn) },
          { Sid: 'PublishTheAppFiles', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: stack.resolve(frontend.bucket.arnForObjects('*')) },
          { Sid: 'EncryptTheAppFiles', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: stack.resolve(frontend.encryptionKey.keyArn) },
          { Sid: 'InvalidateTheCache', Effect: 'Allow', Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], Resource: stack.resolve(frontend.distribution.distributionArn) },
        ],
        Version: '2012-10-17',
      },
    });
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('WebFrontend SPA rewrite function', () => {
  // The function's own code, run as CloudFront runs it.
  const handler = new Function(`${SPA_REWRITE_FUNCTION_CODE}; return handler;`)() as (event: any) => { uri: string };
  const rewrite = (uri: string) => handler({ request: { uri, headers: {} } }).uri;

  test.each([
    ['/orders/42', '/index.html'],
    ['/settings/', '/index.html'],
    ['/', '/index.html'],
    ['/login', '/index.html'],
  ])('the deep link %s is served by %s', (uri, expected) => {
    expect(rewrite(uri)).toBe(expected);
  });

  test.each(['/static/js/main.3f2a.js', '/favicon.ico', '/index.html', '/assets/logo.svg', '/v1.2/app.css'])('the file %s passes unchanged', (uri) => {
    expect(rewrite(uri)).toBe(uri);
  });
});

describe('WebFrontend API viewer-address function', () => {
  const handler = new Function(`${VIEWER_IP_FUNCTION_CODE}; return handler;`)() as (event: any) => { headers: any };

  test('sets X-Viewer-Ip to the address CloudFront received the request from, replacing what the client sent', () => {
    const request = handler({ viewer: { ip: '203.0.113.7' }, request: { uri: '/api/orders', headers: { 'x-viewer-ip': { value: '198.51.100.1' } } } });
    expect(request.headers['x-viewer-ip']).toEqual({ value: '203.0.113.7' });
    expect(handler({ viewer: { ip: '2001:db8::1' }, request: { uri: '/api', headers: {} } }).headers['x-viewer-ip']).toEqual({ value: '2001:db8::1' });
  });
});

describe('WebFrontend options', () => {
  test('development without a custom domain: the cloudfront.net certificate, no viewer TLS override', () => {
    const stack = newTestStack();
    new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT });
    const template = Template.fromStack(stack);
    const config = distributionConfig(template);
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.PriceClass).toBe('PriceClass_100');
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('production without a custom domain is refused, then built when the risk is accepted', () => {
    expect(() => new WebFrontend(newTestStack(), 'Web', {})).toThrow(
      /TestStack\/Web: invalid domainNames \[\]: stage production needs a custom domain and its certificate .* add WebFrontendRisk.NO_CUSTOM_DOMAIN to acceptedRisks/);
    expect(() => new WebFrontend(newTestStack(), 'Web', { acceptedRisks: [WebFrontendRisk.NO_CUSTOM_DOMAIN] })).not.toThrow();
  });

  test('no blocked country: no geo restriction, and none in the web ACL', () => {
    const { template } = build({ blockedCountries: [] });
    expect(distributionConfig(template).Restrictions).toBeUndefined();
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL')).filter((a: any) => a.Properties.Scope === 'CLOUDFRONT') as any[];
    expect(acls[0].Properties.Rules.map((r: any) => r.Name)).not.toContain('BlockedCountries');
  });

  test('a custom API path, a CSP listing the app origin, HSTS preload and TLS 1.3', () => {
    const csp = "default-src 'none'; script-src 'self'; connect-src https://app.innovate.example";
    const { template } = build({
      api: undefined,
      contentSecurityPolicy: csp,
      hstsPreload: true,
      minimumTlsVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025,
    });
    expect(distributionConfig(template).ViewerCertificate.MinimumProtocolVersion).toBe('TLSv1.3_2025');
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
          StrictTransportSecurity: Match.objectLike({ Preload: true, IncludeSubdomains: true }),
        }),
      }),
    });
  });

  test('an existing CLOUDFRONT web ACL is used instead of a new one', () => {
    const stack = newTestStack();
    const webAcl = new PlatformWebAcl(stack, 'SharedAcl', { aclScope: WebAclScope.CLOUDFRONT });
    const { template } = build({ webAcl }, stack);
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL')).filter((a: any) => a.Properties.Scope === 'CLOUDFRONT');
    expect(acls).toHaveLength(1);
    expect(distributionConfig(template).WebACLId).toEqual(stack.resolve(webAcl.webAclArn));
  });

  test('webAclMode COUNT: the new CloudFront web ACL only counts', () => {
    const { frontend } = build({ webAclMode: WebAclMode.COUNT });
    expect(frontend.webAcl.mode).toBe(WebAclMode.COUNT);
  });

  test('a response headers policy of your own replaces the built one', () => {
    const stack = newTestStack();
    const own = cloudfront.ResponseHeadersPolicy.fromResponseHeadersPolicyId(stack, 'Own', 'own-policy-id');
    const { frontend, template } = build({ responseHeadersPolicy: own }, stack);
    expect(frontend.responseHeadersPolicy).toBe(own);
    template.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
    expect(distributionConfig(template).DefaultCacheBehavior.ResponseHeadersPolicyId).toBe('own-policy-id');
  });

  test('Shield Advanced protects the distribution with automatic application-layer mitigation', () => {
    const { stack, frontend, template } = build({ shieldAdvanced: true });
    template.hasResourceProperties('AWS::Shield::Protection', {
      ResourceArn: stack.resolve(frontend.distribution.distributionArn),
      ApplicationLayerAutomaticResponseConfiguration: { Status: 'ENABLED', Action: { Block: {} } },
    });
  });
});

describe('WebFrontend in a region other than us-east-1', () => {
  const app = newTestApp();
  const stack = new Stack(app, 'Frankfurt', { env: { account: '123456789012', region: 'eu-central-1' } });
  const { frontend, template } = build({}, stack);
  const edgeStack = app.node.findChild('FrankfurtEdge') as Stack;
  const edgeTemplate = Template.fromStack(edgeStack);

  test('the CLOUDFRONT web ACL and its logs go to a us-east-1 stack created next to it', () => {
    expect(edgeStack.region).toBe('us-east-1');
    expect(edgeStack.account).toBe('123456789012');
    expect(edgeStack.stackName).toBe('Frankfurt-edge');
    edgeTemplate.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    edgeTemplate.resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(Stack.of(frontend.webAcl)).toBe(edgeStack);
    expect(stack.dependencies).toContain(edgeStack);
  });

  test('the distribution reads the ACL ARN through a weak reference (Fn::GetStackOutput), never a cross-region export', () => {
    expect(distributionConfig(template).WebACLId).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Frankfurt-edge', Region: 'us-east-1' }),
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    expect(JSON.stringify(edgeTemplate.toJSON())).not.toContain('ExportsWriter');
  });

  test('the bucket lives in the stack region', () => {
    const origin = distributionConfig(template).Origins.find((o: any) => o.S3OriginConfig);
    expect(JSON.stringify(origin.DomainName)).toContain('.s3.eu-central-1.');
  });

  test('a certificate of a us-east-1 stack is read through a weak reference too', () => {
    const otherApp = newTestApp();
    const certificates = new Stack(otherApp, 'Certificates', { env: { account: '123456789012', region: 'us-east-1' } });
    const certificate = new acm.Certificate(certificates, 'App', { domainName: 'app.innovate.example' });
    const here = new Stack(otherApp, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    new WebFrontend(here, 'Web', { stage: PlatformStage.DEVELOPMENT, domainNames: ['app.innovate.example'], certificate });
    const viewer = distributionConfig(Template.fromStack(here)).ViewerCertificate;
    expect(viewer.AcmCertificateArn).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Certificates', Region: 'us-east-1' }) });
    expect(here.dependencies).toContain(certificates);
  });

  test('a given edge stack must be in us-east-1', () => {
    const otherApp = newTestApp();
    const here = new Stack(otherApp, 'Here', { env: { account: '123456789012', region: 'eu-west-1' } });
    const wrong = new Stack(otherApp, 'Wrong', { env: { account: '123456789012', region: 'eu-west-2' } });
    expect(() => new WebFrontend(here, 'Web', { stage: PlatformStage.DEVELOPMENT, edgeStack: wrong }))
      .toThrow('Here/Web: invalid edgeStack "Wrong": must be in us-east-1 (CloudFront web ACLs exist only there), not eu-west-2');
  });

  test('Shield Advanced for the distribution needs us-east-1', () => {
    const otherApp = newTestApp();
    const here = new Stack(otherApp, 'Here', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(() => new WebFrontend(here, 'Web', { stage: PlatformStage.DEVELOPMENT, shieldAdvanced: true }))
      .toThrow(/Here\/Web: invalid shieldAdvanced true: protects a CloudFront distribution only from us-east-1; this stack is in eu-west-1/);
  });
});

describe('WebFrontend bad input', () => {
  const certificate = (stack: Stack, arn = EDGE_CERTIFICATE) => acm.Certificate.fromCertificateArn(stack, 'Cert', arn);

  test('a certificate outside us-east-1', () => {
    const stack = newTestStack();
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/cccccccc-2222-3333-4444-555555555555';
    expect(() => new WebFrontend(stack, 'Web', { domainNames: ['app.innovate.example'], certificate: certificate(stack, arn) }))
      .toThrow(`TestStack/Web: invalid certificate "${arn}": must be in us-east-1, not eu-west-1: CloudFront only uses ACM certificates from us-east-1`);
  });

  test('a domain without a certificate, and a certificate without a domain', () => {
    expect(() => new WebFrontend(newTestStack(), 'Web', { domainNames: ['app.innovate.example'] }))
      .toThrow(/invalid certificate undefined: is needed with domainNames app.innovate.example/);
    const stack = newTestStack();
    expect(() => new WebFrontend(stack, 'Web', { certificate: certificate(stack) }))
      .toThrow(/invalid domainNames \[\]: must list the names the certificate covers/);
  });

  test.each([
    [{ domainNames: ['App.Innovate.Example'] }, /invalid domainNames\[0\] "App.Innovate.Example"/],
    [{ domainNames: ['app.innovate.example', 'app.innovate.example'] }, /invalid domainNames .*must not repeat a name/],
    [{ blockedCountries: ['RU', 'uk'] }, /invalid blockedCountries\[1\] "uk": must be an officially assigned ISO 3166-1 alpha-2 country code/],
    [{ blockedCountries: ['XX'] }, /invalid blockedCountries\[0\] "XX"/],
    [{ blockedCountries: ['IR', 'IR'] }, /invalid blockedCountries \["IR","IR"\]: must list each country once/],
    [{ minimumTlsVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2019 }, /invalid minimumTlsVersion "TLSv1.2_2019": must be TLS 1.2 or newer/],
    [{ minimumTlsVersion: cloudfront.SecurityPolicyProtocol.TLS_V1 }, /invalid minimumTlsVersion "TLSv1"/],
    [{ contentSecurityPolicy: "default-src 'self'; connect-src https://api.other.example" }, /invalid contentSecurityPolicy .*must let the app call its API at \/api\/\*: connect-src \(or default-src\) must list 'self' or https:\/\/app.innovate.example/],
    [{ contentSecurityPolicy: "script-src 'self'" }, /invalid contentSecurityPolicy "script-src 'self'": must let the app call its API/],
    [{ contentSecurityPolicy: 'x'.repeat(1784) }, /invalid contentSecurityPolicy .*must be one line of 1 to 1783 characters/],
    [{ hstsPreload: true, hstsMaxAgeDays: 180 }, /invalid hstsMaxAgeDays 180: must be an integer from 365 to 3650/],
    [{ hstsMaxAgeDays: 0 }, /invalid hstsMaxAgeDays 0: must be an integer from 1 to 3650/],
    [{ accessLogRetentionDays: 0 }, /invalid accessLogRetentionDays 0/],
    [{ priceClass: 'PriceClass_50' as cloudfront.PriceClass }, /invalid priceClass "PriceClass_50": must be one of PriceClass_100, PriceClass_200, PriceClass_All/],
  ])('%j is refused', (props, message) => {
    expect(() => build(props as WebFrontendProps)).toThrow(message);
  });

  test.each(['api/*', '/*', '/api/ *', '/api', '/', '*'])('the API path pattern %s is refused', (pathPattern) => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const api = new ApiLoadBalancer(stack, 'Api', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'OriginCertificate', ORIGIN_CERTIFICATE),
      domainName: 'api-origin.innovate.example',
    });
    expect(() => new WebFrontend(stack, 'Web', {
      stage: PlatformStage.DEVELOPMENT,
      api: { loadBalancer: api.loadBalancer, domainName: api.domainName, pathPattern },
    })).toThrow(`TestStack/Web: invalid api.pathPattern ${JSON.stringify(pathPattern)}`);
  });

  test('options that would be ignored are refused', () => {
    const stack = newTestStack();
    const webAcl = new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.CLOUDFRONT });
    expect(() => new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT, webAcl, webAclMode: WebAclMode.COUNT }))
      .toThrow(/invalid webAclMode "COUNT": applies only to the web ACL this construct creates/);
    expect(() => new WebFrontend(newTestStack(), 'Web', { stage: PlatformStage.DEVELOPMENT, minimumTlsVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025 }))
      .toThrow(/invalid minimumTlsVersion "TLSv1.3_2025": needs a custom domain and its certificate/);
    const app = newTestApp();
    const here = new Stack(app, 'Here', { env: { account: '123456789012', region: 'us-east-1' } });
    const edge = new Stack(app, 'Edge', { env: { account: '123456789012', region: 'us-east-1' } });
    expect(() => new WebFrontend(here, 'Web', { stage: PlatformStage.DEVELOPMENT, edgeStack: edge }))
      .toThrow(/invalid edgeStack "Edge": is used only when this stack is outside us-east-1/);
    const policyStack = newTestStack();
    const own = cloudfront.ResponseHeadersPolicy.fromResponseHeadersPolicyId(policyStack, 'Own', 'own-policy-id');
    expect(() => new WebFrontend(policyStack, 'Web', { stage: PlatformStage.DEVELOPMENT, responseHeadersPolicy: own, hstsPreload: true }))
      .toThrow(/invalid hstsPreload true: must be left out with responseHeadersPolicy/);
  });

  test('an internet-facing load balancer, or one answering to another name, is refused as the API origin', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const publicApi = new ApiLoadBalancer(stack, 'PublicApi', {
      vpc: network.vpc,
      securityGroup: network.loadBalancerSecurityGroup,
      certificate: acm.Certificate.fromCertificateArn(stack, 'OriginCertificate', ORIGIN_CERTIFICATE),
      domainName: 'api.innovate.example',
      internetFacing: true,
    });
    expect(() => new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT, api: { loadBalancer: publicApi.loadBalancer, domainName: publicApi.domainName } }))
      .toThrow(/invalid api.loadBalancer "TestStack\/PublicApi": must be internal/);
    const { api } = build({}, newTestStack());
    expect(() => new WebFrontend(Stack.of(api), 'Web2', { stage: PlatformStage.DEVELOPMENT, api: { loadBalancer: api.loadBalancer, domainName: 'other.innovate.example' } }))
      .toThrow(/invalid api.domainName "other.innovate.example": must be the name the load balancer's certificate covers, api-origin.innovate.example/);
  });

  test('a region CloudFront standard logging cannot deliver to is refused', () => {
    const stack = new Stack(newTestApp(), 'CapeTown', { env: { account: '123456789012', region: 'af-south-1' } });
    expect(() => new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT }))
      .toThrow(/CapeTown\/Web: invalid scope "af-south-1": CloudFront standard logging cannot deliver to a bucket in af-south-1/);
  });

  test('a REGIONAL web ACL is refused', () => {
    const stack = newTestStack();
    const webAcl = new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.REGIONAL });
    expect(() => new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT, webAcl }))
      .toThrow(/invalid webAcl "TestStack\/Acl": must be a CLOUDFRONT web ACL/);
  });

  test('without the API, a CSP without connect-src is accepted', () => {
    expect(() => new WebFrontend(newTestStack(), 'Web', { stage: PlatformStage.DEVELOPMENT, contentSecurityPolicy: "default-src 'none'" })).not.toThrow();
  });
});

describe('WebFrontend compliance', () => {
  test('production with a domain, the API and Shield Advanced has no unacknowledged finding in the four cdk-nag packs', () => {
    const { stack } = build({ shieldAdvanced: true });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('development without a domain has no unacknowledged finding in the four cdk-nag packs', () => {
    const stack = newTestStack();
    new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('a stack outside us-east-1 and its edge stack have no unacknowledged finding', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Frankfurt', { env: { account: '123456789012', region: 'eu-central-1' } });
    new WebFrontend(stack, 'Web', { stage: PlatformStage.DEVELOPMENT });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
