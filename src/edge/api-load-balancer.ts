import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as shield from 'aws-cdk-lib/aws-shield';
import { Construct } from 'constructs';
import { acknowledgeAccessLogsInRegion, shieldProtection, validateDomainName, validateRegionOf } from './private/edge-validation';
import { VIEWER_IP_HEADER } from './private/viewer-ip';
import { PlatformWebAcl, WebAclMode, WebAclScope } from './web-acl';
import { createAccessLogsBucket } from '../private/access-logs-bucket';
import { acknowledgeRules } from '../private/compliance';
import { removalPolicyFor } from '../private/stage';
import { propError, validateIntegerRange } from '../private/validation';
import { PlatformStage, StageProfile, StageProfiles } from '../profiles';

/** The health endpoint the Flask API serves. */
const DEFAULT_HEALTH_CHECK_PATH = '/health';
const MAX_HEALTH_CHECK_PATH = 1024;
/** ALB security policies that negotiate TLS 1.2 or newer only. */
const TLS12_OR_NEWER = /^ELBSecurityPolicy-(TLS13-1-[23]|FS-1-2|TLS-1-2)/;

/**
 * Properties of an `ApiLoadBalancer`.
 */
export interface ApiLoadBalancerProps {
  /**
   * The stage whose preset (`StageProfiles`) fills every default below.
   *
   * @default PlatformStage.PRODUCTION
   */
  readonly stage?: PlatformStage;

  /**
   * The preset to read defaults from (`edge.*`, `network.applicationPort`,
   * `dataProtection.retainOnDelete`).
   *
   * @default StageProfiles.of(stage)
   */
  readonly profile?: StageProfile;

  /** The VPC of the load balancer and of the API's pods. */
  readonly vpc: ec2.IVpc;

  /**
   * The load balancer's security group: `PlatformNetwork.loadBalancerSecurityGroup`,
   * which the application tier admits on the application port.
   */
  readonly securityGroup: ec2.ISecurityGroup;

  /**
   * Where the load balancer's nodes live.
   *
   * @default - the application (private with egress) subnets when internal, the public subnets when internet-facing
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Internet-facing (public subnets) instead of internal. An internal load
   * balancer is reachable only through CloudFront's VPC origin
   * (`WebFrontend`), which is the design's default. Match the security
   * group's rules: `PlatformNetwork` with `LoadBalancerAccess.INTERNET` for
   * an internet-facing one, `CLOUDFRONT_VPC_ORIGIN` (its default) otherwise.
   *
   * @default false
   */
  readonly internetFacing?: boolean;

  /**
   * The ACM certificate of the HTTPS listener, in this stack's region. It
   * must cover `domainName`.
   */
  readonly certificate: acm.ICertificate;

  /**
   * The DNS name CloudFront (or a client) uses to reach the load balancer,
   * covered by `certificate`, e.g. `api-origin.example.com`. CloudFront
   * checks the origin's certificate against it.
   */
  readonly domainName: string;

  /**
   * Port the API's pods listen on; the target group sends requests and
   * health checks there.
   *
   * @default - the stage preset's `network.applicationPort`
   */
  readonly targetPort?: number;

  /**
   * Path of the API's health endpoint, checked on every target.
   *
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * TLS policy of the HTTPS listener; only policies that refuse TLS 1.0 and
   * 1.1 are accepted.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * The REGIONAL web ACL associated with the load balancer, in this stack's
   * region. Behind CloudFront (internal), it must read the client's address
   * from `ApiLoadBalancer.VIEWER_IP_HEADER` (`forwardedIpHeader`), which
   * `WebFrontend` sets on every API request.
   *
   * @default - a new `PlatformWebAcl` of this stage, in `webAclMode`, reading `VIEWER_IP_HEADER` when internal
   */
  readonly webAcl?: PlatformWebAcl;

  /**
   * What the new web ACL's rules do: `COUNT` to roll them out and watch
   * before they block. Only for the web ACL this construct creates.
   *
   * @default WebAclMode.BLOCK
   */
  readonly webAclMode?: WebAclMode;

  /**
   * Let request bodies over 8 KB through the common rule set (its
   * `SizeRestrictions_BODY` rule only counts): for an API that accepts
   * larger JSON or uploads. Only for the web ACL this construct creates.
   *
   * @default false
   */
  readonly countOversizedBodies?: boolean;

  /**
   * Protect the load balancer from deletion.
   *
   * @default - the stage preset's `edge.loadBalancerDeletionProtection`
   */
  readonly deletionProtection?: boolean;

