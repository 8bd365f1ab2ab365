import { Token } from 'aws-cdk-lib';
import * as eksv1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { parseIpv4Cidr } from '../private/cidr';
import {
  APPLICATION_NAMESPACE_LABEL, isReservedNamespace, RESERVED_NAMESPACE_PREFIX, RESERVED_NAMESPACES, VAULT_INJECTION_LABEL, VAULT_PORT,
} from '../private/kubernetes';
import { createPodIdentityRole } from '../private/pod-identity';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, validateIntegerRange } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';
/** Namespaces Kubernetes creates itself; an application never owns them. */
/** Kubernetes reserves the `kube-` prefix for its system namespaces. */
/** RFC 1123 DNS label: what a namespace name must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MAX_LENGTH = 63;
/** The namespaces placed on each cluster so far, by name, with the path of the construct that owns each. */
const NAMESPACES_BY_CLUSTER = new WeakMap<eks.ICluster, Map<string, string>>();
/** RFC 1123 DNS subdomain: what a service account name must be. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX_LENGTH = 253;
/** A Pod Security Standards version label value: a Kubernetes minor version or `latest`. */
const PSA_VERSION = /^(latest|v1\.\d{1,3})$/;

/** The namespace label the AWS Load Balancer Controller's webhook injects pod readiness gates for. */
const POD_READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
/** The Pod Security Standards level every application namespace enforces. */
const PSA_LEVEL = 'restricted';
/** Label selecting a namespace by name (set by Kubernetes on every namespace since 1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** CoreDNS: its namespace and the label its pods carry on EKS. */
const DNS_NAMESPACE = 'kube-system';
const DNS_POD_LABELS = { 'k8s-app': 'kube-dns' };
const DNS_PORT = 53;
/**
 * The EKS Pod Identity agent: pods fetch credentials from
 * `http://169.254.170.23/v1/credentials` (the AWS_CONTAINER_CREDENTIALS_FULL_URI
 * the Pod Identity webhook injects), served on port 80 by the agent's
 * host-network DaemonSet.
 */
const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';
const POD_IDENTITY_AGENT_PORT = 80;
const HTTPS_PORT = 443;

/** The namespace kube-prometheus-stack runs in by convention. */
const DEFAULT_METRICS_NAMESPACES = ['monitoring'];
/** Any address: the default HTTPS egress destination (AWS APIs through NAT gateways or VPC endpoints). */
const ANY_IPV4 = '0.0.0.0/0';

/**
 * Total CPU limits may exceed total CPU requests by this factor: CPU is
 * compressible, so containers may burst to twice what they reserve.
 */
const CPU_LIMIT_TO_REQUEST_RATIO = 2;
/** LimitRange defaults for a container that declares no resources. */
/** Sanity bounds of the quota props (not Kubernetes limits). */
const MAX_CPU_CORES = 10_000;
const MAX_MEMORY_GIB = 100_000;
const MAX_PODS = 100_000;
const MAX_PORT = 65_535;

/** The names of the objects in the namespace. */
const OBJECT_NAMES = {
  defaultDeny: 'default-deny-all',
  dns: 'allow-dns-egress',
  podIdentity: 'allow-pod-identity-agent-egress',
  database: 'allow-database-egress',
  https: 'allow-https-egress',
  loadBalancer: 'allow-load-balancer-ingress',
  metrics: 'allow-metrics-ingress',
  vault: 'allow-vault-egress',
  intraNamespace: 'allow-intra-namespace',
  quota: 'application-quota',
  limitRange: 'container-defaults',
};

/**
 * Options of an `ApplicationNamespace`: everything but the cluster and the
 * name, which `ObservableEksCluster.addApplicationNamespace(name, options)`
 * supplies.
 */
export interface ApplicationNamespaceOptions {
  /**
   * Name of the service account the application's pods run as (set
   * `serviceAccountName` in the pod spec). It gets the Pod Identity role.
   * An RFC 1123 DNS subdomain.
   *
   * @default - the namespace name
   */
  readonly serviceAccountName?: string;

