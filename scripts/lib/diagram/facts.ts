/**
 * What an architecture diagram shows, read off a cloud assembly: the
 * platform's environments (stacks grouped by their cost-allocation tag),
 * each environment's network, cluster, database, log domain, edge and
 * backups, the account-wide stacks and, for Phase 2, the organization.
 * Every fact comes from a template, the manifest or tree.json.
 */
import { allOfType, Assembly, AssemblyResource, AssemblyStack, ofType, tagValue } from './assembly';

/** The cost-allocation tag that names an environment (CostAllocationTags). */
export const ENVIRONMENT_TAG = 'environment';

export interface SubnetFact {
  readonly tier: string;
  /** `Public`, `Private` or `Isolated` (the CDK subnet type). */
  readonly type: string;
  readonly az: string;
  readonly cidr: string;
}

export interface VpcFact {
  readonly cidr: string;
  readonly azs: readonly string[];
  /** Tier names in CIDR order (Public, Application, Database). */
  readonly tiers: readonly string[];
  readonly subnets: readonly SubnetFact[];
  /** The AZ of each NAT gateway. */
  readonly natGateways: readonly string[];
  /** Endpoint service short names (`s3`, `ecr.api`) with their type. */
  readonly endpoints: ReadonlyArray<{ readonly service: string; readonly type: string }>;
  /** Security-group rules between groups, and from prefix lists / CIDRs: `from -> to : port`. */
  readonly securityGroupChain: ReadonlyArray<{ readonly from: string; readonly to: string; readonly port: string }>;
  /** Network ACLs: name and the tier they are associated with, with their allow rules. */
  readonly networkAcls: ReadonlyArray<{ readonly name: string; readonly tier: string; readonly rules: readonly string[] }>;
  readonly flowLogs: boolean;
  /** Default routes through a NAT gateway: the subnet's tier and AZ, and the NAT gateway's AZ. */
  readonly natRoutes: ReadonlyArray<{ readonly tier: string; readonly az: string; readonly natAz: string }>;
}

export interface NodePoolFact {
  readonly name: string;
  readonly capacityTypes: readonly string[];
  readonly arch: readonly string[];
  readonly maxNodes?: string;
}

export interface ClusterFact {
  readonly name: string;
  readonly version: string;
  readonly systemNodes?: { readonly instanceTypes: readonly string[]; readonly min: number; readonly max: number; readonly capacityType: string };
  readonly nodePools: readonly NodePoolFact[];
  /** EKS managed add-ons. */
  readonly addons: readonly string[];
  /** Helm releases: release name -> namespace. */
  readonly charts: ReadonlyArray<{ readonly chart: string; readonly release: string; readonly namespace: string; readonly stack: string }>;
  readonly namespaces: readonly string[];
  readonly targetGroupBindings: number;
  readonly stack: string;
}

export interface DatabaseFact {
  readonly engine: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly readReplicas: number;
  /** Aurora writer + readers (0 for an RDS instance). */
  readonly auroraInstances: number;
  readonly stack: string;
}

export interface LogDomainFact {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly zoneAwareness: number;
  readonly stack: string;
}

export interface EdgeFact {
  readonly distribution: boolean;
  readonly cloudFrontWebAcl?: { readonly stack: string; readonly region: string };
  readonly regionalWebAcl: boolean;
  readonly loadBalancer?: { readonly scheme: string };
  readonly vpcOrigin: boolean;
  readonly siteBucket: boolean;
}

export interface BackupFact {
  readonly databaseVault: boolean;
  /** Region the backup plan copies to, if it copies. */
  readonly copyRegion?: string;
  readonly veleroBucket: boolean;
  /** Region the Velero bucket replicates to, if it does. */
  readonly replicaRegion?: string;
  /** Stacks in another region holding the copies. */
  readonly drStacks: ReadonlyArray<{ readonly stack: string; readonly region: string; readonly vaults: number; readonly buckets: number }>;
}

/** One platform environment (development, production). */
export interface EnvironmentFact {
  /** The cost-allocation tag's value. */
  readonly name: string;
  /** The stack-name prefix (the environment's shortest stack name). */
  readonly prefix: string;
  readonly account: string;
  readonly region: string;
  readonly stacks: readonly string[];
  readonly vpc?: VpcFact;
  readonly cluster?: ClusterFact;
  readonly database?: DatabaseFact;
  readonly logDomain?: LogDomainFact;
  readonly vaultStore: boolean;
  readonly edge: EdgeFact;
  readonly backup: BackupFact;
  /** `Client VPN`, `SSM bastion` or undefined. */
  readonly adminAccess?: string;
  readonly alarms: number;
}