  /**
   * Days the load balancer's access logs are kept.
   *
   * @default - the stage preset's `edge.accessLogRetentionDays`
   */
  readonly accessLogRetentionDays?: number;

  /**
   * Protect the load balancer with AWS Shield Advanced, with automatic
   * application-layer DDoS mitigation through its web ACL. Needs an active
   * Shield Advanced subscription (outside CloudFormation; see the security
   * page of the docs).
   *
   * @default false
   */
  readonly shieldAdvanced?: boolean;
}

/**
 * The API's Application Load Balancer, owned by CDK so that its ARN, name,
 * security group and alarms are known at synthesis: HTTPS with a TLS 1.2+
 * policy and an ACM certificate (and, when internet-facing, HTTP redirected
 * to HTTPS), invalid headers
 * dropped, access logs in an encrypted bucket, deletion protection in
 * production, a REGIONAL web ACL, and an IP target group that the AWS Load
 * Balancer Controller fills with the API's pods through a
 * `TargetGroupBinding` (`ObservableEksCluster.addTargetGroupBinding`).
 *
 * @example
 * const api = new ApiLoadBalancer(this, 'Api', {
 *   stage: PlatformStage.PRODUCTION,
 *   vpc: network.vpc,
 *   securityGroup: network.loadBalancerSecurityGroup,
 *   certificate,
 *   domainName: 'api-origin.example.com',
 * });
 */
export class ApiLoadBalancer extends Construct {
  /**
   * The header `WebFrontend` sets, on every API request, to the address
   * CloudFront received it from (overwriting anything the client sent):
   * the API's web ACL rate-limits and geo-blocks by it. A web ACL given for
   * an internal load balancer must read it (`forwardedIpHeader`).
   */
  public static readonly VIEWER_IP_HEADER: string = VIEWER_IP_HEADER;

  /** The stage preset this load balancer was built from. */
  public readonly profile: StageProfile;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener. */
  public readonly httpsListener: elbv2.ApplicationListener;
  /** The HTTP listener of an internet-facing load balancer, which only redirects to HTTPS. */
  public readonly httpListener?: elbv2.ApplicationListener;
  /** The IP target group the API's pods are registered in. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The REGIONAL web ACL associated with the load balancer. */
  public readonly webAcl: PlatformWebAcl;
  /** The bucket receiving the access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The DNS name covered by the certificate. */
  public readonly domainName: string;
  /** The port the target group sends to. */
  public readonly targetPort: number;
  /** Whether the load balancer is internet-facing (otherwise internal, behind CloudFront). */
  public readonly internetFacing: boolean;
  /** Shield Advanced protection, when switched on. */
  public readonly shieldProtection?: shield.CfnProtection;

