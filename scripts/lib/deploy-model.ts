/**
 * First-deploy time on paper (issue #12, item 2; docs/decisions/0025).
 *
 * CloudFormation creates a stack's resources in parallel as far as their
 * references allow, and the CDK CLI deploys a stack only after the stacks it
 * depends on. So the longest path through each stack's create graph, weighted
 * with typical creation times per resource type, bounds the stack's first
 * deploy; the longest path through the app's stack graph, weighted with those
 * per-stack figures, bounds the app's. This file is pure: no AWS, no synth.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One entry of the creation-time table. */
export interface CreationTime {
  /** Typical seconds from CREATE_IN_PROGRESS to CREATE_COMPLETE. */
  readonly seconds: number;
  /** Where the figure comes from, or the reasoning behind it. */
  readonly source: string;
}

const MEASURED = 'typical CloudFormation event timings (estimate, not measured by this repository)';

/**
 * Typical creation times by CloudFormation resource type. Figures for the big
 * ones carry their source; small ones are estimates of a few seconds (one
 * synchronous API call plus CloudFormation's own stabilization).
 * Properties that change the figure are handled in {@link creationSeconds}.
 */
export const CREATION_TIMES: Readonly<Record<string, CreationTime>> = {
  // --- EKS ---
  'AWS::EKS::Cluster': {
    seconds: 11 * 60,
    source: 'AWS::EKS::Cluster reference (CloudFormation User Guide): "Cluster creation typically takes between 10 and 15 minutes"; '
      + 'an unofficial 21-region measurement (easontechtalk.com, EKS cluster creation performance) saw 13-16 min; 11 min is the lower, recent typical figure used by issue #12',
  },
  'AWS::EKS::Nodegroup': { seconds: 5 * 60, source: 'managed node group: launch template, ASG and nodes joining; eksctl/terraform-aws-eks runs typically 3-6 min (estimate)' },
  'AWS::EKS::Addon': { seconds: 90, source: 'CloudFormation waits for the add-on to be ACTIVE: 1-2 min for vpc-cni/coredns/ebs-csi once nodes exist (estimate)' },
  'AWS::EKS::PodIdentityAssociation': { seconds: 10, source: MEASURED },
  'AWS::EKS::AccessEntry': { seconds: 5, source: MEASURED },
  'AWS::EKS::FargateProfile': { seconds: 3 * 60, source: 'Fargate profile creation, 2-5 min (estimate)' },
  'Custom::AWSCDK-EKS-Cluster': { seconds: 11 * 60, source: 'same as AWS::EKS::Cluster (aws-eks v1 creates it through a provider)' },
  'Custom::AWSCDK-EKS-HelmChart': {
    seconds: 150,
    source: 'kubectl provider Lambda running `helm upgrade --install --wait`: 2-3 min for a chart whose pods must become ready (image pulls, webhooks); '
      + 'cdk-eks-blueprints reports ~23 min for VPC + cluster + add-ons (DevSecOpsSamples/eks-cdk-blueprints README), i.e. a few minutes per add-on layer after the ~15 min cluster',
  },
  'Custom::AWSCDK-EKS-KubernetesResource': { seconds: 30, source: 'kubectl provider Lambda `kubectl apply` without waiting: Lambda cold start + apply (estimate)' },
  'Custom::AWSCDK-EKS-KubernetesPatch': { seconds: 30, source: 'kubectl provider Lambda `kubectl patch`: same as a KubernetesResource (estimate)' },
  'Custom::AWSCDK-EKS-KubernetesObjectValue': { seconds: 30, source: 'kubectl provider Lambda `kubectl get` (estimate)' },
  'Custom::AWSCDK-EKS-OpenIdConnectProvider': { seconds: 30, source: 'provider Lambda creating an IAM OIDC provider (estimate)' },

  // --- Databases ---
  'AWS::RDS::DBInstance': {
    seconds: 10 * 60,
    source: 'single-AZ: 5-10 min, Multi-AZ: 15-20 min (hashicorp/terraform#498, RDS events of both); Multi-AZ (MultiAZ: true) is read from the template and counts 15 min; '
      + 'an Aurora instance (DBClusterIdentifier set) counts 10 min',
  },
  'AWS::RDS::DBCluster': { seconds: 5 * 60, source: 'Aurora cluster (storage volume, no compute): ~5 min; the instances take the bulk (estimate; hashicorp/terraform#8051 for the upper range)' },
  'AWS::RDS::DBSubnetGroup': { seconds: 5, source: MEASURED },
  'AWS::RDS::DBParameterGroup': { seconds: 5, source: MEASURED },
  'AWS::RDS::DBClusterParameterGroup': { seconds: 5, source: MEASURED },
  'AWS::OpenSearchService::Domain': {
    seconds: 20 * 60,
    source: 'OpenSearch domain: "roughly 15-25 minutes to provision" (alchemy.run AWS OpenSearch Domain provider docs); VPC domains and dedicated masters sit at the upper end',
  },
  'AWS::DynamoDB::Table': { seconds: 30, source: 'on-demand table becomes ACTIVE in seconds; PITR/contributor insights add a few more (estimate)' },
  'AWS::DynamoDB::GlobalTable': { seconds: 3 * 60, source: 'replicas in each Region (estimate)' },

  // --- Network ---
  'AWS::EC2::NatGateway': {
    seconds: 2 * 60,
    source: 'NAT gateway pending -> available: 1-3 min (terraform apply logs show it "still creating" past 30 s; e.g. pastebin NvmQ5sEi); 2 min typical',
  },
  'AWS::EC2::ClientVpnEndpoint': { seconds: 60, source: 'endpoint is created in seconds and stays pending-associate until a target network is associated (AWS Client VPN admin guide); estimate' },
  'AWS::EC2::ClientVpnTargetNetworkAssociation': {
    seconds: 8 * 60,
    source: 'target network association: associating -> associated typically 5-10 min (estimate; the Client VPN admin guide gives no figure)',
  },
  'AWS::EC2::ClientVpnAuthorizationRule': { seconds: 10, source: MEASURED },
  'AWS::EC2::ClientVpnRoute': { seconds: 10, source: MEASURED },
  'AWS::EC2::VPC': { seconds: 15, source: MEASURED },
  'AWS::EC2::Subnet': { seconds: 5, source: MEASURED },
  'AWS::EC2::RouteTable': { seconds: 5, source: MEASURED },
  'AWS::EC2::Route': { seconds: 5, source: MEASURED },
  'AWS::EC2::SubnetRouteTableAssociation': { seconds: 5, source: MEASURED },
  'AWS::EC2::SecurityGroup': { seconds: 5, source: MEASURED },
  'AWS::EC2::SecurityGroupIngress': { seconds: 5, source: MEASURED },
  'AWS::EC2::SecurityGroupEgress': { seconds: 5, source: MEASURED },
  'AWS::EC2::NetworkAcl': { seconds: 5, source: MEASURED },
  'AWS::EC2::NetworkAclEntry': { seconds: 5, source: MEASURED },
  'AWS::EC2::SubnetNetworkAclAssociation': { seconds: 5, source: MEASURED },
  'AWS::EC2::InternetGateway': { seconds: 15, source: MEASURED },
  'AWS::EC2::VPCGatewayAttachment': { seconds: 15, source: MEASURED },
  'AWS::EC2::EIP': { seconds: 5, source: MEASURED },
  'AWS::EC2::FlowLog': { seconds: 10, source: MEASURED },
  'AWS::EC2::VPCEndpoint': {
    seconds: 90,
    source: 'interface endpoint pending -> available ~1-2 min (ENIs in each subnet); a Gateway endpoint (VpcEndpointType: Gateway) counts 5 s; estimate',
  },
  'AWS::EC2::LaunchTemplate': { seconds: 5, source: MEASURED },
  'AWS::EC2::Instance': { seconds: 60, source: 'running state (CloudFormation does not wait for status checks) ~30-60 s (estimate)' },
  'AWS::EC2::TransitGatewayAttachment': { seconds: 3 * 60, source: 'estimate' },

  // --- Edge and load balancing ---
  'AWS::CloudFront::Distribution': {
    seconds: 5 * 60,
    source: 'CloudFormation waits for Deployed; today typically ~5 min. Older reports are far longer (15-35 min: aws/aws-cli#3865 2019, hashicorp/terraform#8749, '
      + 'Pulumi aws.cloudfront.Distribution docs "about 15 minutes"), so 5 min is the optimistic recent figure',
  },
  'AWS::CloudFront::VpcOrigin': {
    seconds: 10 * 60,
    source: 'VPC origin Deploying -> Deployed: several minutes, sometimes past terraform\'s 15 min default (terraform-aws-modules/terraform-aws-cloudfront#163); 10 min estimate',
  },
  'AWS::CloudFront::Function': { seconds: 10, source: MEASURED },
  'AWS::CloudFront::OriginAccessControl': { seconds: 5, source: MEASURED },
  'AWS::CloudFront::ResponseHeadersPolicy': { seconds: 5, source: MEASURED },
  'AWS::CloudFront::CachePolicy': { seconds: 5, source: MEASURED },
  'AWS::CertificateManager::Certificate': {
    seconds: 3 * 60,
    source: 'DNS validation with DomainValidationOptions.HostedZoneId: CloudFormation writes the CNAME, then waits for ISSUED, typically 2-5 min (estimate); '
      + 'without a hosted zone it waits for someone to create the record',
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { seconds: 3 * 60, source: 'ALB provisioning -> active: ~3 min (estimate, consistent with DevSecOpsSamples/eks-cdk-blueprints "Deploy (including ALB) 3m")' },
  'AWS::ElasticLoadBalancingV2::TargetGroup': { seconds: 10, source: MEASURED },
  'AWS::ElasticLoadBalancingV2::Listener': { seconds: 5, source: MEASURED },
  'AWS::ElasticLoadBalancingV2::ListenerRule': { seconds: 5, source: MEASURED },
  'AWS::WAFv2::WebACL': { seconds: 15, source: MEASURED },
  'AWS::WAFv2::WebACLAssociation': { seconds: 60, source: 'CloudFormation retries while the ALB is not yet associable (WAFUnavailableEntityException); ~1 min (estimate)' },
  'AWS::WAFv2::LoggingConfiguration': { seconds: 10, source: MEASURED },
  'AWS::WAFv2::IPSet': { seconds: 5, source: MEASURED },
  'AWS::Route53::RecordSet': { seconds: 45, source: 'CloudFormation waits for the change to be INSYNC: 30-60 s (estimate)' },
  'AWS::Route53::HostedZone': { seconds: 45, source: 'estimate' },
  'AWS::Shield::Protection': { seconds: 10, source: MEASURED },

  // --- Compute, IAM, keys ---
  'AWS::Lambda::Function': { seconds: 30, source: 'function Active incl. CloudFormation stabilization; a VPC function (VpcConfig) counts 90 s for its Hyperplane ENIs (estimate)' },
  'AWS::Lambda::LayerVersion': { seconds: 10, source: MEASURED },
  'AWS::Lambda::Permission': { seconds: 5, source: MEASURED },
  'AWS::Lambda::EventSourceMapping': { seconds: 60, source: 'estimate' },
  'AWS::IAM::Role': { seconds: 10, source: 'CloudFormation waits briefly for IAM propagation (estimate)' },
  'AWS::IAM::Policy': { seconds: 10, source: 'as a role: propagation wait (estimate)' },
  'AWS::IAM::ManagedPolicy': { seconds: 10, source: 'as a role: propagation wait (estimate)' },
  'AWS::IAM::InstanceProfile': { seconds: 2 * 60, source: 'CloudFormation waits ~2 min for instance-profile propagation (widely observed; estimate)' },
  'AWS::IAM::OIDCProvider': { seconds: 5, source: MEASURED },
  'AWS::KMS::Key': { seconds: 10, source: MEASURED },
  'AWS::KMS::Alias': { seconds: 5, source: MEASURED },
  'AWS::ECR::Repository': { seconds: 5, source: MEASURED },

  // --- Storage, secrets, messaging, monitoring ---
  'AWS::S3::Bucket': { seconds: 20, source: 'CloudFormation waits for the bucket to exist (estimate)' },
  'AWS::S3::BucketPolicy': { seconds: 5, source: MEASURED },
  'AWS::SecretsManager::Secret': { seconds: 5, source: MEASURED },
  'AWS::SecretsManager::SecretTargetAttachment': { seconds: 5, source: MEASURED },
  'AWS::SecretsManager::ResourcePolicy': { seconds: 5, source: MEASURED },
  'AWS::SecretsManager::RotationSchedule': {
    seconds: 60,
    source: 'rotation is started on creation (RotateImmediatelyOnUpdate defaults to true): a rotation Lambda run against the database; ~1 min (estimate)',
  },
  'AWS::SNS::Topic': { seconds: 5, source: MEASURED },
  'AWS::SNS::TopicPolicy': { seconds: 5, source: MEASURED },
  'AWS::SNS::Subscription': { seconds: 5, source: MEASURED },
  'AWS::SQS::Queue': { seconds: 30, source: 'queue attributes propagate within ~60 s; CloudFormation waits part of it (estimate)' },
  'AWS::SQS::QueuePolicy': { seconds: 5, source: MEASURED },
  'AWS::CloudWatch::Alarm': { seconds: 5, source: MEASURED },
  'AWS::CloudWatch::Dashboard': { seconds: 5, source: MEASURED },
  'AWS::Logs::LogGroup': { seconds: 5, source: MEASURED },
  'AWS::Logs::ResourcePolicy': { seconds: 5, source: MEASURED },
  'AWS::Logs::SubscriptionFilter': { seconds: 10, source: MEASURED },
  'AWS::Events::Rule': { seconds: 10, source: MEASURED },
  'AWS::SSM::Parameter': { seconds: 5, source: MEASURED },

  // --- Backup ---
  'AWS::Backup::BackupVault': { seconds: 10, source: MEASURED },
  'AWS::Backup::BackupPlan': { seconds: 5, source: MEASURED },
  'AWS::Backup::BackupSelection': { seconds: 10, source: MEASURED },

  // --- Governance and organization ---
  'AWS::Config::ConfigRule': { seconds: 10, source: MEASURED },
  'AWS::Config::ConfigurationRecorder': { seconds: 10, source: MEASURED },
  'AWS::Config::DeliveryChannel': { seconds: 10, source: MEASURED },
  'AWS::CloudTrail::Trail': { seconds: 10, source: MEASURED },
  'AWS::AccessAnalyzer::Analyzer': { seconds: 10, source: MEASURED },
  'AWS::Budgets::Budget': { seconds: 5, source: MEASURED },
  'AWS::Organizations::Account': { seconds: 3 * 60, source: 'CreateAccount is asynchronous; the account is ready in ~2-5 min (estimate)' },
  'AWS::Organizations::OrganizationalUnit': { seconds: 5, source: MEASURED },
  'AWS::Organizations::Policy': { seconds: 10, source: MEASURED },
  'AWS::SSO::PermissionSet': { seconds: 10, source: MEASURED },
  'AWS::SSO::Assignment': { seconds: 30, source: 'assignment provisioning is asynchronous; CloudFormation waits for it (estimate)' },
  'AWS::IdentityStore::Group': { seconds: 5, source: MEASURED },
  'AWS::CloudFormation::StackSet': { seconds: 3 * 60, source: 'stack instances created in the targets (one small stack each); estimate' },

  // --- Custom resources ---
  'Custom::AWS': { seconds: 30, source: 'AwsCustomResource: one SDK call through a Lambda (cold start + call); estimate' },
  'AWS::CloudFormation::CustomResource': { seconds: 60, source: 'Lambda-backed custom resource: cold start, work, response; ~1 min default (estimate)' },
  'AWS::CloudFormation::WaitConditionHandle': { seconds: 1, source: 'no-op' },
  'AWS::CDK::Metadata': { seconds: 1, source: 'no-op' },
};

/** Any `Custom::*` type without its own row. */
export const DEFAULT_CUSTOM_RESOURCE: CreationTime = CREATION_TIMES['AWS::CloudFormation::CustomResource'];
/** A type the table does not know (a few seconds, like most control-plane calls). */
export const DEFAULT_UNKNOWN: CreationTime = { seconds: 5, source: 'default for types without a row: one synchronous API call' };

/** A CloudFormation resource as it appears in a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly [key: string]: any;
}

/** A CloudFormation template (only what the model reads). */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, unknown>;
  readonly [key: string]: any;
}

