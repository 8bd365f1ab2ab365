import { Arn, ArnFormat, IResource, Stack, Token } from 'aws-cdk-lib';
import * as shield from 'aws-cdk-lib/aws-shield';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRules } from '../../private/compliance';
import { propError, validateArn } from '../../private/validation';
import { PlatformWebAcl, WebAclMode } from '../web-acl';

/** A DNS label: letters, digits and hyphens, not at either end, at most 63 characters. */
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_DOMAIN_NAME = 253;

/**
 * Throw unless `name` is a fully qualified, lowercase DNS name of at least
 * two labels (a wildcard first label is accepted when `allowWildcard`).
 * Returns the name.
 */
export function validateDomainName(scope: IConstruct, prop: string, name: string, allowWildcard = false): string {
  if (typeof name !== 'string') throw propError(scope, prop, name, 'must be a fully qualified domain name such as app.example.com');
  if (Token.isUnresolved(name)) return name;
  const labels = name.split('.');
  const first = allowWildcard && labels[0] === '*' ? labels.slice(1) : labels;
  if (name.length > MAX_DOMAIN_NAME || labels.length < 2 || !first.every((label) => DNS_LABEL.test(label))) {
    throw propError(scope, prop, name,
      `must be a fully qualified domain name such as app.example.com: lowercase letters, digits and hyphens in dot-separated labels of at most 63 characters, ${MAX_DOMAIN_NAME} in all`);
  }
  return name;
}

/**
 * Throw unless a certificate's concrete ARN is an ACM certificate ARN
 * (`arn:aws:acm:<region>:<account>:certificate/<id>`) in `region`.
 */
export function validateCertificate(scope: IConstruct, prop: string, certificate: IResource, region: string, why: string): void {
  const arn = arnOf(certificate);
  if (arn !== undefined && !Token.isUnresolved(arn)) {
    validateArn(scope, prop, arn, {
      service: 'acm',
      resourcePrefix: 'certificate/',
      example: `arn:aws:acm:${Token.isUnresolved(region) ? 'us-east-1' : region}:123456789012:certificate/0123abcd-4567-89ef-0123-456789abcdef`,
    });
  }
  validateRegionOf(scope, prop, certificate, region, why);
}

/**
 * Throw when a resource's region is known and is not `region` (an ACM
 * certificate of the wrong region fails only at deploy time otherwise).
 */
export function validateRegionOf(scope: IConstruct, prop: string, resource: IResource, region: string, why: string): void {
  // An imported resource's env is its importing stack's; its ARN tells the truth.
  const arn = arnOf(resource);
  const actual = arn !== undefined && !Token.isUnresolved(arn) ? Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region ?? '' : resource.env.region;
  if (Token.isUnresolved(actual) || Token.isUnresolved(region) || actual === region) return;
  throw propError(scope, prop, resourceIdentity(resource), `must be in ${region}, not ${actual}: ${why}`);
}

/** The ARN of a certificate (the resources these checks take). */
function arnOf(resource: IResource): string | undefined {
  return (resource as unknown as { certificateArn?: string }).certificateArn;
}

/** What an error shows of a resource: its ARN when concrete, its construct path otherwise. */
function resourceIdentity(resource: IResource): string {
  const arn = arnOf(resource);
  return arn !== undefined && !Token.isUnresolved(arn) ? arn : resource.node.path;
}

/**
 * AWS Shield Advanced protection of one resource, with automatic
 * application-layer DDoS mitigation through the resource's web ACL (in the
 * ACL's mode: a counting ACL only counts the mitigation rules too).
 */
export function shieldProtection(scope: Construct, resourceArn: string, webAcl: PlatformWebAcl): shield.CfnProtection {
  const protection = new shield.CfnProtection(scope, 'ShieldProtection', {
    name: scope.node.path.replace(/[^A-Za-z0-9_.-]/g, '-').slice(-128),
    resourceArn,
    applicationLayerAutomaticResponseConfiguration: {
      status: 'ENABLED',
      action: webAcl.mode === WebAclMode.COUNT ? { count: {} } : { block: {} },
    },
  });
  // Automatic mitigation needs the web ACL associated first (across stacks,
  // the stack order already gives that).
  if (Stack.of(webAcl) === Stack.of(scope)) protection.node.addDependency(webAcl);
  return protection;
}

/**
 * Access logs stay in their region for their retention: a regional outage
 * loses request logs, never user data, and replicating them would double
 * their storage for no recovery purpose.
 */
export function acknowledgeAccessLogsInRegion(bucket: IConstruct): void {
  acknowledgeRules(bucket, 'Access logs stay in their region for their retention period: a regional outage loses request logs, never user data, so a cross-region copy would double their storage cost without serving recovery.', [
    'HIPAA.Security-S3BucketReplicationEnabled',
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'PCI.DSS.321-S3BucketReplicationEnabled',
  ]);
}

/** An Application Load Balancer name: at most 32 letters, digits and hyphens. */
const ALB_NAME = /^[A-Za-z0-9-]{1,32}$/;

/**
 * Throw unless `name` is a name Elastic Load Balancing accepts for a load
 * balancer: 1 to 32 letters, digits and hyphens, not starting or ending with
 * a hyphen, not starting with `internal-`.
 */
export function validateLoadBalancerName(scope: IConstruct, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (!ALB_NAME.test(name) || name.startsWith('-') || name.endsWith('-') || name.toLowerCase().startsWith('internal-')) {
    throw propError(scope, prop, name,
      'must be 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen and not starting with "internal-" (Elastic Load Balancing\'s naming rule)');
  }
}