  /**
   * Every AWS permission the application's pods get through EKS Pod
   * Identity (least privilege: name the resources). `grant*()` calls on
   * `role` add to the same customer-managed policy.
   *
   * @default - none: the role exists, associated with the service account, without any permission
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * Container ports the load balancer sends requests and health checks to.
   * An empty list admits no traffic from the load balancer.
   *
   * @default - the profile's `network.applicationPort`
   */
  readonly ingressPorts?: number[];

  /**
   * IPv4 CIDR blocks the load balancer sends from. The AWS Load Balancer
   * Controller registers pods as IP targets, so the ALB connects to pods
   * directly from its network interfaces: in the public subnets for an
   * internet-facing load balancer, in the application subnets for an
   * internal one (`ApiLoadBalancer` behind `WebFrontend`: pass those).
   *
   * @default - the CIDR blocks of the cluster VPC's public subnets
   */
  readonly loadBalancerCidrs?: string[];

  /**
   * Allow egress to the database port at all.
   *
   * @default true
   */
  readonly allowDatabaseEgress?: boolean;

  /**
   * The database port pods may connect to.
   *
   * @default - the profile's `database.port`
   */
  readonly databasePort?: number;

  /**
   * IPv4 CIDR blocks of the database tier pods may reach on `databasePort`.
   *
   * @default - the CIDR blocks of the cluster VPC's isolated subnets (PlatformNetwork's database tier)
   */
  readonly databaseCidrs?: string[];

  /**
   * IPv4 CIDR blocks pods may reach on HTTPS (443): AWS APIs (through the
   * NAT gateways or VPC interface endpoints) and external HTTPS services.
   * Narrow it to the VPC CIDR when every AWS API the application calls has a
   * VPC endpoint; an empty list allows no HTTPS egress.
   *
   * @default ['0.0.0.0/0']
   */
  readonly httpsEgressCidrs?: string[];

  /**
   * Allow every pod of the namespace to reach every other pod of the
   * namespace, on any port. Off by default: a namespace holding one service
   * (a single API) needs none, and services of one namespace that call
   * each other should say so.
   *
   * @default false
   */
  readonly allowIntraNamespaceTraffic?: boolean;

  /**
   * Allow DNS (UDP and TCP 53) to any address instead of only to CoreDNS's
   * pods in `kube-system`. Needed on EKS Auto Mode, where CoreDNS runs as a
   * service on each node rather than as pods (`ObservableEksCluster` sets it
   * for its Auto Mode clusters); it opens the DNS ports only.
   *
   * @default false
   */
  readonly allowDnsToAnyAddress?: boolean;

  /**
   * The namespace Vault runs in: the namespace's pods may reach it on 8200
   * and the namespace opts into Vault Agent injection (pods start with a
   * Vault Agent init container). `ObservableEksCluster` sets it when
   * it runs Vault.
   *
   * @default - no Vault access
   */
  readonly vaultNamespace?: string;

  /**
   * Container port on which pods serve Prometheus metrics; pods of
   * `metricsNamespaces` may scrape it.
   *
   * @default - no metrics ingress
   */
  readonly metricsPort?: number;

  /**
   * Namespaces whose pods may scrape `metricsPort` (Prometheus). Only used
   * with `metricsPort`.
   *
   * @default ['monitoring']
   */
  readonly metricsNamespaces?: string[];

  /**
   * The Pod Security Standards version the `restricted` level is enforced
   * at: `v1.<minor>` or `latest`. Pinning keeps admission stable across
   * cluster upgrades until the pin is moved; `audit` and `warn` always
   * evaluate `latest`, so a rule a newer version adds shows up as a warning
   * (on `kubectl apply`) and in the audit log before it is enforced.
   *
   * @default - `v` and the profile's `cluster.kubernetesVersion`, e.g. `v1.35`
   */
  readonly podSecurityVersion?: string;

  /**
   * CPU cores all pods of the namespace may request in total (up to three
   * decimals, e.g. 0.5).
   *
   * @default - the profile's `cluster.namespaceCpuQuota`
   */
  readonly cpuQuota?: number;

  /**
   * CPU cores all pods of the namespace may have as limits in total; at
   * least `cpuQuota`.
   *
   * @default - twice `cpuQuota` (containers may burst to twice their request)
   */
  readonly cpuLimitQuota?: number;