/** Typical creation seconds of one resource, reading the properties that change it. */
export function creationSeconds(resource: TemplateResource): number {
  const type = resource.Type;
  const props = resource.Properties ?? {};
  if (type === 'AWS::RDS::DBInstance') {
    if (props.DBClusterIdentifier !== undefined) return 10 * 60;
    return isTrue(props.MultiAZ) ? 15 * 60 : 10 * 60;
  }
  if (type === 'AWS::EC2::VPCEndpoint' && (props.VpcEndpointType ?? 'Gateway') === 'Gateway') return 5;
  if (type === 'AWS::Lambda::Function' && props.VpcConfig !== undefined) return 90;
  const row = CREATION_TIMES[type];
  if (row) return row.seconds;
  if (type.startsWith('Custom::')) return DEFAULT_CUSTOM_RESOURCE.seconds;
  return DEFAULT_UNKNOWN.seconds;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** One link of a critical path. */
export interface ChainLink {
  readonly logicalId: string;
  readonly type: string;
  readonly seconds: number;
}

/** A stack's create-graph critical path. */
export interface StackCriticalPath {
  /** Seconds along the longest path (0 for an empty stack). */
  readonly seconds: number;
  /** The resources on that path, first created first. */
  readonly chain: ChainLink[];
}

/**
 * Logical IDs of the resources one resource waits for: `DependsOn`, and every
 * `Ref`, `Fn::GetAtt` and `Fn::Sub` reference in its properties that names a
 * resource (parameters, pseudo parameters and `Fn::Sub` variables are not).
 * A custom resource's `ServiceToken` is a reference like any other, so its
 * provider function (and transitively its role, policies, framework) counts.
 */
export function resourceDependencies(resource: TemplateResource, resourceIds: ReadonlySet<string>): string[] {
  const deps = new Set<string>();
  const add = (id: string) => {
    if (resourceIds.has(id)) deps.add(id);
  };
  const dependsOn = resource.DependsOn;
  for (const id of dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn]) add(id);

  const subRefs = (text: string, locals: ReadonlySet<string>) => {
    for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
      const inner = match[1];
      if (inner.startsWith('!')) continue; // ${!Literal}
      const name = inner.split('.')[0].trim();
      if (!locals.has(name)) add(name);
    }
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [key] = keys;
      const value = obj[key];
      if (key === 'Ref' && typeof value === 'string') {
        add(value);
        return;
      }
      if (key === 'Fn::GetAtt') {
        if (Array.isArray(value) && typeof value[0] === 'string') {
          add(value[0]);
          value.slice(1).forEach(walk);
          return;
        }
        if (typeof value === 'string') {
          add(value.split('.')[0]);
          return;
        }
      }
      if (key === 'Fn::Sub') {
        if (typeof value === 'string') {
          subRefs(value, new Set());
          return;
        }
        if (Array.isArray(value) && typeof value[0] === 'string') {
          const vars = (value[1] ?? {}) as Record<string, unknown>;
          subRefs(value[0], new Set(Object.keys(vars)));
          Object.values(vars).forEach(walk);
          return;
        }
      }
    }
    Object.values(obj).forEach(walk);
  };
  walk(resource.Properties);
  deps.delete(''); // defensive; never a logical ID
  return [...deps].sort();
}

