/**
 * The views the design document draws, built from an assembly's facts:
 * the Phase 1 account, the Phase 2 organization, the network detail, the
 * security layers and the deploy order. Each view groups resources into the
 * few boxes a reader expects (a Phase 1 picture has about 30 boxes, not the
 * app's 700 resources).
 */
import { AppCriticalPath, formatDuration } from '../deploy-model';
import { AssemblyStack, ofType } from './assembly';
import { AccountWideFact, ArchitectureFacts, EnvironmentFact } from './facts';
import { DiagramView, ViewBuilder } from './graph';

/** `production` -> `Production`; a string safe as an ID part. */
function key(text: string): string {
  const words = text.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function natText(azs: readonly string[]): string {
  return azs.length === 0 ? 'no NAT gateway' : `NAT gateway x${azs.length} (${azs.map((az) => az.slice(-1)).join(', ')})`;
}

function databaseLines(env: EnvironmentFact): string[] {
  const db = env.database!;
  if (db.auroraInstances > 0) {
    return [`Aurora ${db.engine}`, `${db.auroraInstances} instance(s) ${db.instanceClass}`, db.readReplicas > 0 ? `${db.readReplicas} reader(s)` : ''];
  }
  return [
    `${db.instanceClass}`,
    db.multiAz ? 'Multi-AZ: standby in a second AZ' : 'single-AZ, no standby',
    db.readReplicas > 0 ? `${db.readReplicas} read replica(s)` : '',
  ];
}

function clusterLines(env: EnvironmentFact): string[] {
  const c = env.cluster!;
  const sys = c.systemNodes;
  return [
    `Kubernetes ${c.version}`,
    sys ? `system nodes ${sys.instanceTypes.join('/')} ${sys.min}-${sys.max}` : '',
    c.nodePools.length > 0 ? `Karpenter: ${c.nodePools.map((p) => p.name).join(', ')} (${[...new Set(c.nodePools.flatMap((p) => p.arch))].join('/')})` : '',
    c.targetGroupBindings > 0 ? 'API pods behind the ALB target group' : '',
  ];
}

/** Add-on names a reader knows, from the Helm releases and EKS add-ons present. */
function addonNames(env: EnvironmentFact): string[] {
  const c = env.cluster!;
  const charts = new Set(c.charts.map((x) => x.chart));
  const addons = new Set(c.addons);
  const names: Array<[boolean, string]> = [
    [charts.has('karpenter'), 'Karpenter'],
    [charts.has('aws-load-balancer-controller'), 'LB controller'],
    [charts.has('kube-prometheus-stack'), 'Prometheus stack'],
    [charts.has('fluent-bit'), 'Fluent Bit'],
    [charts.has('vault'), 'Vault'],
    [charts.has('velero'), 'Velero'],
    [addons.has('amazon-cloudwatch-observability'), 'Container Insights'],
  ];
  return names.filter(([present]) => present).map(([, name]) => name);
}

/**
 * One environment's boxes inside `parent`: the edge, the VPC with its
 * tiers, and the environment's data stores. Returns the IDs the flows use.
 */
function environmentBoxes(b: ViewBuilder, env: EnvironmentFact, parent: string, users: string): Record<string, string | undefined> {
  const e = key(env.name);
  const g = b.group(`env${e}`, `${env.name} (${env.prefix}*)`, 'environment', parent);
  const ids: Record<string, string | undefined> = {};
  if (env.edge.distribution) {
    ids.cdn = b.node(`${e}Cdn`, 'edge', 'CloudFront', [
      env.edge.cloudFrontWebAcl ? `web ACL (CLOUDFRONT, ${env.edge.cloudFrontWebAcl.region})` : 'no web ACL',
    ], g);
    if (env.edge.siteBucket) ids.spa = b.node(`${e}Spa`, 'storage', 'S3: React SPA', ['origin access control'], g);
  }
  if (env.vpc) {
    const v = env.vpc;
    const vpc = b.group(`vpc${e}`, `VPC ${v.cidr}: ${v.azs.length} AZs`, 'vpc', g);
    const tier = (name: string) => v.tiers.includes(name) ? b.group(`tier${e}${key(name)}`, `${name} subnets x${v.azs.length}`, 'tier', vpc) : vpc;
    const pub = tier('Public');
    ids.nat = b.node(`${e}Nat`, 'network', natText(v.natGateways), [], pub);
    const app = tier('Application');
    if (env.edge.loadBalancer) {
      ids.alb = b.node(`${e}Alb`, 'edge', `ALB (${env.edge.loadBalancer.scheme})`, [env.edge.regionalWebAcl ? 'web ACL (REGIONAL)' : 'no web ACL'], app);
    }
    if (env.cluster) {
      ids.cluster = b.node(`${e}Eks`, 'compute', `EKS ${env.cluster.name}`, clusterLines(env), app);
      ids.addons = b.node(`${e}Addons`, 'addon', 'Add-ons', chunk(addonNames(env), 3).map((line) => line.join(', ')), app);
    }
    if (env.logDomain) {
      const d = env.logDomain;
      ids.logs = b.node(`${e}Logs`, 'database', 'OpenSearch logs', [`${d.instanceCount} x ${d.instanceType}`, d.zoneAwareness > 1 ? `${d.zoneAwareness} AZs` : 'one AZ'], app);
    }
    const db = tier('Database');
    if (env.database) ids.db = b.node(`${e}Db`, 'database', `RDS ${env.database.engine}`, databaseLines(env), db);
  }
  if (env.vaultStore) ids.vault = b.node(`${e}VaultStore`, 'storage', 'DynamoDB: Vault storage', ['KMS auto-unseal key'], g);
  if (env.backup.veleroBucket) ids.velero = b.node(`${e}VeleroBucket`, 'storage', 'S3: Velero backups', [], g);
  if (env.backup.databaseVault) ids.backupVault = b.node(`${e}BackupVault`, 'storage', 'AWS Backup vault', [], g);

  // The main flows, each only where the assembly holds both ends.
  if (ids.cdn) b.edge(users, ids.cdn, 'request', 'HTTPS');
  if (ids.cdn && ids.spa) b.edge(ids.cdn, ids.spa, 'request', '/*');
  if (ids.cdn && ids.alb && env.edge.vpcOrigin) b.edge(ids.cdn, ids.alb, 'request', '/api/* VPC origin');
  if (ids.alb && ids.cluster) b.edge(ids.alb, ids.cluster, 'request', 'API pods');
  if (ids.cluster && ids.db) b.edge(ids.cluster, ids.db, 'data', 'PostgreSQL TLS');
  if (ids.addons && ids.logs && addonNames(env).includes('Fluent Bit')) b.edge(ids.addons, ids.logs, 'logs', 'Fluent Bit');
  if (ids.addons && ids.vault && addonNames(env).includes('Vault')) b.edge(ids.addons, ids.vault, 'data', 'Vault');
  if (ids.addons && ids.velero && addonNames(env).includes('Velero')) b.edge(ids.addons, ids.velero, 'backup', 'Velero');
  if (ids.db && ids.backupVault) b.edge(ids.db, ids.backupVault, 'backup', 'daily');
  if (ids.cluster && ids.nat && env.vpc!.natGateways.length > 0) b.edge(ids.cluster, ids.nat, 'control', 'egress');
  return ids;
}

/** Disaster-recovery boxes in the recovery region, with the copy flows. */
function recoveryBoxes(b: ViewBuilder, env: EnvironmentFact, ids: Record<string, string | undefined>, regionGroup: (region: string) => string): void {
  for (const dr of env.backup.drStacks) {
    const e = key(env.name);
    const parent = b.group(`dr${e}${key(dr.region)}`, `${env.name} recovery (${dr.stack})`, 'environment', regionGroup(dr.region));
    const vault = dr.vaults > 0 ? b.node(`${e}CopyVault`, 'storage', 'Backup copy vault', [], parent) : undefined;
    const replica = dr.buckets > 0 ? b.node(`${e}VeleroReplica`, 'storage', 'S3: Velero replica', [], parent) : undefined;
    if (vault && ids.backupVault && env.backup.copyRegion === dr.region) b.edge(ids.backupVault, vault, 'backup', `copy to ${dr.region}`);
    if (replica && ids.velero && env.backup.replicaRegion === dr.region) b.edge(ids.velero, replica, 'backup', `replication to ${dr.region}`);
  }
}

function accountBoxes(b: ViewBuilder, fact: AccountWideFact, parent: string, ci: string): { registry?: string; roles?: string } {
  const s = key(fact.stack);
  const out: { registry?: string; roles?: string } = {};
  const governance = [
    fact.accessRoles > 0 ? `IAM: ${fact.accessRoles} access roles` : '',
    fact.trail ? 'CloudTrail' : '',
    fact.config ? 'AWS Config' : '',
    fact.budgets > 0 ? `${fact.budgets} budgets` : '',
  ].filter((x) => x);
  if (governance.length > 0) b.node(`${s}Governance`, 'identity', `${fact.stack}`, [governance.join(', ')], parent);
  if (fact.registries.length > 0) out.registry = b.node(`${s}Registry`, 'storage', 'ECR', [fact.registries.join(', '), 'scan on push'], parent);
  if (fact.githubDeployRoles > 0) {
    out.roles = b.node(`${s}DeployRoles`, 'identity', 'GitHub deploy roles', [`${fact.githubDeployRoles} roles through OIDC`], parent);
    b.edge(ci, out.roles, 'deploy', 'OIDC');
  }
  return out;
}

/** The Phase 1 picture: one account, its environments, the recovery region. */
export function phase1View(facts: ArchitectureFacts): DiagramView {
  const b = new ViewBuilder('phase1-account', 'Phase 1: one AWS account, two environments');
  const users = b.node('users', 'actor', 'Users', ['browser']);
  const ci = b.node('ci', 'actor', 'GitHub Actions', []);
  const account = b.group('account', 'AWS account', 'account');
  const regions = new Map<string, string>();
  const regionGroup = (region: string) => {
    if (!regions.has(region)) regions.set(region, b.group(`region${key(region)}`, region, 'region', account));
    return regions.get(region)!;
  };
  const homeRegions = [...new Set([...facts.accountWide.map((a) => a.region), ...facts.environments.map((e) => e.region)])].sort();
  homeRegions.forEach(regionGroup);
  let shared: { registry?: string; roles?: string } = {};
  for (const fact of facts.accountWide) shared = { ...shared, ...accountBoxes(b, fact, regionGroup(fact.region), ci) };
  for (const env of facts.environments) {
    const ids = environmentBoxes(b, env, regionGroup(env.region), users);
    if (shared.roles && ids.cluster) b.edge(shared.roles, ids.cluster, 'deploy', 'cdk deploy');
    if (shared.registry && ids.cluster) b.edge(shared.registry, ids.cluster, 'data', 'images');
    recoveryBoxes(b, env, ids, regionGroup);
  }
  return b.build();
}

/** The Phase 2 picture: the organization, its units and accounts, each account's platform in short. */
export function organizationView(facts: ArchitectureFacts): DiagramView {
  const org = facts.organization;
  if (!org) throw new Error('organizationView: the assembly has no AWS::Organizations::Account (not a Phase 2 app)');
  const b = new ViewBuilder('phase2-organization', 'Phase 2: AWS Organizations with management, development and production accounts', 'TB');
  const users = b.node('users', 'actor', 'Users', ['browser']);
  const people = b.node('people', 'actor', 'Engineers and finance', ['IAM Identity Center']);
  const orgGroup = b.group('organization', 'AWS Organization', 'organization');
  const management = b.group('management', `management account (${org.stack})`, 'account', orgGroup);
  const scps = b.node('scps', 'security', 'Service control policies', [org.scps.join(', ')], management);
  const sso = b.node('sso', 'identity', 'Identity Center', [`permission sets: ${org.permissionSets.join(', ')}`], management);
  b.node('orgTrail', 'operations', org.trail ? 'Organization trail' : 'No organization trail', [], management);
  const bootstrap = org.bootstrapStackSet ? b.node('bootstrap', 'operations', 'CDK bootstrap StackSet', [], management) : undefined;
  b.edge(people, sso, 'control', 'SSO');
  const unitIds = new Map<string, string>();
  const addUnit = (name: string): string => {
    if (unitIds.has(name)) return unitIds.get(name)!;
    const unit = org.units.find((u) => u.name === name);
    const parent = unit?.parent ? addUnit(unit.parent) : orgGroup;
    const id = b.group(`ou${key(name)}`, `OU ${name}`, 'unit', parent);
    unitIds.set(name, id);
    return id;
  };
  org.units.map((u) => u.name).sort().forEach(addUnit);
  let scpDrawn = false;
  for (const account of org.accounts) {
    const a = key(account.name);
    const group = b.group(`acct${a}`, `account ${account.name}`, 'account', account.unit ? addUnit(account.unit) : orgGroup);
    const env = facts.environments.find((e) => e.name === account.environment);
    const baseline = facts.accountWide.find((w) => w.environment === account.environment);
    const summary = b.node(`${a}Baseline`, 'identity', 'Account baseline', [baseline ? [baseline.trail ? 'CloudTrail' : '', baseline.config ? 'AWS Config' : ''].filter((x) => x).join(', ') : 'none'], group);
    if (!scpDrawn) {
      b.edge(scps, summary, 'control', 'guardrails on the Workloads OU');
      scpDrawn = true;
    }
    b.edge(sso, summary, 'control', '8 h sessions');
    if (bootstrap) b.edge(bootstrap, summary, 'deploy', 'bootstrap');
    if (!env) continue;
    const platform: string[] = [];
    if (env.vpc) platform.push(`VPC ${env.vpc.cidr}, ${natText(env.vpc.natGateways)}`);
    if (env.cluster) platform.push(`EKS ${env.cluster.name}, pools ${env.cluster.nodePools.map((p) => p.name).join('/')}`);
    if (env.database) platform.push(`RDS ${databaseLines(env).filter((x) => x).join(', ')}`);
    if (env.logDomain) platform.push(`OpenSearch ${env.logDomain.instanceCount} x ${env.logDomain.instanceType}`);
    const region = b.group(`acct${a}${key(env.region)}`, env.region, 'region', group);
    const edge = env.edge.distribution ? b.node(`${a}Edge`, 'edge', 'CloudFront + WAF', ['ALB + WAF (REGIONAL)'], region) : undefined;
    const plat = b.node(`${a}Platform`, 'compute', `${env.prefix} platform`, platform, region);
    if (edge) {
      b.edge(users, edge, 'request', 'HTTPS');
      b.edge(edge, plat, 'request', '/api/*');
    }
    for (const dr of env.backup.drStacks) {
      const drGroup = b.group(`acct${a}${key(dr.region)}`, dr.region, 'region', group);
      const copies = b.node(`${a}Recovery`, 'storage', 'Disaster recovery', [`${dr.vaults} backup copy vault, ${dr.buckets} Velero replica`], drGroup);
      b.edge(plat, copies, 'backup', 'copies');
    }
  }
  return b.build();
}

/** The network of one environment: tiers across AZs, NAT, endpoints, the security-group chain, the NACL. */
export function networkView(facts: ArchitectureFacts, environment: string = 'production'): DiagramView {
  const env = facts.environments.find((e) => e.name === environment);
  if (!env?.vpc) throw new Error(`networkView: no environment ${environment} with a VPC`);
  const v = env.vpc;
  const b = new ViewBuilder(`network-${environment}`, `Network: ${env.prefix}Network`, 'TB');
  const internet = b.node('internet', 'actor', 'Internet', []);
  const vpc = b.group('vpc', `VPC ${v.cidr}`, 'vpc');
  const subnetIds = new Map<string, string>();
  for (const tier of v.tiers) {
    const subnets = v.subnets.filter((s) => s.tier === tier);
    const t = b.group(`tier${key(tier)}`, `${tier} (${subnets[0]?.type ?? ''})`, 'tier', vpc);
    for (const s of subnets) {
      const nat = v.natGateways.includes(s.az) && tier === v.tiers[0];
      const id = b.node(`${key(tier)}${key(s.az)}`, 'network', `${s.az}`, [s.cidr, nat ? 'NAT gateway' : ''], t);
      subnetIds.set(`${tier}/${s.az}`, id);
    }
  }
  for (const acl of v.networkAcls) {
    const t = `tier${key(acl.tier)}`;
    const ports = [...new Set(acl.rules.map((r) => r.replace(/ [a-z]{2}-[a-z]+-\d[a-z]/, '')))];
    b.node(`nacl${key(acl.name)}`, 'security', `NACL ${acl.name}`, ports, b.has(t) ? t : vpc);
  }
  if (v.flowLogs) b.node('flowLogs', 'operations', 'VPC flow logs', ['all traffic, KMS log group'], vpc);
  const endpoints = b.group('endpoints', 'VPC endpoints', 'zone', vpc);
  for (const type of ['Gateway', 'Interface']) {
    const services = v.endpoints.filter((e) => e.type === type).map((e) => e.service);
    if (services.length > 0) b.node(`endpoints${type}`, 'network', `${type} endpoints`, [services.join(', ')], endpoints);
  }
  const chain = b.group('sgChain', 'Security-group chain', 'zone');
  const sgIds = new Map<string, string>();
  const sg = (name: string) => {
    if (!sgIds.has(name)) sgIds.set(name, b.node(`sg${key(name)}`, name.includes('prefix list') ? 'edge' : 'security', name, [], chain));
    return sgIds.get(name)!;
  };
  for (const rule of v.securityGroupChain) b.edge(sg(rule.from), sg(rule.to), 'control', `tcp ${rule.port}`);
  // Default routes through the NAT gateways, as the route tables say.
  for (const route of v.natRoutes) {
    const from = subnetIds.get(`${route.tier}/${route.az}`);
    const to = subnetIds.get(`${v.tiers[0]}/${route.natAz}`);
    if (from && to) b.edge(from, to, 'control', '0.0.0.0/0 via NAT');
  }
  for (const s of v.subnets.filter((x) => x.type === 'Public')) b.edge(subnetIds.get(`${s.tier}/${s.az}`)!, internet, 'request', 'IGW');
  // What the database NACL admits, tier to tier.
  for (const acl of v.networkAcls) {
    for (const s of v.subnets.filter((x) => x.tier === acl.tier)) {
      const peers = acl.rules.filter((r) => r.startsWith('in from ') && r.includes(s.az));
      for (const rule of peers) {
        const [, peerTier, port] = /^in from (\S+) \S+ : (.*)$/.exec(rule) ?? [];
        const from = peerTier ? subnetIds.get(`${peerTier}/${s.az}`) : undefined;
        if (from) b.edge(from, subnetIds.get(`${s.tier}/${s.az}`)!, 'data', `NACL ${port}`);
      }
    }
  }
  return b.build();
}

/** The seed's seven defense layers, each with the resources of the assembly that implement it. */
export function securityView(facts: ArchitectureFacts, environment: string = 'production'): DiagramView {
  const env = facts.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`securityView: no environment ${environment}`);
  const serves = (s: AssemblyStack) => facts.accountWide.some((a) => a.stack === s.id && (!a.environment || a.environment === environment));
  const stacks = facts.stacks.filter((s) => env.stacks.includes(s.id) || serves(s));
  const count = (type: string, test?: (p: any) => boolean) =>
    stacks.reduce((n, s) => n + ofType(s, type).filter((r) => !test || test(r.properties)).length, 0);
  const manifests = stacks.flatMap((s) => ofType(s, 'Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r) => {
    try {
      return JSON.parse(r.properties.Manifest) as any[];
    } catch {
      return [];
    }
  });
  const kinds = (kind: string) => manifests.filter((m) => m?.kind === kind).length;
  const paths = (type: string) => [...new Set(stacks.flatMap((s) => ofType(s, type).map((r) => constructOwner(s, r.path))))].sort();
  const layers: Array<{ title: string; items: Array<[string, string[]]> }> = [
    { title: '1 Edge security', items: [['CloudFront + CLOUDFRONT web ACL', paths('AWS::CloudFront::Distribution')], ['Geo restriction', count('AWS::CloudFront::Distribution', (p) => p.DistributionConfig?.Restrictions !== undefined) > 0 ? ['on'] : ['off']]] },
    { title: '2 Network perimeter', items: [['VPC and NACLs', [`${count('AWS::EC2::NetworkAcl')} NACL(s)`, ...paths('AWS::EC2::NetworkAcl')]], ['Flow logs', paths('AWS::EC2::FlowLog')]] },
    { title: '3 Application firewall', items: [['REGIONAL web ACL on the ALB', paths('AWS::WAFv2::WebACLAssociation')]] },
    { title: '4 Compute isolation', items: [['Security groups', [`${count('AWS::EC2::SecurityGroup')} groups`]], ['Kubernetes network policies', [`${kinds('NetworkPolicy')} NetworkPolicies`]]] },
    { title: '5 Application security', items: [['Image scanning', [`${count('AWS::ECR::Repository', (p) => p.ImageScanningConfiguration?.ScanOnPush === true)} ECR repos scan on push`]], ['Pod Security restricted', [`${manifests.filter((m) => m?.kind === 'Namespace' && m.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted').length} namespaces`]]] },
    { title: '6 Data encryption', items: [['KMS keys', [`${count('AWS::KMS::Key')} customer-managed keys`, `${count('AWS::KMS::Key', (p) => p.EnableKeyRotation === true)} with rotation`]], ['Vault', env.vaultStore ? ['KMS auto-unseal'] : []]] },
    { title: '7 Identity and access', items: [['IAM roles', [`${count('AWS::IAM::Role')} roles`]], ['EKS access entries', [`${count('AWS::EKS::AccessEntry')} entries`]], ['CloudTrail', paths('AWS::CloudTrail::Trail')]] },
  ];
  const b = new ViewBuilder(`security-${environment}`, `Security layers: ${env.prefix}`, 'TB');
  let previous: string | undefined;
  layers.forEach((layer, i) => {
    const g = b.group(`layer${i + 1}`, `Layer ${layer.title}`, 'layer');
    layer.items.forEach(([label, details], j) => {
      const id = b.node(`layer${i + 1}item${j + 1}`, 'security', label, details.length > 0 ? details.slice(0, 3) : ['none in this app'], g);
      if (j === 0) {
        if (previous) b.edge(previous, id, 'request');
        previous = id;
      }
    });
  });
  return b.build();
}