  /**
   * Memory all pods of the namespace may request in total, in GiB.
   *
   * @default - the profile's `cluster.namespaceMemoryQuotaGiB`
   */
  readonly memoryQuotaGiB?: number;

  /**
   * Memory all pods of the namespace may have as limits in total, in GiB; at
   * least `memoryQuotaGiB`.
   *
   * @default - `memoryQuotaGiB` (memory is not overcommitted)
   */
  readonly memoryLimitQuotaGiB?: number;

  /**
   * Pods the namespace may run.
   *
   * @default - the profile's `cluster.namespacePodQuota`
   */
  readonly podQuota?: number;

  /**
   * CPU request of a container that declares none, in millicores.
   *
   * @default - the profile's `cluster.containerCpuRequestMillicores`
   */
  readonly defaultContainerCpuRequestMillicores?: number;

  /**
   * CPU limit of a container that declares none, in millicores; at least
   * the default request.
   *
   * @default - the profile's `cluster.containerCpuLimitMillicores`
   */
  readonly defaultContainerCpuLimitMillicores?: number;

  /**
   * Memory request of a container that declares none, in MiB.
   *
   * @default - the profile's `cluster.containerMemoryRequestMiB`
   */
  readonly defaultContainerMemoryRequestMiB?: number;

  /**
   * Memory limit of a container that declares none, in MiB; at least the
   * default request.
   *
   * @default - the profile's `cluster.containerMemoryLimitMiB`
   */
  readonly defaultContainerMemoryLimitMiB?: number;
}

/**
 * Properties of an `ApplicationNamespace`.
 */
export interface ApplicationNamespaceProps extends ApplicationNamespaceOptions, StagedProps {
  /**
   * The cluster to create the namespace in. It needs a kubectl provider, the
   * VPC CNI with network policy enforcement (or another enforcing CNI) and
   * the EKS Pod Identity agent.
   *
   * [disable-awslint:ref-via-interface]
   */
  readonly cluster: eks.ICluster;

  /**
   * Name of the namespace: an RFC 1123 DNS label (lowercase letters, digits
   * and '-', at most 63 characters), not `default` nor a `kube-` namespace.
   */
  readonly name: string;
}

/** The settings after defaults and validation. */
interface NamespaceSpec {
  readonly name: string;
  readonly serviceAccountName: string;
  readonly podSecurityVersion: string;
  readonly ingressPorts: number[];
  readonly loadBalancerCidrs: string[];
  readonly database?: { readonly port: number; readonly cidrs: string[] };
  readonly httpsEgressCidrs: string[];
  readonly allowIntraNamespaceTraffic: boolean;
  readonly allowDnsToAnyAddress: boolean;
  readonly vaultNamespace?: string;
  readonly metrics?: { readonly port: number; readonly namespaces: string[] };
  readonly quota: { [resource: string]: string };
  readonly containerDefaults: { readonly defaultRequest: { [resource: string]: string }; readonly default: { [resource: string]: string } };
}