/**
 * The critical path of a stack's create graph: each resource starts when all
 * it depends on are created and takes its typical creation time. Throws on a
 * dependency cycle (CloudFormation would reject the template too).
 */
export function stackCriticalPath(template: Template): StackCriticalPath {
  const resources = template.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  const deps = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) deps.set(id, resourceDependencies(resource, ids));
  const result = longestPath([...ids].sort(), (id) => deps.get(id)!, (id) => creationSeconds(resources[id]), 'resource');
  return {
    seconds: result.seconds,
    chain: result.chain.map((id) => ({ logicalId: id, type: resources[id].Type, seconds: creationSeconds(resources[id]) })),
  };
}

/** A stack of an assembly with its own critical path. */
export interface StackDeploy extends StackCriticalPath {
  readonly stack: string;
  /** The stacks (artifact IDs) it waits for. */
  readonly dependsOn: string[];
  /** When its deploy would finish if every stack started as early as it can. */
  readonly finishesAtSeconds: number;
}

/** An app's first-deploy critical path. */
export interface AppCriticalPath {
  readonly seconds: number;
  /** Stacks on the longest path, first deployed first, with their own seconds. */
  readonly chain: Array<{ stack: string; seconds: number }>;
  readonly perStack: StackDeploy[];
}

/** A cloud assembly's manifest (only what the model reads). */
export interface AssemblyManifest {
  readonly artifacts?: Record<string, { type: string; dependencies?: string[]; properties?: { templateFile?: string } }>;
}