  /**
   * @param scope the parent construct, in a stack with an explicit region
   * @param id the construct ID
   * @param props the network, certificate and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.profile = props.profile ?? StageProfiles.of(props.stage ?? PlatformStage.PRODUCTION);
    const edge = this.profile.edge;
    const retain = this.profile.dataProtection.retainOnDelete;

    validateRegionOf(this, 'certificate', props.certificate, Stack.of(this).region, 'an HTTPS listener uses a certificate of its own region');
    this.domainName = validateDomainName(this, 'domainName', props.domainName);
    this.targetPort = props.targetPort ?? this.profile.network.applicationPort;
    validateIntegerRange(this, 'targetPort', this.targetPort, 1, 65535);
    const healthCheckPath = props.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH;
    if (!healthCheckPath.startsWith('/') || healthCheckPath.length > MAX_HEALTH_CHECK_PATH || /\s/.test(healthCheckPath)) {
      throw propError(this, 'healthCheckPath', healthCheckPath, `must be a path starting with "/", without spaces, at most ${MAX_HEALTH_CHECK_PATH} characters`);
    }
    const sslPolicy = props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS;
    if (!TLS12_OR_NEWER.test(sslPolicy)) {
      throw propError(this, 'sslPolicy', sslPolicy, 'must be a policy that negotiates TLS 1.2 or newer only (ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -FS-1-2-*, -TLS-1-2-*)');
    }
    const retentionDays = props.accessLogRetentionDays ?? edge.accessLogRetentionDays;
    validateIntegerRange(this, 'accessLogRetentionDays', retentionDays, 1, 3653);
    const internetFacing = props.internetFacing ?? false;
    this.internetFacing = internetFacing;

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: props.vpcSubnets ?? { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? edge.loadBalancerDeletionProtection,
      http2Enabled: true,
    });
    if (!(props.deletionProtection ?? edge.loadBalancerDeletionProtection)) {
      acknowledgeRules(this.loadBalancer, `Deletion protection is off by choice for stage ${this.profile.stage}: the load balancer holds no data and is re-created from code.`, [
        'HIPAA.Security-ELBDeletionProtectionEnabled',
        'NIST.800.53.R5-ELBDeletionProtectionEnabled',
      ]);
    }

    // Access logs: S3 log delivery for load balancers supports SSE-S3 only.
    this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogs', {
      removalPolicy: removalPolicyFor(retain),
      expirationDays: retentionDays,
      subject: `the load balancer ${this.node.path}`,
    });
    acknowledgeAccessLogsInRegion(this.accessLogsBucket);
    this.loadBalancer.logAccessLogs(this.accessLogsBucket, 'alb');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'ApiTargets', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: this.targetPort,
      healthCheck: {
        path: healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      // Rolling updates: a pod leaving the service stops getting new
      // requests, and has 30 s to finish the ones it has.
      deregistrationDelay: Duration.seconds(30),
    });

    this.httpsListener = this.loadBalancer.addListener('Https', {
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)],
      sslPolicy,
      defaultTargetGroups: [this.targetGroup],
      open: false,
    });
    // An internet-facing load balancer answers plain HTTP with a redirect;
    // an internal one behind CloudFront is reached over HTTPS only.
    if (internetFacing) {
      this.httpListener = this.loadBalancer.addListener('Http', {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
        open: false,
      });
      acknowledgeRules(this.httpListener, 'The HTTP listener holds no certificate because it serves nothing: its only action is a permanent redirect to the HTTPS listener, which uses the ACM certificate.', [
        'HIPAA.Security-ELBv2ACMCertificateRequired',
        'NIST.800.53.R5-ELBv2ACMCertificateRequired',
        'PCI.DSS.321-ELBv2ACMCertificateRequired',
      ]);
    }

    this.webAcl = props.webAcl ? this.validateWebAcl(props) : new PlatformWebAcl(this, 'WebAcl', {
      profile: this.profile,
      aclScope: WebAclScope.REGIONAL,
      mode: props.webAclMode,
      countOversizedBodies: props.countOversizedBodies,
      forwardedIpHeader: internetFacing ? undefined : VIEWER_IP_HEADER,
    });
    this.webAcl.associate(`${Names.uniqueId(this)}Association`, this.loadBalancer.loadBalancerArn);

    if (props.shieldAdvanced) {
      this.shieldProtection = shieldProtection(this, this.loadBalancer.loadBalancerArn, this.webAcl);
    }
  }

  /** A given web ACL: REGIONAL, in this region, reading the viewer's address when behind CloudFront; no options meant for a new one. */
  private validateWebAcl(props: ApiLoadBalancerProps): PlatformWebAcl {
    const webAcl = props.webAcl!;
    if (props.webAclMode !== undefined || props.countOversizedBodies !== undefined) {
      throw propError(this, props.webAclMode !== undefined ? 'webAclMode' : 'countOversizedBodies', props.webAclMode ?? props.countOversizedBodies,
        'applies only to the web ACL this construct creates; set it on the PlatformWebAcl given as webAcl');
    }
    if (webAcl.aclScope !== WebAclScope.REGIONAL) {
      throw propError(this, 'webAcl', webAcl.node.path, 'must be a REGIONAL web ACL (a CLOUDFRONT one cannot be associated with a load balancer)');
    }
    const aclRegion = Stack.of(webAcl).region;
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(aclRegion) && !Token.isUnresolved(region) && aclRegion !== region) {
      throw propError(this, 'webAcl', webAcl.node.path, `must be in the load balancer's region ${region}, not ${aclRegion}: a web ACL protects resources of its own region only`);
    }
    if (!(props.internetFacing ?? false) && webAcl.forwardedIpHeader?.toLowerCase() !== VIEWER_IP_HEADER.toLowerCase()) {
      throw propError(this, 'webAcl', webAcl.node.path,
        `must read the client's address from ${VIEWER_IP_HEADER} (forwardedIpHeader) for an internal load balancer: behind CloudFront every request comes from a CloudFront address, so a rate limit by source address would block all users of an edge location together`);
    }
    return webAcl;
  }
}
