import {
  Annotations, Aws, DefaultStackSynthesizer, Duration, Names, ReferenceStrength, Stack, Tags, Token,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as shield from 'aws-cdk-lib/aws-shield';
import { Construct } from 'constructs';
import { ApiLoadBalancer } from './api-load-balancer';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';
import { DEFAULT_CONTENT_SECURITY_POLICY, validateContentSecurityPolicy } from './private/content-security-policy';
import { validateCountryCodes } from './private/countries';
import { acknowledgeAccessLogsInRegion, shieldProtection, validateCertificate, validateDomainName } from './private/edge-validation';
import { SPA_REWRITE_FUNCTION_CODE } from './private/spa-rewrite';
import { VIEWER_IP_FUNCTION_CODE, VIEWER_IP_HEADER as VIEWER_IP_HEADER_NAME } from './private/viewer-ip';
import { PlatformWebAcl, WebAclMode, WebAclScope } from './web-acl';
import { createAccessLogsBucket } from '../private/access-logs-bucket';
import { acknowledgeRules, acknowledgeWildcardResource } from '../private/compliance';
import { createEncryptedBucket } from '../private/encrypted-bucket';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, validateIntegerRange } from '../private/validation';

/** CloudFront reads certificates, web ACLs and its metrics in this region only. */
export const CLOUDFRONT_REGION = 'us-east-1';
/** Viewer TLS policies of TLS 1.2 or newer that CloudFront offers. */
const TLS12_OR_NEWER: readonly string[] = [
  cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
  cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025,
  cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025,
];
const DEFAULT_API_PATH = '/api/*';
const MAX_PATH_PATTERN = 255;
/** HSTS preload lists accept a max-age of one year or more. */
const HSTS_PRELOAD_MIN_DAYS = 365;
const MAX_ALTERNATE_DOMAIN_NAMES = 100;
/**
 * Regions whose S3 buckets CloudFront standard logging cannot deliver to
 * (the opt-in regions AWS lists for standard logging).
 */
const NO_STANDARD_LOGGING_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];
/** The tag that names the distribution's web ACL: a replaced ACL changes it, so the distribution is updated too. */
const WEB_ACL_TAG = 'innovate:web-acl';

/**
 * Production safeguards of a `WebFrontend` knowingly switched off.
 */
export enum WebFrontendRisk {
  /**
   * Serve production on the distribution's `*.cloudfront.net` name, whose
   * default certificate lets viewers negotiate TLS 1.0.
   */
  NO_CUSTOM_DOMAIN = 'NO_CUSTOM_DOMAIN',
}

/**
 * The API behind the distribution.
 */
export interface WebFrontendApiOptions {
  /**
   * The API's internal Application Load Balancer (e.g.
   * `ApiLoadBalancer.loadBalancer`), reached through a CloudFront VPC origin.
   */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;

  /**
   * The name CloudFront connects to over HTTPS: a name the load balancer's
   * certificate covers (`ApiLoadBalancer.domainName`).
   */
  readonly domainName: string;

  /**
   * Requests whose path matches go to the API.
   *
   * @default '/api/*'
   */
  readonly pathPattern?: string;
}

/**
 * Properties of a `WebFrontend`.
 */
export interface WebFrontendProps extends StagedProps {
  /**
   * The app's own names, e.g. `app.example.com` (a wildcard such as
   * `*.example.com` only as the first label); each once; needs `certificate`.
   *
   * @default - the distribution's `*.cloudfront.net` name only (refused when the profile's `edge.requireCustomDomain` is on, unless accepted in `acceptedRisks`)
   */
  readonly domainNames?: string[];

  /**
   * An ACM certificate in us-east-1 that covers `domainNames`. From a stack
   * in another region it is read without a cross-region export.
   *
   * @default - none; needed with `domainNames`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The oldest TLS policy viewers may negotiate with a custom domain.
   *
   * @default cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
   */
  readonly minimumTlsVersion?: cloudfront.SecurityPolicyProtocol;

  /**
   * Production safeguards knowingly switched off.
   *
   * @default - none
   */
  readonly acceptedRisks?: WebFrontendRisk[];