/**
 * The critical path of an app's stack graph: a stack starts after every stack
 * it depends on (the manifest's `dependencies`, which hold cross-stack
 * references and explicit `addDependency` alike, across Regions and accounts),
 * and takes its own create-graph critical path. Asset manifests and other
 * artifacts are ignored.
 *
 * @param assembly a cloud assembly directory, or its manifest and a reader of
 *   the templates it names (relative `templateFile` paths).
 */
export function appCriticalPath(
  assembly: string | { manifest: AssemblyManifest; readTemplate: (templateFile: string) => Template },
): AppCriticalPath {
  const { manifest, readTemplate } = typeof assembly === 'string'
    ? {
      manifest: JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf-8')) as AssemblyManifest,
      readTemplate: (file: string) => JSON.parse(fs.readFileSync(path.join(assembly, file), 'utf-8')) as Template,
    }
    : assembly;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const stackIds = new Set(stacks.map(([id]) => id));
  const own = new Map<string, StackCriticalPath>();
  const deps = new Map<string, string[]>();
  for (const [id, artifact] of stacks) {
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile) throw new Error(`stack artifact ${id} names no templateFile`);
    own.set(id, stackCriticalPath(readTemplate(templateFile)));
    deps.set(id, [...new Set((artifact.dependencies ?? []).filter((d) => stackIds.has(d)))].sort());
  }
  const ids = [...stackIds].sort();
  const result = longestPath(ids, (id) => deps.get(id)!, (id) => own.get(id)!.seconds, 'stack');
  return {
    seconds: result.seconds,
    chain: result.chain.map((id) => ({ stack: id, seconds: own.get(id)!.seconds })),
    perStack: ids.map((id) => ({ stack: id, dependsOn: deps.get(id)!, finishesAtSeconds: result.finish.get(id)!, ...own.get(id)! })),
  };
}