export interface AccountWideFact {
  readonly stack: string;
  readonly region: string;
  readonly registries: readonly string[];
  /** OIDC providers for GitHub Actions and the roles trusting them. */
  readonly githubDeployRoles: number;
  readonly trail: boolean;
  readonly config: boolean;
  readonly budgets: number;
  readonly accessRoles: number;
  /** The environments it serves by name (none: all). */
  readonly environment?: string;
}

export interface OrganizationFact {
  readonly stack: string;
  readonly units: ReadonlyArray<{ readonly name: string; readonly parent?: string }>;
  readonly accounts: ReadonlyArray<{ readonly name: string; readonly unit?: string; readonly environment?: string }>;
  readonly scps: readonly string[];
  readonly permissionSets: readonly string[];
  readonly trail: boolean;
  readonly bootstrapStackSet: boolean;
}

export interface ArchitectureFacts {
  readonly environments: readonly EnvironmentFact[];
  readonly accountWide: readonly AccountWideFact[];
  readonly organization?: OrganizationFact;
  readonly stacks: readonly AssemblyStack[];
}

/** Reads every fact the views draw from `assembly`. */
export function architectureFacts(assembly: Assembly): ArchitectureFacts {
  const stacks = assembly.stacks;
  const byEnvironment = new Map<string, AssemblyStack[]>();
  for (const stack of stacks) {
    const env = stack.tags[ENVIRONMENT_TAG];
    if (!env) continue;
    if (!byEnvironment.has(env)) byEnvironment.set(env, []);
    byEnvironment.get(env)!.push(stack);
  }
  // An environment runs a platform (a VPC or a cluster); a tag group without
  // one (the account stack's `shared`) is account-wide.
  const runsPlatform = (group: AssemblyStack[]) => group.some((s) => ofType(s, 'AWS::EC2::VPC').length + ofType(s, 'AWS::EKS::Cluster').length > 0);
  for (const [name, group] of [...byEnvironment.entries()]) {
    if (!runsPlatform(group)) byEnvironment.delete(name);
  }
  const inEnvironment = new Set([...byEnvironment.values()].flat().map((s) => s.id));
  const environments = [...byEnvironment.entries()]
    .map(([name, envStacks]) => environmentFact(name, envStacks))
    // Production first: the environment a reviewer looks at first.
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const untagged = stacks.filter((s) => !inEnvironment.has(s.id));
  const organizationStack = untagged.find((s) => ofType(s, 'AWS::Organizations::Account').length > 0);
  const accountWide = untagged.filter((s) => s !== organizationStack).map((s) => accountWideFact(s, environments));
  return {
    environments,
    accountWide,
    organization: organizationStack ? organizationFact(organizationStack) : undefined,
    stacks,
  };
}

function rank(environment: string): number {
  return environment === 'production' ? 0 : environment === 'development' ? 1 : 2;
}

function environmentFact(name: string, stacks: AssemblyStack[]): EnvironmentFact {
  const prefix = [...stacks].sort((a, b) => a.id.length - b.id.length || a.id.localeCompare(b.id))[0].id;
  const home = stacks.find((s) => s.id === prefix)!;
  const inHomeRegion = stacks.filter((s) => s.region === home.region);
  return {
    name,
    prefix,
    account: home.account,
    region: home.region,
    stacks: stacks.map((s) => s.id),
    vpc: vpcFact(inHomeRegion),
    cluster: clusterFact(inHomeRegion),
    database: databaseFact(inHomeRegion),
    logDomain: logDomainFact(inHomeRegion),
    vaultStore: allOfType(inHomeRegion, 'AWS::DynamoDB::Table').some((t) => /vault/i.test(t.path)),
    edge: edgeFact(stacks),
    backup: backupFact(stacks, home.region),
    adminAccess: allOfType(inHomeRegion, 'AWS::EC2::ClientVpnEndpoint').length > 0
      ? 'Client VPN'
      : allOfType(inHomeRegion, 'AWS::EC2::Instance').some((i) => /AdminAccess|Bastion/i.test(i.path)) ? 'SSM bastion' : undefined,
    alarms: allOfType(stacks, 'AWS::CloudWatch::Alarm').length,
  };
}