  /**
   * Serve the API under `pathPattern` from its internal load balancer.
   *
   * @default - static files only
   */
  readonly api?: WebFrontendApiOptions;

  /**
   * The CLOUDFRONT web ACL in front of the distribution.
   *
   * @default - a new `PlatformWebAcl` of this profile: in this stack when it is in us-east-1, otherwise in `edgeStack`
   */
  readonly webAcl?: PlatformWebAcl;

  /**
   * The us-east-1 stack that receives the new web ACL when this stack lives
   * in another region.
   *
   * @default - a stack named `<this stack>-edge` next to this one, in us-east-1, with this stack's account and bootstrap qualifier
   */
  readonly edgeStack?: Stack;

  /**
   * Countries (ISO 3166-1 alpha-2) CloudFront refuses to serve.
   *
   * @default - the profile's `edge.blockedCountries`
   */
  readonly blockedCountries?: string[];

  /**
   * The Content-Security-Policy header. With `api`, `connect-src` (or
   * `default-src`) must admit the app's own origin.
   *
   * @default - same-origin only: `default-src 'self'`, `connect-src 'self'`, `img-src 'self' data:`, `object-src 'none'`, `frame-ancestors 'none'`, ...
   */
  readonly contentSecurityPolicy?: string;

  /**
   * A response headers policy of your own, replacing the security headers
   * this construct builds (then `contentSecurityPolicy`, `hstsPreload` and
   * `hstsMaxAgeDays` must be left out).
   *
   * @default - HSTS, the Content-Security-Policy, nosniff, frame DENY and strict-origin-when-cross-origin referrer policy, built from the props below
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;

  /**
   * What the new web ACL's rules do: `COUNT` to roll them out and watch
   * before they block. Only for the web ACL this construct creates.
   *
   * @default WebAclMode.BLOCK
   */
  readonly webAclMode?: WebAclMode;

  /**
   * Ask browsers to add the domain to their HSTS preload lists (needs a
   * max-age of a year or more, and covers every subdomain).
   *
   * @default false
   */
  readonly hstsPreload?: boolean;

  /**
   * `max-age` of the Strict-Transport-Security header, in days.
   *
   * @default - the profile's `edge.hstsMaxAgeDays`
   */
  readonly hstsMaxAgeDays?: number;

  /**
   * Edge locations serving the app.
   *
   * @default - the profile's `edge.priceClass`
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Days the CloudFront and S3 access logs are kept.
   *
   * @default - the profile's `edge.accessLogRetentionDays`
   */
  readonly accessLogRetentionDays?: number;

  /**
   * The KMS key of the app's bucket. A key of this app gets the statement
   * that lets this distribution (and no other) decrypt; an imported key's
   * policy must already allow it.
   *
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Protect the distribution with AWS Shield Advanced, with automatic
   * application-layer DDoS mitigation through its web ACL. Needs an active
   * Shield Advanced subscription and this stack in us-east-1.
   *
   * @default false
   */
  readonly shieldAdvanced?: boolean;
}

/**
 * The React single-page app behind CloudFront: a private, KMS-encrypted,
 * versioned S3 bucket read through origin access control (the key and the
 * bucket policy name this distribution only), HTTP/2 and HTTP/3 over IPv4
 * and IPv6, TLS 1.2+ with a custom domain, security headers (HSTS, CSP,
 * nosniff, frame DENY, referrer policy), deep links answered with
 * `index.html` by a CloudFront Function on the S3 behaviour only, the API
 * under `/api/*` through a VPC origin to its internal load balancer without
 * caching, a CLOUDFRONT web ACL, a geo restriction and access logs.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as acm from 'aws-cdk-lib/aws-certificatemanager';
 * import { ApiLoadBalancer, PlatformStage, WebFrontend } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const certificate: acm.ICertificate; // ACM, us-east-1
 * declare const api: ApiLoadBalancer;
 *
 * new WebFrontend(stack, 'Web', {
 *   stage: PlatformStage.PRODUCTION,
 *   domainNames: ['app.example.com'],
 *   certificate,
 *   api: { loadBalancer: api.loadBalancer, domainName: api.domainName },
 * });
 */