/** The construct that owns a resource: its path up to the block (`InnovateProduction/Web`). */
function constructOwner(stack: AssemblyStack, path: string): string {
  const parts = path.split('/');
  return parts.slice(0, Math.min(parts.length - 1, 2)).join('/') || stack.id;
}

/** Stacks and what each waits for, the critical path in bold, from scripts/lib/deploy-model.ts. */
export function deployOrderView(critical: AppCriticalPath, title: string = 'Deploy order'): DiagramView {
  const b = new ViewBuilder('deploy-order', `${title}: first deploy about ${formatDuration(critical.seconds)}`, 'LR');
  const onPath = new Set(critical.chain.map((c) => c.stack));
  for (const s of critical.perStack) {
    b.node(`stack${key(s.stack)}`, onPath.has(s.stack) ? 'compute' : 'stack', s.stack, [
      `own ${formatDuration(s.seconds)}, done at ${formatDuration(s.finishesAtSeconds)}`,
    ]);
  }
  for (const s of critical.perStack) {
    for (const dep of s.dependsOn) {
      const chained = critical.chain.findIndex((c) => c.stack === s.stack);
      const isCritical = chained > 0 && critical.chain[chained - 1].stack === dep;
      b.edge(`stack${key(dep)}`, `stack${key(s.stack)}`, isCritical ? 'critical' : 'control');
    }
  }
  return b.build();
}