function refId(value: any): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    if (Array.isArray(value['Fn::GetAtt'])) return value['Fn::GetAtt'][0];
  }
  return undefined;
}

function vpcFact(stacks: AssemblyStack[]): VpcFact | undefined {
  const vpcs = allOfType(stacks, 'AWS::EC2::VPC');
  if (vpcs.length === 0) return undefined;
  const vpc = vpcs[0];
  const stack = vpc.stack;
  const subnetsById = new Map<string, SubnetFact>();
  for (const s of ofType(stack, 'AWS::EC2::Subnet')) {
    subnetsById.set(s.logicalId, {
      tier: tagValue(s.properties.Tags, 'aws-cdk:subnet-name') ?? 'Subnet',
      type: tagValue(s.properties.Tags, 'aws-cdk:subnet-type') ?? 'Private',
      az: typeof s.properties.AvailabilityZone === 'string' ? s.properties.AvailabilityZone : 'az?',
      cidr: String(s.properties.CidrBlock),
    });
  }
  const subnets = [...subnetsById.values()].sort((a, b) => cidrOrder(a.cidr) - cidrOrder(b.cidr));
  const tiers = [...new Set(subnets.map((s) => s.tier))];
  const azs = [...new Set(subnets.map((s) => s.az))].sort();
  const natGateways = ofType(stack, 'AWS::EC2::NatGateway')
    .map((n) => subnetsById.get(refId(n.properties.SubnetId) ?? '')?.az ?? 'az?')
    .sort();
  const endpoints = ofType(stack, 'AWS::EC2::VPCEndpoint').map((e) => ({
    service: endpointService(e.properties.ServiceName),
    type: e.properties.VpcEndpointType ?? 'Gateway',
  })).sort((a, b) => a.type.localeCompare(b.type) || a.service.localeCompare(b.service));

  // Security groups across the environment's stacks, named by construct path.
  const groupName = new Map<string, string>();
  for (const s of stacks) {
    for (const g of ofType(s, 'AWS::EC2::SecurityGroup')) groupName.set(`${s.id}/${g.logicalId}`, sgLabel(g));
  }
  const chain: Array<{ from: string; to: string; port: string }> = [];
  for (const s of stacks) {
    for (const rule of ofType(s, 'AWS::EC2::SecurityGroupIngress')) {
      const p = rule.properties;
      const to = sgRefName(s, p.GroupId, groupName, stacks);
      const from = p.SourceSecurityGroupId !== undefined ? sgRefName(s, p.SourceSecurityGroupId, groupName, stacks)
        : p.SourcePrefixListId !== undefined ? 'CloudFront origin-facing prefix list' : p.CidrIp ?? 'any';
      if (!to || !from) continue;
      chain.push({ from, to, port: portText(p) });
    }
  }
  const networkAcls = ofType(stack, 'AWS::EC2::NetworkAcl').map((acl) => {
    const assoc = ofType(stack, 'AWS::EC2::SubnetNetworkAclAssociation').filter((a) => refId(a.properties.NetworkAclId) === acl.logicalId);
    const tier = subnetsById.get(refId(assoc[0]?.properties.SubnetId) ?? '')?.tier ?? '?';
    const rules = ofType(stack, 'AWS::EC2::NetworkAclEntry')
      .filter((e) => refId(e.properties.NetworkAclId) === acl.logicalId && e.properties.RuleAction === 'allow')
      .map((e) => {
        const src = [...subnetsById.values()].find((sn) => sn.cidr === e.properties.CidrBlock);
        const peer = src ? `${src.tier} ${src.az}` : e.properties.CidrBlock;
        const ports = e.properties.PortRange ? `${e.properties.PortRange.From}${e.properties.PortRange.To !== e.properties.PortRange.From ? `-${e.properties.PortRange.To}` : ''}` : 'all';
        return `${e.properties.Egress ? 'out to' : 'in from'} ${peer} : ${ports}`;
      });
    return { name: lastSegment(acl.path, 'NetworkAcl'), tier, rules: [...new Set(rules)].sort() };
  });
  const natAz = new Map(ofType(stack, 'AWS::EC2::NatGateway').map((n) => [n.logicalId, subnetsById.get(refId(n.properties.SubnetId) ?? '')?.az ?? 'az?']));
  const natRoutes = ofType(stack, 'AWS::EC2::Route')
    .filter((r) => refId(r.properties.NatGatewayId) !== undefined)
    .flatMap((r) => ofType(stack, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter((a) => refId(a.properties.RouteTableId) === refId(r.properties.RouteTableId))
      .map((a) => subnetsById.get(refId(a.properties.SubnetId) ?? ''))
      .filter((sn): sn is SubnetFact => sn !== undefined)
      .map((sn) => ({ tier: sn.tier, az: sn.az, natAz: natAz.get(refId(r.properties.NatGatewayId)!) ?? 'az?' })))
    .sort((a, b) => a.tier.localeCompare(b.tier) || a.az.localeCompare(b.az));
  return {
    natRoutes,
    cidr: String(vpc.properties.CidrBlock),
    azs,
    tiers,
    subnets,
    natGateways,
    endpoints,
    securityGroupChain: dedupe(chain).sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from) || a.port.localeCompare(b.port)),
    networkAcls,
    flowLogs: ofType(stack, 'AWS::EC2::FlowLog').length > 0,
  };
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = JSON.stringify(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cidrOrder(cidr: string): number {
  const [a, b, c, d] = cidr.split('/')[0].split('.').map(Number);
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

function endpointService(name: any): string {
  const text = typeof name === 'string' ? name : JSON.stringify(name);
  const match = /com\.amazonaws\.(?:[a-z0-9-]+\.|"\},"?\.?|[^.]*\.)?([a-z0-9.-]+?)"?\]*\}*$/.exec(text.replace(/\\"/g, '"'));
  const plain = typeof name === 'string' ? name.split('.').slice(3).join('.') : undefined;
  if (plain) return plain;
  const joined = JSON.stringify(name).match(/"\.([a-z0-9.-]+)"/);
  return joined?.[1] ?? match?.[1] ?? text;
}