interface LongestPath {
  readonly seconds: number;
  readonly chain: string[];
  readonly finish: Map<string, number>;
}

/**
 * Longest weighted path in a DAG given as "node waits for these nodes".
 * Ties break on the first node in `ids` order, so results are deterministic.
 */
function longestPath(ids: string[], depsOf: (id: string) => string[], weight: (id: string) => number, what: string): LongestPath {
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): number => {
    const s = state.get(id);
    if (s === 'done') return finish.get(id)!;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      throw new Error(`${what} dependency cycle: ${cycle.join(' -> ')}`);
    }
    state.set(id, 'visiting');
    let start = 0;
    let before: string | undefined;
    for (const dep of depsOf(id)) {
      const f = visit(dep, [...trail, id]);
      if (before === undefined || f > start) {
        start = f;
        before = dep;
      }
    }
    state.set(id, 'done');
    finish.set(id, start + weight(id));
    via.set(id, before);
    return finish.get(id)!;
  };
  let end: string | undefined;
  for (const id of ids) {
    const f = visit(id, []);
    if (end === undefined || f > finish.get(end)!) end = id;
  }
  const chain: string[] = [];
  for (let at = end; at !== undefined; at = via.get(at)) chain.unshift(at);
  return { seconds: end === undefined ? 0 : finish.get(end)!, chain, finish };
}

/** "68 min" / "45 s": minutes rounded for anything from a minute up. */
export function formatDuration(seconds: number): string {
  return seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
}