export class WebFrontend extends Construct {
  /** The stage preset this frontend was built from. */
  public readonly profile: StageProfile;
  /** The bucket holding the app's build (upload it under the bucket's root). */
  public readonly bucket: s3.Bucket;
  /** The key encrypting the bucket. */
  public readonly encryptionKey: kms.IKey;
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The bucket receiving the CloudFront and S3 access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The CLOUDFRONT web ACL in front of the distribution. */
  public readonly webAcl: PlatformWebAcl;
  /** The security headers added to every response. */
  public readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;
  /** The viewer-request function that serves deep links with `index.html`. */
  public readonly spaRewriteFunction: cloudfront.Function;
  /** The viewer-request function of the API behaviour that passes the viewer's address (`ApiLoadBalancer.VIEWER_IP_HEADER`). */
  public readonly apiViewerIpFunction?: cloudfront.Function;
  /** The name viewers use: the first custom domain, or the distribution's own. */
  public readonly domainName: string;
  /** Shield Advanced protection, when switched on. */
  public readonly shieldProtection?: shield.CfnProtection;

  /**
   * @param scope the parent construct, in a stack with an explicit region
   * @param id the construct ID; it names the bucket, so keep it stable
   * @param props domain, API and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: WebFrontendProps = {}) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const edge = this.profile.edge;
    const retain = this.profile.dataProtection.retainOnDelete;
    const stack = Stack.of(this);

    const domainNames = this.validateDomain(props);
    const apiPath = props.api ? this.validatePathPattern(props.api.pathPattern ?? DEFAULT_API_PATH) : undefined;
    if (props.responseHeadersPolicy) {
      for (const prop of ['contentSecurityPolicy', 'hstsPreload', 'hstsMaxAgeDays'] as const) {
        if (props[prop] !== undefined) {
          throw propError(this, prop, props[prop], 'must be left out with responseHeadersPolicy: set it in that policy instead');
        }
      }
    }
    const csp = props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY;
    validateContentSecurityPolicy(this, csp, apiPath, domainNames);
    if (props.minimumTlsVersion !== undefined && !props.certificate) {
      throw propError(this, 'minimumTlsVersion', props.minimumTlsVersion, 'needs a custom domain and its certificate: the default *.cloudfront.net certificate keeps CloudFront\'s own TLS policy');
    }
    if (!Token.isUnresolved(stack.region) && NO_STANDARD_LOGGING_REGIONS.includes(stack.region)) {
      throw propError(this, 'scope', stack.region,
        `CloudFront standard logging cannot deliver to a bucket in ${stack.region}; put the WebFrontend in a stack of another region (us-east-1 holds its web ACL anyway)`);
    }
    const hstsDays = props.hstsMaxAgeDays ?? edge.hstsMaxAgeDays;
    validateIntegerRange(this, 'hstsMaxAgeDays', hstsDays, props.hstsPreload ? HSTS_PRELOAD_MIN_DAYS : 1, 3650);
    const blockedCountries = validateCountryCodes(this, 'blockedCountries', props.blockedCountries ?? edge.blockedCountries);
    const retentionDays = props.accessLogRetentionDays ?? edge.accessLogRetentionDays;
    validateIntegerRange(this, 'accessLogRetentionDays', retentionDays, 1, 3653);
    const priceClass = props.priceClass ?? (edge.priceClass as cloudfront.PriceClass);
    if (!Object.values(cloudfront.PriceClass).includes(priceClass)) {
      throw propError(this, 'priceClass', priceClass, `must be one of ${Object.values(cloudfront.PriceClass).join(', ')}`);
    }
    if (props.shieldAdvanced && !Token.isUnresolved(stack.region) && stack.region !== CLOUDFRONT_REGION) {
      throw propError(this, 'shieldAdvanced', true, `protects a CloudFront distribution only from ${CLOUDFRONT_REGION}; this stack is in ${stack.region}`);
    }

    // Access logs of the distribution and of the app bucket. CloudFront's
    // standard logging writes with an ACL grant, hence ACLs on this bucket.
    this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogs', {
      removalPolicy: removalPolicyFor(retain),
      expirationDays: retentionDays,
      subject: `the web frontend ${this.node.path}`,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    acknowledgeAccessLogsInRegion(this.accessLogsBucket);

    // The bucket's name is fixed at synthesis, so the distribution reaches it
    // by name and the key policy can name the distribution without a
    // circular reference (key -> distribution -> bucket -> key).
    const bucketName = `${Names.uniqueResourceName(this, { maxLength: 30, separator: '-' }).toLowerCase()}-${stack.account}-${stack.region}`;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'BucketKey', {
      description: `Encrypts the web app files of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    this.bucket = createEncryptedBucket(this, 'Bucket', {
      bucketName,
      encryptionKey: this.encryptionKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 's3/',
      lifecycleRules: [{
        id: 'ExpireReplacedBuilds',
        noncurrentVersionExpiration: Duration.days(retentionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: removalPolicyFor(retain),
    });

    acknowledgeRules(this.bucket, 'The app files are rebuilt from source on every release and the bucket is versioned; replicating a public web build to another region adds cost without protecting any data.', [
      'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled',
    ]);

    this.responseHeadersPolicy = props.responseHeadersPolicy ?? new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Security headers of ${this.node.path}`.slice(0, 128),
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(hstsDays),
          includeSubdomains: true,
          preload: props.hstsPreload ?? false,
          override: true,
        },
      },
      removeHeaders: ['Server'],
    });
    this.spaRewriteFunction = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serve the single-page app\'s deep links with /index.html',
    });

    if (props.api) {
      this.validateApiLoadBalancer(props.api);
      this.apiViewerIpFunction = new cloudfront.Function(this, 'ApiViewerIp', {
        code: cloudfront.FunctionCode.fromInline(VIEWER_IP_FUNCTION_CODE),
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        comment: `Pass the viewer's address to the API in ${VIEWER_IP_HEADER_NAME}`,
      });
    }
    this.webAcl = this.resolveWebAcl(props, blockedCountries);
    const certificate = props.certificate ? this.consumeCertificate(props.certificate) : undefined;
    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: `Signed reads of ${this.node.path} from its bucket`.slice(0, 256),
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Web app and API of ${this.node.path}`.slice(0, 128),
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: new OriginAccessControlBucketOrigin(`${bucketName}.s3.${stack.region}.${Aws.URL_SUFFIX}`, originAccessControl.originAccessControlId),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
        functionAssociations: [{ function: this.spaRewriteFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: props.api && apiPath ? {
        [apiPath]: {
          origin: origins.VpcOrigin.withApplicationLoadBalancer(props.api.loadBalancer, {
            domainName: validateDomainName(this, 'api.domainName', props.api.domainName),
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
            httpsPort: 443,
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Everything the viewer sent but its Host header: CloudFront checks
          // the origin's certificate against the Host it forwards, and the
          // load balancer's certificate covers the origin name, not the app's.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
          functionAssociations: [{ function: this.apiViewerIpFunction!, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      } : undefined,
      domainNames: domainNames.length > 0 ? domainNames : undefined,
      certificate,
      minimumProtocolVersion: certificate ? this.validateTlsVersion(props.minimumTlsVersion) : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass,
      geoRestriction: blockedCountries.length > 0 ? cloudfront.GeoRestriction.denylist(...blockedCountries) : undefined,
      webAclId: this.webAclArnHere(),
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
    });
    if (!Token.isUnresolved(this.webAcl.webAclName)) {
      Tags.of(this.distribution).add(WEB_ACL_TAG, this.webAcl.webAclName);
    }
    this.domainName = domainNames[0] ?? this.distribution.distributionDomainName;
    this.grantDistributionRead();
    if (!certificate) {
      acknowledgeRules(this.distribution,
        `No custom domain (stage ${this.profile.stage}): viewers use the distribution's *.cloudfront.net name, whose default certificate CloudFront serves with its own TLS policy.`,
        ['AwsSolutions-CFR4']);
    }
    if (blockedCountries.length === 0) {
      acknowledgeRules(this.distribution, 'No country is blocked by choice (blockedCountries is empty).', ['AwsSolutions-CFR1']);
    }

    if (props.shieldAdvanced) {
      this.shieldProtection = shieldProtection(this, this.distribution.distributionArn, this.webAcl);
    }
  }

  /**
   * Let a CI role publish a build: list, upload, replace and delete the app's
   * files (encrypting them with the bucket key) and invalidate the
   * distribution's cache. The permissions sit in a customer-managed policy
   * attached to the role by name, so they also reach a role whose own
   * policy CDK may not change (an imported or immutable role, such as a
   * `GithubDeployRoles` role).
   *
   * @param id construct ID of the policy, unique in this frontend
   * @param role the role of the deploy job
   * @returns the policy
   */
  public grantDeploy(id: string, role: iam.IRole): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, id, {
      description: `Publish the web app of ${this.node.path}: its bucket and the distribution's invalidations`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'ListTheAppFiles', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
        new iam.PolicyStatement({
          sid: 'PublishTheAppFiles',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptTheAppFiles',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'InvalidateTheCache',
          actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
          resources: [this.distribution.distributionArn],
        }),
      ],
    });
    acknowledgeWildcardResource(policy, this.bucket.arnForObjects('*'),
      'A release replaces every file of the app (hashed names change with each build), so the deploy role writes any object of this one bucket and nothing else.');
    return policy;
  }

  /** Custom domain and certificate: both or neither; production needs them unless accepted. */
  private validateDomain(props: WebFrontendProps): string[] {
    const domainNames = props.domainNames ?? [];
    if (domainNames.length > MAX_ALTERNATE_DOMAIN_NAMES) {
      throw propError(this, 'domainNames', domainNames, `must list at most ${MAX_ALTERNATE_DOMAIN_NAMES} names (CloudFront's quota)`);
    }
    domainNames.forEach((name, i) => validateDomainName(this, `domainNames[${i}]`, name, true));
    if (new Set(domainNames).size !== domainNames.length) {
      throw propError(this, 'domainNames', domainNames, 'must not repeat a name');
    }
    this.validateWildcards(domainNames);
    if (domainNames.length > 0 && !props.certificate) {
      throw propError(this, 'certificate', undefined, `is needed with domainNames ${domainNames.join(', ')}: an ACM certificate in ${CLOUDFRONT_REGION} that covers them`);
    }
    if (props.certificate && domainNames.length === 0) {
      throw propError(this, 'domainNames', domainNames, 'must list the names the certificate covers; a certificate without domain names is never used');
    }
    if (props.certificate) {
      validateCertificate(this, 'certificate', props.certificate, CLOUDFRONT_REGION, 'CloudFront only uses ACM certificates from us-east-1');
    }
    if (domainNames.length === 0 && this.profile.edge.requireCustomDomain
      && !(props.acceptedRisks ?? []).includes(WebFrontendRisk.NO_CUSTOM_DOMAIN)) {
      throw propError(this, 'domainNames', domainNames,
        `stage ${this.profile.stage} needs a custom domain and its certificate (its profile's edge.requireCustomDomain is on; the default *.cloudfront.net certificate allows TLS 1.0); `
        + 'to go ahead anyway, add WebFrontendRisk.NO_CUSTOM_DOMAIN to acceptedRisks');
    }
    return domainNames;
  }

  /**
   * A wildcard covers one label: a name that a listed wildcard already
   * covers (`app.example.com` with `*.example.com`) is redundant, which is
   * worth a warning (the certificate must cover both anyway).
   */
  private validateWildcards(domainNames: string[]): void {
    domainNames.forEach((name, i) => {
      if (Token.isUnresolved(name) || name.startsWith('*.')) return;
      const parent = name.split('.').slice(1).join('.');
      const j = domainNames.indexOf(`*.${parent}`);
      if (j >= 0) {
        Annotations.of(this).addWarningV2('@innovate-inc/platform-constructs:WebFrontend.redundantDomainName',
          `domainNames[${i}] ${name} is already covered by the wildcard domainNames[${j}] ${domainNames[j]}.`);
      }
    });
  }

  private validatePathPattern(pattern: string): string {
    if (!pattern.startsWith('/') || !pattern.endsWith('*') || pattern.length > MAX_PATH_PATTERN
      || !/^[A-Za-z0-9_\-.*$/~"'@:+&]+$/.test(pattern) || pattern === '/*' || pattern === '*') {
      throw propError(this, 'api.pathPattern', pattern,
        `must be a CloudFront path pattern starting with "/" and ending with "*" (e.g. /api/*), at most ${MAX_PATH_PATTERN} characters, other than "/*" (the app's own files)`);
    }
    return pattern;
  }

  /**
   * The API's load balancer must be internal (a VPC origin reaches only
   * private origins, and an internet-facing one would open a path around
   * CloudFront), and an `ApiLoadBalancer` must answer to `api.domainName`.
   */
  private validateApiLoadBalancer(api: WebFrontendApiOptions): void {
    const owner = api.loadBalancer.node.scope;
    if (owner instanceof ApiLoadBalancer) {
      if (owner.internetFacing) {
        throw propError(this, 'api.loadBalancer', owner.node.path, 'must be internal: CloudFront reaches it through a VPC origin, and an internet-facing one would let clients around CloudFront and its web ACL');
      }
      if (!Token.isUnresolved(api.domainName) && !Token.isUnresolved(owner.domainName) && api.domainName !== owner.domainName) {
        throw propError(this, 'api.domainName', api.domainName, `must be the name the load balancer's certificate covers, ${owner.domainName} (ApiLoadBalancer.domainName): CloudFront checks the origin's certificate against it`);
      }
    } else if (api.loadBalancer instanceof elbv2.ApplicationLoadBalancer) {
      const scheme = (api.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer).scheme;
      if (scheme === 'internet-facing') {
        throw propError(this, 'api.loadBalancer', api.loadBalancer.node.path, 'must be internal: CloudFront reaches it through a VPC origin, and an internet-facing one would let clients around CloudFront and its web ACL');
      }
    }
  }

  private validateTlsVersion(version: cloudfront.SecurityPolicyProtocol | undefined): cloudfront.SecurityPolicyProtocol {
    const chosen = version ?? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021;
    if (!TLS12_OR_NEWER.includes(chosen)) {
      throw propError(this, 'minimumTlsVersion', chosen, `must be TLS 1.2 or newer: one of ${TLS12_OR_NEWER.join(', ')}`);
    }
    return chosen;
  }

  /**
   * The given web ACL, or a new one: here when this stack is in us-east-1
   * (or its region is unknown), otherwise in the edge stack.
   */
  private resolveWebAcl(props: WebFrontendProps, blockedCountries: string[]): PlatformWebAcl {
    if (props.webAcl) {
      for (const prop of ['webAclMode', 'edgeStack'] as const) {
        if (props[prop] !== undefined) {
          throw propError(this, prop, prop === 'edgeStack' ? props.edgeStack!.node.path : props.webAclMode,
            'applies only to the web ACL this construct creates; leave it out with webAcl');
        }
      }
      if (props.webAcl.aclScope !== WebAclScope.CLOUDFRONT) {
        throw propError(this, 'webAcl', props.webAcl.node.path, 'must be a CLOUDFRONT web ACL (a REGIONAL one cannot be attached to a distribution)');
      }
      return props.webAcl;
    }
    const region = Stack.of(this).region;
    const here = Token.isUnresolved(region) || region === CLOUDFRONT_REGION;
    if (here && props.edgeStack) {
      throw propError(this, 'edgeStack', props.edgeStack.node.path, `is used only when this stack is outside ${CLOUDFRONT_REGION}; the web ACL is created next to the distribution here`);
    }
    const scope = here ? this : this.edgeStack(props.edgeStack);
    return new PlatformWebAcl(scope, here ? 'WebAcl' : `${Names.uniqueId(this)}WebAcl`, {
      profile: this.profile,
      aclScope: WebAclScope.CLOUDFRONT,
      mode: props.webAclMode,
      blockedCountries,
    });
  }

  /** The us-east-1 stack for the web ACL: the given one, or one created next to this stack. */
  private edgeStack(given: Stack | undefined): Stack {
    const stack = Stack.of(this);
    if (given) {
      if (!Token.isUnresolved(given.region) && given.region !== CLOUDFRONT_REGION) {
        throw propError(this, 'edgeStack', given.node.path, `must be in ${CLOUDFRONT_REGION} (CloudFront web ACLs exist only there), not ${given.region}`);
      }
      return given;
    }
    const parent = stack.node.scope as Construct;
    const id = `${stack.node.id}Edge`;
    const existing = parent.node.tryFindChild(id);
    if (existing) return existing as Stack;
    const qualifier = stack.synthesizer.bootstrapQualifier;
    return new Stack(parent, id, {
      // Stack names are at most 128 characters.
      stackName: `${stack.stackName.slice(0, 123)}-edge`,
      env: { account: Token.isUnresolved(stack.account) ? undefined : stack.account, region: CLOUDFRONT_REGION },
      synthesizer: qualifier ? new DefaultStackSynthesizer({ qualifier }) : undefined,
      description: `CloudFront web ACLs of ${stack.stackName} (CloudFront reads them in ${CLOUDFRONT_REGION} only)`,
      terminationProtection: stack.terminationProtection,
    });
  }

  /**
   * The web ACL's ARN as this stack may use it: directly from its own stack,
   * otherwise through a weak reference (`Fn::GetStackOutput`), which, unlike
   * an export, never blocks replacing the ACL.
   */
  private webAclArnHere(): string {
    if (Stack.of(this.webAcl) === Stack.of(this)) return this.webAcl.webAclArn;
    return Stack.consumeReference(this.webAcl.webAclArn, ReferenceStrength.WEAK);
  }

  /** A certificate of another stack, read through a weak reference. */
  private consumeCertificate(certificate: acm.ICertificate): acm.ICertificate {
    const arn = certificate.certificateArn;
    if (!Token.isUnresolved(arn) || Stack.of(certificate) === Stack.of(this)) return certificate;
    return acm.Certificate.fromCertificateArn(this, 'Certificate', Stack.consumeReference(arn, ReferenceStrength.WEAK));
  }

  /**
   * Reads of the app's files by this distribution only: the bucket policy
   * and the key policy both name its ARN.
   */
  private grantDistributionRead(): void {
    const fromThisDistribution = { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } };
    const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowThisDistributionToReadTheAppFiles',
      principals: [principal],
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: fromThisDistribution,
    }));
    const keyStatement = this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowThisDistributionToDecryptTheAppFiles',
      principals: [principal],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: fromThisDistribution,
    }));
    if (!keyStatement.statementAdded) {
      Annotations.of(this).addWarningV2('@innovate-inc/platform-constructs:WebFrontend.importedKey',
        'The imported encryptionKey\'s policy cannot be changed here: allow cloudfront.amazonaws.com kms:Decrypt with the condition AWS:SourceArn = this distribution\'s ARN, or every file read fails with 403.');
    }
  }
}

/**
 * An S3 REST origin read with origin access control, addressed by the
 * bucket's regional name. aws-cdk-lib's `S3BucketOrigin.withOriginAccessControl`
 * would add a key-policy statement for every distribution of the account
 * (`distribution/*`); `WebFrontend` writes both policies itself instead.
 */
class OriginAccessControlBucketOrigin extends cloudfront.OriginBase {
  constructor(domainName: string, private readonly oacId: string) {
    super(domainName);
  }

  public bind(scope: Construct, options: cloudfront.OriginBindOptions): cloudfront.OriginBindConfig {
    const config = super.bind(scope, options);
    return { ...config, originProperty: { ...config.originProperty!, originAccessControlId: this.oacId } };
  }

  protected renderS3OriginConfig(): cloudfront.CfnDistribution.S3OriginConfigProperty {
    // No origin access identity: the origin access control signs the reads.
    return { originAccessIdentity: '' };
  }
}