/** A construct path segment that names what the resource is (`LoadBalancerSecurityGroup` -> `LoadBalancer`). */
function lastSegment(path: string, strip: string): string {
  const segments = path.split('/').filter((s) => s !== 'Resource');
  const last = segments[segments.length - 1] ?? path;
  const base = last.replace(new RegExp(`${strip}$`), '');
  return base.length > 0 ? base : segments[segments.length - 2] ?? last;
}

function sgLabel(group: AssemblyResource): string {
  const segments = group.path.split('/').filter((s) => s !== 'Resource');
  const last = segments[segments.length - 1] ?? group.logicalId;
  const stripped = last.replace(/SecurityGroup$/, '');
  // `Database/SecurityGroup` -> `Database`; `LoggingDomain/SecurityGroup` -> `LoggingDomain`.
  return stripped.length > 0 ? stripped : segments[segments.length - 2] ?? last;
}

function sgRefName(stack: AssemblyStack, value: any, names: Map<string, string>, stacks: AssemblyStack[]): string | undefined {
  const local = refId(value);
  if (local && names.has(`${stack.id}/${local}`)) return names.get(`${stack.id}/${local}`);
  // A group of another stack arrives through Fn::ImportValue of an export
  // named after that stack and the group's logical ID.
  const imported = value?.['Fn::ImportValue'];
  if (typeof imported === 'string') {
    for (const s of stacks) {
      for (const g of ofType(s, 'AWS::EC2::SecurityGroup')) {
        if (imported.startsWith(`${s.id}:`) && imported.includes(g.logicalId)) return names.get(`${s.id}/${g.logicalId}`);
      }
    }
  }
  return undefined;
}

function portText(p: any): string {
  if (p.IpProtocol === '-1') return 'all';
  return p.FromPort === p.ToPort ? `${p.FromPort}` : `${p.FromPort}-${p.ToPort}`;
}

