import * as fs from 'fs';
import * as path from 'path';
import { Aws, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { createPodIdentityRole } from '../private/pod-identity';
import { resolveProfile } from '../private/stage';
import { systemNodeTolerations } from '../private/system-nodes';
import { propError, validateIntegerRange } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/** The chart and controller version (AWS publishes both with the same number). */
const DEFAULT_VERSION = eks.AlbControllerVersion.V3_2_2;
const CHART_REPOSITORY = 'https://aws.github.io/eks-charts';
const NAMESPACE = 'kube-system';
const SERVICE_ACCOUNT = 'aws-load-balancer-controller';
/**
 * The controller's requests and memory limit (a watch-and-reconcile loop; the chart sets none). No CPU
 * limit: throttling would slow reconciliation, and the request already reserves the CPU.
 */
const CONTROLLER_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };

/**
 * Properties of a `LoadBalancerController`.
 */
export interface LoadBalancerControllerProps extends StagedProps {
  /** The cluster to install into; it needs a kubectl provider. */
  readonly cluster: eks.ICluster;

  /**
   * The controller version. Its IAM policy is the one AWS publishes for that
   * version, as shipped with aws-cdk-lib.
   *
   * @default AlbControllerVersion.V3_2_2
   */
  readonly version?: eks.AlbControllerVersion;

  /**
   * Controller replicas, 1 to 10 (leader election makes one active; more
   * give fail-over).
   *
   * @default - the profile's `cluster.controllerReplicas`
   */
  readonly replicas?: number;

  /**
   * Node labels the controller's pods must run on, e.g. the system node
   * group's. Its `CriticalAddonsOnly` taint is tolerated either way.
   *
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
}

/**
 * The AWS Load Balancer Controller (the ALBs in front of the applications), from its official chart, with its AWS permissions
 * through EKS Pod Identity rather than IRSA: no OIDC provider, and the role
 * can be assumed only by the controller's service account of this cluster.
 *
 * The controller turns Ingress objects into Application Load Balancers
 * (`alb.ingress.kubernetes.io/target-type: ip` sends traffic straight to pod
 * IPs, which the application namespaces' network policies admit from the
 * public subnets).
 */
export class LoadBalancerController extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;
  /** The controller's role (EKS Pod Identity). */
  public readonly role: iam.IRole;
  /** The controller version. */
  public readonly version: eks.AlbControllerVersion;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    this.version = props.version ?? DEFAULT_VERSION;
    const profile = resolveProfile(this, props);
    const replicas = props.replicas ?? profile.cluster.controllerReplicas;
    validateIntegerRange(this, 'replicas', replicas, 1, 10);

    const statements = controllerPolicyStatements(this, this.version);
    const { role, policy, association } = createPodIdentityRole(this, 'Role', {
      cluster: props.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      description: `AWS Load Balancer Controller ${this.version.version} of ${props.cluster.clusterName}`,
      statements,
    });
    this.role = role;
    const wildcards = new Set(statements.flatMap((st) => st.resources).filter((r) => r.includes('*')));
    for (const resource of wildcards) {
      acknowledgeWildcardResource(
        policy!,
        resource,
        'This is the policy AWS publishes for the AWS Load Balancer Controller (shipped with aws-cdk-lib for this version): '
        + 'Describe* calls support no resource-level permissions, and the load balancers, listeners, target groups and security groups it manages '
        + 'are created at run time for Ingress objects, so the actions that change them are limited by the elbv2.k8s.aws/cluster tag conditions instead of ARNs. '
        + 'Only the controller\'s service account of this cluster can assume the role.',
      );
    }

    explainCheckovException(
      policy!.node.defaultChild as CfnResource,
      'CKV_AWS_111',
      'The policy AWS publishes for this controller version: the load balancers, target groups and security groups it manages are created at run time, '
      + 'so their write actions are limited by the elbv2.k8s.aws/cluster tag conditions instead of ARNs; only the controller\'s service account of this cluster can assume the role.',
    );

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'aws-load-balancer-controller',
      repository: CHART_REPOSITORY,
      version: this.version.helmChartVersion,
      namespace: NAMESPACE,
      release: 'aws-load-balancer-controller',
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        clusterName: props.cluster.clusterName,
        region: Stack.of(this).region,
        vpcId: props.cluster.vpc.vpcId,
        replicaCount: replicas,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        // The Service mutator webhook (default on, failurePolicy Fail) would
        // intercept every Service creation in the cluster, including those of
        // charts installed while the controller is not ready yet; the
        // platform exposes applications through Ingress only.
        enableServiceMutatorWebhook: false,
        // A cluster add-on: it may run on the tainted system nodes, which
        // exist before any application capacity does.
        tolerations: systemNodeTolerations(),
        ...(props.nodeSelector ? { nodeSelector: props.nodeSelector } : {}),
        resources: CONTROLLER_RESOURCES,
        // Helm merges these maps into the chart's defaults key by key: the container keeps the chart's
        // readOnlyRootFilesystem, runAsNonRoot and allowPrivilegeEscalation: false; fsGroup 65534 (the
        // chart's too) is restated so the pod security context stays whole if the chart drops it.
        podSecurityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: { capabilities: { drop: ['ALL'] } },
      },
    });
    // Pods get Pod Identity credentials only if the association exists when
    // they are admitted; without them they would fall back to the node role.
    this.chart.node.addDependency(role, association!);
  }
}

/** The controller's published policy, with the partition of this stack. */
function controllerPolicyStatements(scope: Construct, version: eks.AlbControllerVersion): iam.PolicyStatement[] {
  if (version.custom) {
    throw propError(scope, 'version', version.version, 'must be one of the AlbControllerVersion constants (a custom version has no published policy here)');
  }
  const file = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-eks-v2', 'lib', 'addons', `alb-iam_policy-${version.version}.json`);
  const document = JSON.parse(fs.readFileSync(file, 'utf-8')) as { Statement: Array<{ [key: string]: unknown }> };
  const partitioned = (resource: unknown): unknown => {
    if (typeof resource === 'string') return resource.replace(/^arn:aws:/, `arn:${Aws.PARTITION}:`);
    if (Array.isArray(resource)) return resource.map(partitioned);
    return resource;
  };
  return document.Statement.map((statement) => iam.PolicyStatement.fromJson({ ...statement, Resource: partitioned(statement.Resource) }));
}