/**
 * A Kubernetes namespace for one application, locked down the way the
 * design's layer 4 ("Kubernetes network policies, pod-to-pod control") asks.
 *
 * What the namespace gets:
 *
 * - Pod Security Admission enforces the `restricted` Pod Security Standard
 *   (pinned to the cluster's Kubernetes version; audit and warn at `latest`),
 * - a default-deny NetworkPolicy for all ingress and egress, plus one policy
 *   per allowance: DNS to CoreDNS (UDP and TCP 53), credentials from the EKS
 *   Pod Identity agent (169.254.170.23, TCP 80), the database port to the
 *   database subnets, HTTPS (443) out, and the application ports from the
 *   load balancer's subnets; optionally metrics scraping from `monitoring`
 *   and traffic within the namespace (an allowance switched off stays as a
 *   policy without rules, so switching it off on a deployed namespace takes
 *   effect: the default prune allowlist of `kubectl apply --prune`, which the
 *   aws-eks-v2 handler uses, never deletes NetworkPolicies),
 * - a ResourceQuota (CPU, memory, pods; no `LoadBalancer` or `NodePort`
 *   services, so the application is reachable only through the Ingress/ALB)
 *   and a LimitRange giving containers without resources a default request
 *   and limit (250m/500m CPU, 256Mi memory), so they still schedule under
 *   the quota,
 * - a service account (no automounted Kubernetes API token) with an IAM role
 *   through EKS Pod Identity, whose trust policy admits only this cluster,
 *   namespace and service account.
 *
 * Every object is applied by one `KubernetesManifest` (one custom resource):
 * the Namespace comes first in the list, and the kubectl handler creates the
 * objects in list order. The kubelet's probes are not affected by the
 * default deny: the VPC CNI's network policy agent always admits traffic
 * from the pod's own node.
 *
 * When the profile's `dataProtection.retainOnDelete` is true, the manifest is retained when it leaves the stack: deleting
 * the namespace would delete every workload and persistent volume claim in
 * it.
 *
 * A pod passes `restricted` only when its spec sets:
 *
 * ```yaml
 * spec:
 *   serviceAccountName: <serviceAccountName>
 *   securityContext:
 *     runAsNonRoot: true
 *     seccompProfile: { type: RuntimeDefault }
 *   containers:
 *     - name: api
 *       securityContext:
 *         allowPrivilegeEscalation: false
 *         capabilities: { drop: [ALL] }
 * ```
 *
 * (and uses no host namespaces, host paths, host ports or privileged
 * containers; the image must run as a non-root user, e.g. `USER 10001`).
 * The service account does not mount a Kubernetes API token; a pod that
 * calls the Kubernetes API sets `automountServiceAccountToken: true`. The
 * Pod Identity webhook adds its own projected token for AWS credentials
 * either way.
 *
 * Renaming the service account leaves the old one in the namespace (kubectl
 * does not prune service accounts by default); it has no Pod Identity
 * association any more.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import * as sqs from 'aws-cdk-lib/aws-sqs';
 * import { ApplicationNamespace, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack; // the cluster's stack
 * declare const cluster: eks.ICluster;
 * declare const queue: sqs.IQueue;
 *
 * // The smallest: namespace `backend`, service account `backend`, port 8080 open to the ALB.
 * new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend' });
 *
 * // With AWS permissions for the pods and Prometheus scraping on 9090.
 * new ApplicationNamespace(stack, 'Worker', {
 *   cluster,
 *   name: 'worker',
 *   stage: PlatformStage.DEVELOPMENT,
 *   metricsPort: 9090,
 *   policyStatements: [new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [queue.queueArn] })],
 * });
 */
export class ApplicationNamespace extends Construct {
  /** The namespace name. */
  public readonly namespaceName: string;
  /** The service account the application's pods run as. */
  public readonly serviceAccountName: string;
  /** The IPv4 CIDR blocks the namespace's network policy admits load balancer traffic from. */
  public readonly loadBalancerCidrs: string[];
  /**
   * The role the service account's pods assume through EKS Pod Identity.
   * `grant*()` calls on it (`bucket.grantRead(namespace.role)`) add to its
   * customer-managed policy, next to `policyStatements`.
   */
  public readonly role: iam.IRole;
  /** The Pod Identity association of the service account and the role. */
  public readonly podIdentityAssociation: eksv1.CfnPodIdentityAssociation;
  /** The manifest applying every Kubernetes object of the namespace. */
  public readonly manifest: eks.KubernetesManifest;
  /**
   * The Kubernetes objects the manifest applies, in order (the Namespace
   * first), as JSON-compatible objects (with the prune label aws-cdk-lib
   * adds when the cluster prunes).
   */
  public readonly kubernetesObjects: Record<string, any>[];

  constructor(scope: Construct, id: string, props: ApplicationNamespaceProps) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const spec = this.resolveSpec(props, profile);
    this.namespaceName = spec.name;
    this.serviceAccountName = spec.serviceAccountName;
    this.loadBalancerCidrs = spec.loadBalancerCidrs;