function clusterFact(stacks: AssemblyStack[]): ClusterFact | undefined {
  const cluster = allOfType(stacks, 'AWS::EKS::Cluster')[0];
  if (!cluster) return undefined;
  const nodegroup = allOfType(stacks, 'AWS::EKS::Nodegroup')[0];
  const manifests = allOfType(stacks, 'Custom::AWSCDK-EKS-KubernetesResource').flatMap((r) => {
    try {
      return JSON.parse(r.properties.Manifest) as any[];
    } catch {
      return [];
    }
  });
  const nodePools: NodePoolFact[] = manifests.filter((m) => m?.kind === 'NodePool').map((m) => {
    const reqs: any[] = m.spec?.template?.spec?.requirements ?? [];
    const values = (key: string) => reqs.find((r) => r.key === key)?.values ?? [];
    return { name: m.metadata?.name, capacityTypes: values('karpenter.sh/capacity-type'), arch: values('kubernetes.io/arch'), maxNodes: m.spec?.limits?.nodes };
  }).sort((a, b) => a.name.localeCompare(b.name));
  const charts = allOfType(stacks, 'Custom::AWSCDK-EKS-HelmChart')
    .filter((c) => typeof c.properties.Chart === 'string')
    .map((c) => ({ chart: c.properties.Chart, release: c.properties.Release ?? c.properties.Chart, namespace: c.properties.Namespace ?? 'default', stack: c.stack.id }))
    .sort((a, b) => a.release.localeCompare(b.release));
  const ng = nodegroup?.properties;
  return {
    name: String(cluster.properties.Name ?? cluster.logicalId),
    version: String(cluster.properties.Version ?? ''),
    systemNodes: ng ? {
      instanceTypes: ng.InstanceTypes ?? [],
      min: ng.ScalingConfig?.MinSize ?? 0,
      max: ng.ScalingConfig?.MaxSize ?? 0,
      capacityType: ng.CapacityType ?? 'ON_DEMAND',
    } : undefined,
    nodePools,
    addons: allOfType(stacks, 'AWS::EKS::Addon').map((a) => String(a.properties.AddonName)).sort(),
    charts,
    namespaces: manifests.filter((m) => m?.kind === 'Namespace').map((m) => String(m.metadata?.name)).sort(),
    targetGroupBindings: manifests.filter((m) => m?.kind === 'TargetGroupBinding').length,
    stack: cluster.stack.id,
  };
}

function databaseFact(stacks: AssemblyStack[]): DatabaseFact | undefined {
  const instances = allOfType(stacks, 'AWS::RDS::DBInstance');
  const clusters = allOfType(stacks, 'AWS::RDS::DBCluster');
  if (clusters.length > 0) {
    const c = clusters[0];
    const members = instances.filter((i) => refId(i.properties.DBClusterIdentifier) === c.logicalId);
    return {
      engine: String(c.properties.Engine ?? 'aurora-postgresql'),
      instanceClass: String(members[0]?.properties.DBInstanceClass ?? 'db.serverless'),
      multiAz: members.length > 1,
      readReplicas: Math.max(0, members.length - 1),
      auroraInstances: members.length,
      stack: c.stack.id,
    };
  }
  const primary = instances.find((i) => i.properties.SourceDBInstanceIdentifier === undefined);
  if (!primary) return undefined;
  return {
    engine: String(primary.properties.Engine ?? 'postgres'),
    instanceClass: String(primary.properties.DBInstanceClass),
    multiAz: primary.properties.MultiAZ === true || primary.properties.MultiAZ === 'true',
    readReplicas: instances.filter((i) => i.properties.SourceDBInstanceIdentifier !== undefined).length,
    auroraInstances: 0,
    stack: primary.stack.id,
  };
}

function logDomainFact(stacks: AssemblyStack[]): LogDomainFact | undefined {
  const domain = allOfType(stacks, 'AWS::OpenSearchService::Domain')[0];
  if (!domain) return undefined;
  const c = domain.properties.ClusterConfig ?? {};
  return {
    instanceType: String(c.InstanceType ?? '?'),
    instanceCount: Number(c.InstanceCount ?? 1),
    zoneAwareness: c.ZoneAwarenessEnabled ? Number(c.ZoneAwarenessConfig?.AvailabilityZoneCount ?? 2) : 1,
    stack: domain.stack.id,
  };
}

