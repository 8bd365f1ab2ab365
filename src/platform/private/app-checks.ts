import { Stage, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { cidrsOverlap, parseIpv4Cidr } from '../../private/cidr';
import { propError, validateIntegerRange, validatePattern } from '../../private/validation';
import { StageProfile } from '../../profiles/stage-profile';
import type { InnovatePlatformProps } from '../innovate-platform';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_LABEL_RULE = "must be an RFC 1123 DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/** What one platform of an app claims: checked against the other platforms of the same app. */
interface Claim {
  readonly path: string;
  readonly cidr?: string;
  readonly account?: string;
  readonly region: string;
  readonly clusterName: string;
}

/** The platforms of each app (keyed by the app, the root of the construct tree). */
const CLAIMS = new WeakMap<IConstruct, Claim[]>();

/** The CIDR of the platform's VPC, when it is known at synthesis. */
function vpcCidrOf(props: InnovatePlatformProps, profile: StageProfile): string | undefined {
  const existing = props.network?.existing;
  if (!existing) return props.network?.vpcCidr ?? profile.network.vpcCidr;
  try {
    const cidr = existing.vpc.vpcCidrBlock;
    return Token.isUnresolved(cidr) ? undefined : cidr;
  } catch {
    return undefined; // an imported VPC without its CIDR
  }
}

/**
 * Refuse what the platform's own props get wrong, and what only shows when
 * several platforms share an app: overlapping VPC ranges (no VPN, peering or
 * Phase 2 migration between them without re-addressing), one cluster name
 * twice in an account and region, stack names already taken.
 */
export function checkPlatformInApp(platform: Construct, scope: Construct, props: InnovatePlatformProps, profile: StageProfile, prefix: string): void {
  if (!Stage.isStage(scope)) {
    throw propError(platform, 'scope', scope.node.path, 'must be an App or a Stage: InnovatePlatform creates its stacks next to itself, not inside a stack');
  }
  const api = props.api ?? {};
  validatePattern(platform, 'api.namespace', api.namespace, DNS_LABEL, DNS_LABEL_RULE);
  validatePattern(platform, 'api.serviceName', api.serviceName, DNS_LABEL, DNS_LABEL_RULE);
  validateIntegerRange(platform, 'api.port', api.port, 1, 65535);
  validatePattern(platform, 'api.healthCheckPath', api.healthCheckPath, /^\/\S{0,1023}$/,
    'must be a path starting with "/", without spaces, at most 1024 characters');
  const clusterName = props.cluster.clusterName ?? profile.cluster.clusterName;
  validatePattern(platform, props.cluster.clusterName === undefined ? 'profile.cluster.clusterName' : 'cluster.clusterName', clusterName, EKS_CLUSTER_NAME,
    'must be an EKS cluster name: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit');

  const network = props.network?.existing;
  const database = props.database?.existing;
  if (database && !network) {
    throw propError(platform, 'database.existing', database.node.path,
      'needs network.existing too: a database you have lives in a network you have, and the API must reach it there');
  }
  const databasePort = network?.databasePort ?? profile.database.port;
  if (database && !Token.isUnresolved(database.port) && !Token.isUnresolved(databasePort) && database.port !== databasePort) {
    throw propError(platform, 'database.existing', database.node.path,
      `listens on port ${database.port} but the network admits the database tier on ${databasePort}: import the network with databasePort ${database.port}`);
  }
  const appPort = api.port ?? network?.applicationPort ?? profile.network.applicationPort;
  if (!Token.isUnresolved(appPort) && appPort === databasePort) {
    throw propError(platform, 'api.port', appPort, `must differ from the database port ${databasePort}`);
  }

  const edge = props.edge ?? {};
  if (edge.hostedZone) {
    // HostedZone.fromHostedZoneId gives a zone whose zoneName throws deep in
    // aws-cdk-lib; the certificates and records need the name.
    try {
      void edge.hostedZone.zoneName;
    } catch {
      throw propError(platform, 'edge.hostedZone', edge.hostedZone.node.path,
        'must know its zone name: import it with route53.HostedZone.fromHostedZoneAttributes(scope, id, { hostedZoneId, zoneName }), not fromHostedZoneId');
    }
  }
  if (edge.domainName && edge.hostedZone && !Token.isUnresolved(edge.domainName) && !Token.isUnresolved(edge.hostedZone.zoneName)) {
    const zone = edge.hostedZone.zoneName.replace(/\.$/, '');
    if (edge.domainName !== zone && !edge.domainName.endsWith(`.${zone}`)) {
      throw propError(platform, 'edge.domainName', edge.domainName,
        `must be ${zone} or a name below it: its certificates are validated and its records created in edge.hostedZone`);
    }
  }

  for (const id of [prefix, `${prefix}Network`, `${prefix}Data`, `${prefix}Cluster`, `${prefix}Operations`, `${prefix}Edge`, `${prefix}DisasterRecovery`]) {
    const taken = scope.node.tryFindChild(id);
    if (taken && taken !== platform) {
      throw propError(platform, props.stackNamePrefix === undefined ? 'stackNamePrefix (default)' : 'stackNamePrefix', prefix,
        `the stack name ${id} is already taken by ${taken.node.path}: give each platform its own stackNamePrefix`);
    }
    if (taken === platform) {
      throw propError(platform, props.stackNamePrefix === undefined ? 'stackNamePrefix (default)' : 'stackNamePrefix', prefix,
        `is the platform's own ID: give the platform another ID (such as "${prefix.replace(/^Innovate/, '') || 'Platform'}") or set stackNamePrefix`);
    }
  }

  const root = scope.node.root;
  const claims = CLAIMS.get(root) ?? [];
  const cidr = vpcCidrOf(props, profile);
  const claim: Claim = { path: platform.node.path, cidr, account: props.env.account, region: props.env.region!, clusterName };
  for (const other of claims) {
    if (cidr && other.cidr && cidrsOverlap(parseIpv4Cidr(platform, 'network.vpcCidr', cidr), parseIpv4Cidr(platform, 'network.vpcCidr', other.cidr))) {
      throw propError(platform, props.network?.vpcCidr === undefined && !network ? 'network.vpcCidr (the profile\'s network.vpcCidr)' : 'network.vpcCidr', cidr,
        `overlaps ${other.cidr} of the platform ${other.path}: environments that may be connected (VPN, peering, the move to separate accounts) need separate ranges, such as 10.0.0.0/16 and 10.1.0.0/16`);
    }
    const sameAccount = other.account === claim.account && !Token.isUnresolved(claim.account ?? '');
    if (sameAccount && other.region === claim.region && other.clusterName === clusterName && !Token.isUnresolved(clusterName)) {
      throw propError(platform, props.cluster.clusterName === undefined ? 'cluster.clusterName (the profile\'s cluster.clusterName)' : 'cluster.clusterName', clusterName,
        `is already the cluster of the platform ${other.path} in this account and region: give each platform its own cluster name`);
    }
  }
  claims.push(claim);
  CLAIMS.set(root, claims);
}