    this.kubernetesObjects = namespaceObjects(spec);
    this.manifest = new eks.KubernetesManifest(this, 'Manifest', {
      cluster: props.cluster,
      manifest: this.kubernetesObjects,
      // `prune` follows the cluster; no `overwrite`: creating a namespace
      // that already exists fails instead of taking it over.
      removalPolicy: removalPolicyFor(profile.dataProtection.retainOnDelete),
    });

    const podIdentity = createPodIdentityRole(this, 'PodIdentityRole', {
      cluster: props.cluster,
      namespace: spec.name,
      serviceAccount: spec.serviceAccountName,
      description: `Pod Identity role of the ${spec.name}/${spec.serviceAccountName} service account`,
      statements: props.policyStatements ?? [],
    });
    if (!podIdentity.association) {
      throw new Error(`${this.node.path}: createPodIdentityRole returned no association`);
    }
    this.role = podIdentity.role;
    this.podIdentityAssociation = podIdentity.association;
  }

  private resolveSpec(props: ApplicationNamespaceProps, profile: StageProfile): NamespaceSpec {
    const name = this.validateDnsLabel('name', props.name);
    if (isReservedNamespace(name)) {
      throw propError(this, 'name', name, `must not be ${RESERVED_NAMESPACES.join(', ')} or start with '${RESERVED_NAMESPACE_PREFIX}' (reserved for Kubernetes)`);
    }
    const serviceAccountName = this.validateServiceAccountName(props.serviceAccountName ?? name);
    // Two namespaces of one name on one cluster would be two manifests owning
    // the same objects: the second fails at deploy, and deleting either
    // deletes the other's namespace.
    const taken = NAMESPACES_BY_CLUSTER.get(props.cluster) ?? new Map<string, string>();
    const owner = taken.get(name);
    if (owner !== undefined) {
      throw propError(this, 'name', name, `is already the namespace of ${owner} on this cluster: each application namespace needs its own name`);
    }
    taken.set(name, this.node.path);
    NAMESPACES_BY_CLUSTER.set(props.cluster, taken);

    const podSecurityVersion = props.podSecurityVersion ?? `v${profile.cluster.kubernetesVersion}`;
    if (Token.isUnresolved(podSecurityVersion) || !PSA_VERSION.test(podSecurityVersion)) {
      throw propError(this, 'podSecurityVersion', podSecurityVersion, "must be a Kubernetes minor version such as 'v1.35', or 'latest'");
    }

    const ingressPorts = this.validatePorts('ingressPorts', props.ingressPorts ?? [profile.network.applicationPort]);
    const loadBalancerCidrs = ingressPorts.length === 0
      ? []
      : this.cidrsOrDefault('loadBalancerCidrs', props.loadBalancerCidrs, () => props.cluster.vpc.publicSubnets, 'public');

    let database: NamespaceSpec['database'];
    if (props.allowDatabaseEgress ?? true) {
      const port = this.validatePort('databasePort', props.databasePort ?? profile.database.port);
      const cidrs = this.cidrsOrDefault('databaseCidrs', props.databaseCidrs, () => props.cluster.vpc.isolatedSubnets, 'isolated');
      database = { port, cidrs };
    } else if (props.databaseCidrs !== undefined || props.databasePort !== undefined) {
      throw propError(this, props.databaseCidrs !== undefined ? 'databaseCidrs' : 'databasePort',
        props.databaseCidrs ?? props.databasePort, 'has no effect when allowDatabaseEgress is false');
    }

    const httpsEgressCidrs = this.validateCidrs('httpsEgressCidrs', props.httpsEgressCidrs ?? [ANY_IPV4]);

    let metrics: NamespaceSpec['metrics'];
    if (props.metricsPort !== undefined) {
      const namespaces = props.metricsNamespaces ?? DEFAULT_METRICS_NAMESPACES;
      if (namespaces.length === 0) {
        throw propError(this, 'metricsNamespaces', namespaces, 'must name at least one namespace when metricsPort is set');
      }
      namespaces.forEach((n) => this.validateDnsLabel('metricsNamespaces', n));
      this.checkUnique('metricsNamespaces', namespaces);
      metrics = { port: this.validatePort('metricsPort', props.metricsPort), namespaces };
    } else if (props.metricsNamespaces !== undefined) {
      throw propError(this, 'metricsNamespaces', props.metricsNamespaces, 'has no effect without metricsPort');
    }

    return {
      name,
      serviceAccountName,
      podSecurityVersion,
      ingressPorts,
      loadBalancerCidrs,
      database,
      httpsEgressCidrs,
      allowIntraNamespaceTraffic: props.allowIntraNamespaceTraffic ?? false,
      allowDnsToAnyAddress: props.allowDnsToAnyAddress ?? false,
      vaultNamespace: props.vaultNamespace === undefined ? undefined : this.validateDnsLabel('vaultNamespace', props.vaultNamespace),
      metrics,
      quota: this.resolveQuota(props, profile),
      containerDefaults: this.resolveContainerDefaults(props, profile),
    };
  }

  private resolveQuota(props: ApplicationNamespaceProps, profile: StageProfile): { [resource: string]: string } {
    const cpu = this.validateCores('cpuQuota', props.cpuQuota ?? profile.cluster.namespaceCpuQuota);
    const cpuLimit = this.validateCores('cpuLimitQuota', props.cpuLimitQuota ?? cpu * CPU_LIMIT_TO_REQUEST_RATIO);
    const memory = this.validateIntegerRange('memoryQuotaGiB', props.memoryQuotaGiB ?? profile.cluster.namespaceMemoryQuotaGiB, 1, MAX_MEMORY_GIB);
    const memoryLimit = this.validateIntegerRange('memoryLimitQuotaGiB', props.memoryLimitQuotaGiB ?? memory, 1, MAX_MEMORY_GIB);
    const pods = this.validateIntegerRange('podQuota', props.podQuota ?? profile.cluster.namespacePodQuota, 1, MAX_PODS);
    if (cpuLimit < cpu) {
      throw propError(this, 'cpuLimitQuota', cpuLimit, `must be at least cpuQuota (${cpu})`);
    }
    if (memoryLimit < memory) {
      throw propError(this, 'memoryLimitQuotaGiB', memoryLimit, `must be at least memoryQuotaGiB (${memory})`);
    }
    return {
      'requests.cpu': formatCores(cpu),
      'limits.cpu': formatCores(cpuLimit),
      'requests.memory': `${memory}Gi`,
      'limits.memory': `${memoryLimit}Gi`,
      'pods': String(pods),
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    };
  }

  private resolveContainerDefaults(props: ApplicationNamespaceProps, profile: StageProfile): NamespaceSpec['containerDefaults'] {
    const maxMillicores = MAX_CPU_CORES * 1000;
    const maxMiB = MAX_MEMORY_GIB * 1024;
    const cpuRequest = this.validateIntegerRange('defaultContainerCpuRequestMillicores',
      props.defaultContainerCpuRequestMillicores ?? profile.cluster.containerCpuRequestMillicores, 1, maxMillicores);
    const cpuLimit = this.validateIntegerRange('defaultContainerCpuLimitMillicores',
      props.defaultContainerCpuLimitMillicores ?? profile.cluster.containerCpuLimitMillicores, 1, maxMillicores);
    const memoryRequest = this.validateIntegerRange('defaultContainerMemoryRequestMiB',
      props.defaultContainerMemoryRequestMiB ?? profile.cluster.containerMemoryRequestMiB, 1, maxMiB);
    const memoryLimit = this.validateIntegerRange('defaultContainerMemoryLimitMiB',
      props.defaultContainerMemoryLimitMiB ?? profile.cluster.containerMemoryLimitMiB, 1, maxMiB);
    if (cpuLimit < cpuRequest) {
      throw propError(this, 'defaultContainerCpuLimitMillicores', cpuLimit, `must be at least defaultContainerCpuRequestMillicores (${cpuRequest})`);
    }
    if (memoryLimit < memoryRequest) {
      throw propError(this, 'defaultContainerMemoryLimitMiB', memoryLimit, `must be at least defaultContainerMemoryRequestMiB (${memoryRequest})`);
    }
    return {
      defaultRequest: { cpu: `${cpuRequest}m`, memory: `${memoryRequest}Mi` },
      default: { cpu: `${cpuLimit}m`, memory: `${memoryLimit}Mi` },
    };
  }

  /**
   * The given CIDRs, validated, or those of the cluster VPC's subnets of one
   * type; an error when neither gives any.
   */
  private cidrsOrDefault(prop: string, given: string[] | undefined, subnets: () => { ipv4CidrBlock: string }[], kind: string): string[] {
    if (given !== undefined) {
      if (given.length === 0) {
        throw propError(this, prop, given, 'must name at least one CIDR block');
      }
      return this.validateCidrs(prop, given);
    }
    let derived: string[] = [];
    try {
      derived = subnets().map((s) => s.ipv4CidrBlock);
    } catch {
      // An imported cluster without a VPC, or imported subnets without CIDR blocks.
      derived = [];
    }
    if (derived.length === 0) {
      throw propError(this, prop, given, `cannot be derived: the cluster VPC has no ${kind} subnets with known CIDR blocks; give the CIDR blocks`);
    }
    return [...new Set(derived)];
  }

  private validateCidrs(prop: string, cidrs: string[]): string[] {
    for (const cidr of cidrs) {
      if (!Token.isUnresolved(cidr)) parseIpv4Cidr(this, prop, cidr);
    }
    this.checkUnique(prop, cidrs);
    return cidrs;
  }

  private validatePorts(prop: string, ports: number[]): number[] {
    ports.forEach((p) => this.validatePort(prop, p));
    this.checkUnique(prop, ports);
    return ports;
  }

  private validatePort(prop: string, port: number): number {
    return this.validateIntegerRange(prop, port, 1, MAX_PORT);
  }

  /** An integer in range, and a literal: it is written into a Kubernetes manifest. */
  private validateIntegerRange(prop: string, value: number, min: number, max: number): number {
    if (Token.isUnresolved(value)) {
      throw propError(this, prop, value, 'must be a literal number (it is written into a Kubernetes manifest)');
    }
    validateIntegerRange(this, prop, value, min, max);
    return value;
  }

  /** CPU cores: a literal number above 0 with at most three decimals (millicores). */
  private validateCores(prop: string, value: number): number {
    const millicores = value * 1000;
    if (Token.isUnresolved(value) || !(value > 0) || value > MAX_CPU_CORES || Math.abs(millicores - Math.round(millicores)) > 1e-6) {
      throw propError(this, prop, value, `must be a number of CPU cores above 0 and at most ${MAX_CPU_CORES}, with at most three decimals`);
    }
    return value;
  }

  private validateDnsLabel(prop: string, value: string): string {
    if (Token.isUnresolved(value) || value.length > DNS_LABEL_MAX_LENGTH || !DNS_LABEL.test(value)) {
      throw propError(this, prop, value,
        `must be an RFC 1123 DNS label: at most ${DNS_LABEL_MAX_LENGTH} lowercase letters, digits and '-', starting and ending with a letter or digit`);
    }
    return value;
  }

  private validateServiceAccountName(value: string): string {
    if (Token.isUnresolved(value) || value.length > DNS_SUBDOMAIN_MAX_LENGTH || !DNS_SUBDOMAIN.test(value)) {
      throw propError(this, 'serviceAccountName', value,
        `must be an RFC 1123 DNS subdomain: at most ${DNS_SUBDOMAIN_MAX_LENGTH} lowercase letters, digits, '-' and '.', `
        + 'each dot-separated part starting and ending with a letter or digit');
    }
    return value;
  }

  private checkUnique(prop: string, values: Array<string | number>): void {
    const seen = new Set<string | number>();
    for (const value of values) {
      if (!Token.isUnresolved(value) && seen.has(value)) {
        throw propError(this, prop, value, 'appears more than once');
      }
      seen.add(value);
    }
  }
}