function edgeFact(stacks: AssemblyStack[]): EdgeFact {
  const acls = allOfType(stacks, 'AWS::WAFv2::WebACL');
  const cfAcl = acls.find((a) => a.properties.Scope === 'CLOUDFRONT');
  const alb = allOfType(stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer').find((l) => (l.properties.Type ?? 'application') === 'application');
  return {
    distribution: allOfType(stacks, 'AWS::CloudFront::Distribution').length > 0,
    cloudFrontWebAcl: cfAcl ? { stack: cfAcl.stack.id, region: cfAcl.stack.region } : undefined,
    regionalWebAcl: acls.some((a) => a.properties.Scope === 'REGIONAL'),
    loadBalancer: alb ? { scheme: String(alb.properties.Scheme ?? 'internet-facing') } : undefined,
    vpcOrigin: allOfType(stacks, 'AWS::CloudFront::VpcOrigin').length > 0,
    siteBucket: allOfType(stacks, 'AWS::S3::Bucket').some((b) => /\/Web\/Bucket/.test(b.path)),
  };
}

function regionInArn(value: any): string | undefined {
  const text = JSON.stringify(value ?? '');
  return /:(?:backup|s3):?([a-z]{2}-[a-z]+-\d)/.exec(text)?.[1] ?? /-([a-z]{2}-[a-z]+-\d)"/.exec(text)?.[1];
}

function backupFact(stacks: AssemblyStack[], homeRegion: string): BackupFact {
  const home = stacks.filter((s) => s.region === homeRegion);
  const plans = allOfType(home, 'AWS::Backup::BackupPlan');
  const copy = plans.flatMap((p) => (p.properties.BackupPlan?.BackupPlanRule ?? []).flatMap((r: any) => r.CopyActions ?? []))[0];
  const velero = allOfType(home, 'AWS::S3::Bucket').find((b) => /BackupStore\/Bucket|Velero/i.test(b.path) && !/AccessLogs/.test(b.path));
  const replication = velero?.properties.ReplicationConfiguration?.Rules?.[0]?.Destination?.Bucket;
  return {
    databaseVault: allOfType(home, 'AWS::Backup::BackupVault').length > 0,
    copyRegion: copy ? regionInArn(copy.DestinationBackupVaultArn) : undefined,
    veleroBucket: velero !== undefined,
    replicaRegion: replication ? regionInArn(replication) : undefined,
    drStacks: stacks.filter((s) => s.region !== homeRegion && s.region !== 'us-east-1').map((s) => ({
      stack: s.id,
      region: s.region,
      vaults: ofType(s, 'AWS::Backup::BackupVault').length,
      buckets: ofType(s, 'AWS::S3::Bucket').filter((b) => !/AccessLogs/.test(b.path)).length,
    })),
  };
}

function accountWideFact(stack: AssemblyStack, environments: readonly EnvironmentFact[]): AccountWideFact {
  const oidc = ofType(stack, 'AWS::IAM::OIDCProvider').filter((p) => /token\.actions\.githubusercontent\.com/.test(JSON.stringify(p.properties)));
  const githubRoles = ofType(stack, 'AWS::IAM::Role').filter((r) => oidc.some((p) => JSON.stringify(r.properties.AssumeRolePolicyDocument ?? {}).includes(p.logicalId)));
  // A stack of one environment (Phase 2's member baselines) is named after its prefix.
  const environment = environments.find((e) => stack.id.startsWith(e.prefix) && stack.account === e.account)?.name;
  return {
    stack: stack.id,
    region: stack.region,
    registries: ofType(stack, 'AWS::ECR::Repository').map((r) => String(r.properties.RepositoryName ?? r.logicalId)).sort(),
    githubDeployRoles: githubRoles.length,
    trail: ofType(stack, 'AWS::CloudTrail::Trail').length > 0,
    config: ofType(stack, 'AWS::Config::ConfigurationRecorder').length > 0 || ofType(stack, 'AWS::Config::ConfigRule').length > 0,
    budgets: ofType(stack, 'AWS::Budgets::Budget').length,
    accessRoles: ofType(stack, 'AWS::IAM::Role').filter((r) => /\/Access\//.test(r.path)).length,
    environment,
  };
}

function organizationFact(stack: AssemblyStack): OrganizationFact {
  const units = ofType(stack, 'AWS::Organizations::OrganizationalUnit');
  const unitName = (id: string | undefined) => units.find((u) => u.logicalId === id)?.properties.Name as string | undefined;
  return {
    stack: stack.id,
    units: units.map((u) => ({ name: String(u.properties.Name), parent: unitName(refId(u.properties.ParentId)) })),
    accounts: ofType(stack, 'AWS::Organizations::Account').map((a) => ({
      name: String(a.properties.AccountName),
      unit: unitName(refId(a.properties.ParentIds?.[0])),
      environment: tagValue(a.properties.Tags, ENVIRONMENT_TAG),
    })),
    scps: ofType(stack, 'AWS::Organizations::Policy').filter((p) => p.properties.Type === 'SERVICE_CONTROL_POLICY').map((p) => String(p.properties.Name)),
    permissionSets: ofType(stack, 'AWS::SSO::PermissionSet').map((p) => String(p.properties.Name)),
    trail: ofType(stack, 'AWS::CloudTrail::Trail').length > 0,
    bootstrapStackSet: ofType(stack, 'AWS::CloudFormation::StackSet').length > 0,
  };
}