/** Cores as a Kubernetes quantity: whole cores as they are, fractions in millicores. */
function formatCores(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** A NetworkPolicy of the namespace selecting every pod. */
function networkPolicy(namespace: string, name: string, spec: Record<string, any>): Record<string, any> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, ...spec },
  };
}

function ipBlocks(cidrs: string[]): Record<string, any>[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

function tcpPorts(ports: number[]): Record<string, any>[] {
  return ports.map((port) => ({ protocol: 'TCP', port }));
}

/** Every object of the namespace, the Namespace first. Pure: the spec in, JSON-compatible objects out. */
function namespaceObjects(spec: NamespaceSpec): Record<string, any>[] {
  const ns = spec.name;
  const objects: Record<string, any>[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          [APPLICATION_NAMESPACE_LABEL]: 'true',
          // Pods behind a load balancer get the AWS Load Balancer Controller's
          // readiness gate: a rolling update waits until the new pod is
          // healthy in its target group before it stops an old one.
          [POD_READINESS_GATE_LABEL]: 'enabled',
          ...(spec.vaultNamespace ? { [VAULT_INJECTION_LABEL]: 'enabled' } : {}),
          'pod-security.kubernetes.io/enforce': PSA_LEVEL,
          'pod-security.kubernetes.io/enforce-version': spec.podSecurityVersion,
          'pod-security.kubernetes.io/audit': PSA_LEVEL,
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': PSA_LEVEL,
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    },
    networkPolicy(ns, OBJECT_NAMES.defaultDeny, { policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy(ns, OBJECT_NAMES.dns, {
      policyTypes: ['Egress'],
      egress: [{
        ...(spec.allowDnsToAnyAddress ? {} : {
          to: [{
            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE } },
            podSelector: { matchLabels: DNS_POD_LABELS },
          }],
        }),
        ports: [{ protocol: 'UDP', port: DNS_PORT }, { protocol: 'TCP', port: DNS_PORT }],
      }],
    }),
    networkPolicy(ns, OBJECT_NAMES.podIdentity, {
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks([POD_IDENTITY_AGENT_CIDR]), ports: tcpPorts([POD_IDENTITY_AGENT_PORT]) }],
    }),
  ];
  // Every allowance policy is always present, without rules when it is
  // switched off: kubectl's default prune allowlist leaves NetworkPolicies
  // alone, so a policy dropped from the manifest would stay in the cluster
  // and keep allowing; an emptied policy is updated in place.
  const egress = (name: string, rules: Record<string, any>[]) =>
    networkPolicy(ns, name, { policyTypes: ['Egress'], ...(rules.length > 0 ? { egress: rules } : {}) });
  const ingress = (name: string, rules: Record<string, any>[]) =>
    networkPolicy(ns, name, { policyTypes: ['Ingress'], ...(rules.length > 0 ? { ingress: rules } : {}) });
  objects.push(
    egress(OBJECT_NAMES.database, spec.database
      ? [{ to: ipBlocks(spec.database.cidrs), ports: tcpPorts([spec.database.port]) }]
      : []),
    egress(OBJECT_NAMES.https, spec.httpsEgressCidrs.length > 0
      ? [{ to: ipBlocks(spec.httpsEgressCidrs), ports: tcpPorts([HTTPS_PORT]) }]
      : []),
    ingress(OBJECT_NAMES.loadBalancer, spec.ingressPorts.length > 0
      ? [{ from: ipBlocks(spec.loadBalancerCidrs), ports: tcpPorts(spec.ingressPorts) }]
      : []),
    egress(OBJECT_NAMES.vault, spec.vaultNamespace
      ? [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: spec.vaultNamespace } } }], ports: tcpPorts([VAULT_PORT]) }]
      : []),
    ingress(OBJECT_NAMES.metrics, spec.metrics
      ? [{
        from: [{ namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: spec.metrics.namespaces }] } }],
        ports: tcpPorts([spec.metrics.port]),
      }]
      : []),
    networkPolicy(ns, OBJECT_NAMES.intraNamespace, {
      policyTypes: ['Ingress', 'Egress'],
      ...(spec.allowIntraNamespaceTraffic ? { ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] } : {}),
    }),
  );
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: OBJECT_NAMES.limitRange, namespace: ns },
      spec: { limits: [{ type: 'Container', ...spec.containerDefaults }] },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: OBJECT_NAMES.quota, namespace: ns },
      spec: { hard: spec.quota },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: spec.serviceAccountName, namespace: ns },
      automountServiceAccountToken: false,
    },
  );
  return objects;
}
