import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../private/compliance';
import { DEFAULT_LOG_INDEX_PREFIX } from './private/log-index';
import { createPodIdentityRole } from '../private/pod-identity';
import { resolveProfile } from '../private/stage';
import { propError } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/** The official chart (https://github.com/fluent/helm-charts). */
const CHART_REPOSITORY = 'https://fluent.github.io/helm-charts';
const CHART_NAME = 'fluent-bit';
/**
 * Chart 0.58.1 runs Fluent Bit 5.1.1. Fluent Bit's HTTP credential provider
 * reads `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token of
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (EKS Pod Identity) since 3.2.10
 * and 4.0.0 (fluent/fluent-bit pull requests 10114 and 10115).
 */
const DEFAULT_CHART_VERSION = '0.58.1';
const DEFAULT_NAMESPACE = 'logging';
/** The release name; the chart names the DaemonSet and its service account after it. */
const RELEASE = 'fluent-bit';
const SERVICE_ACCOUNT = 'fluent-bit';
/** Where the tail input keeps its file offsets across pod restarts (a host path of its own). */
const STATE_DIR = '/var/fluent-bit/state';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const INDEX_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/**
 * Options of a `FluentBit`: everything but what it is attached to, as
 * `ObservableEksCluster` takes them.
 */
export interface FluentBitOptions {
  /**
   * Version of the fluent/fluent-bit chart.
   *
   * @default '0.58.1' (Fluent Bit 5.1.1)
   */
  readonly chartVersion?: string;

  /**
   * Namespace of the DaemonSet, created by the chart.
   *
   * @default 'logging'
   */
  readonly namespace?: string;

  /**
   * Prefix of the log indices; the same as the domain's `logIndexPrefix`, so
   * its retention policy applies.
   *
   * @default 'logs'
   */
  readonly logIndexPrefix?: string;

  /**
   * The cluster's part of the index names (`<prefix>-<clusterLabel>-YYYY.MM.DD`),
   * lowercase.
   *
   * @default - the cluster's name when known at synthesis, else the profile's `cluster.clusterName`
   */
  readonly clusterLabel?: string;
}

/**
 * Properties of a `FluentBit`: its options, the stage or profile whose
 * `cluster.clusterName` names the cluster in the index names when the
 * cluster's name is not known at synthesis, the cluster and the domain.
 */
export interface FluentBitProps extends FluentBitOptions, StagedProps {
  /** The cluster whose container logs are shipped (any aws-eks-v2 cluster with the EKS Pod Identity Agent add-on). */
  readonly cluster: eks.ICluster;

  /**
   * The OpenSearch domain to ship to: `LoggingDomain.domain`, or an
   * existing domain through `Domain.fromDomainAttributes` (its endpoint
   * without `https://`). An existing domain must admit the role (`role`)
   * in its access policy and, with fine-grained access control, map it to
   * a role that may write the log indices.
   */
  readonly domain: opensearch.IDomain;
}

/**
 * Fluent Bit as a DaemonSet on every node (system nodes tainted
 * `CriticalAddonsOnly` included), from the official chart: it tails the
 * containers' logs (`/var/log/containers`, CRI format), adds Kubernetes
 * metadata (namespace, pod, labels, merged JSON logs; no annotations,
 * which may hold configuration values) and ships them to an OpenSearch
 * domain over HTTPS with SigV4, into daily indices
 * `<prefix>-<cluster>-YYYY.MM.DD`.
 *
 * Its AWS identity is an EKS Pod Identity role that may only send bulk
 * requests (`es:ESHttpPost`) to this domain. With a `LoggingDomain`, call
 * `logging.allowLogWriter(fluentBit.role, cluster)` so the domain admits
 * the role, maps it to its write-only security-plugin role and opens HTTPS
 * from the cluster.
 *
 * The container reads the host's log files, which belong to root with mode
 * 0640, so it runs as user 0 but with every capability dropped, no
 * privilege escalation and a read-only root filesystem; it mounts
 * `/var/log` read-only and a state directory of its own for file offsets.
 */
export class FluentBit extends Construct {
  /** The Pod Identity role of the `fluent-bit` service account. */
  public readonly role: iam.IRole;
  /** The Helm release. */
  public readonly chart: eks.HelmChart;
  /** The namespace of the DaemonSet. */
  public readonly namespace: string;
  /** The index prefix Fluent Bit writes (`Logstash_Prefix`); indices are `<this>-YYYY.MM.DD`. */
  public readonly indexPrefix: string;

  constructor(scope: Construct, id: string, props: FluentBitProps) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const chartVersion = props.chartVersion ?? DEFAULT_CHART_VERSION;
    this.namespace = props.namespace ?? DEFAULT_NAMESPACE;
    const prefix = props.logIndexPrefix ?? DEFAULT_LOG_INDEX_PREFIX;
    const clusterName = props.cluster.clusterName;
    const label = props.clusterLabel ?? (Token.isUnresolved(clusterName) ? profile.cluster.clusterName : clusterName.toLowerCase());

    if (!SEMVER.test(chartVersion)) {
      throw propError(this, 'chartVersion', chartVersion, 'must be a chart version such as 0.58.1');
    }
    if (!DNS_LABEL.test(this.namespace)) {
      throw propError(this, 'namespace', this.namespace, 'must be a Kubernetes namespace name (lowercase DNS label, at most 63 characters)');
    }
    if (!INDEX_PREFIX.test(prefix)) {
      throw propError(this, 'logIndexPrefix', prefix, 'must be 1-64 characters of lowercase letters, digits, _ and -, starting with a letter or digit');
    }
    if (!INDEX_NAME.test(label) || label.length > 100) {
      throw propError(this, 'clusterLabel', label, 'must be at most 100 lowercase letters, digits, ., _ and - (it becomes part of index names)');
    }
    this.indexPrefix = `${prefix}-${label}`;

    const domainPaths = `${props.domain.domainArn}/*`;
    const { role, policy, association } = createPodIdentityRole(this, 'Role', {
      cluster: props.cluster,
      namespace: this.namespace,
      serviceAccount: SERVICE_ACCOUNT,
      description: `Fluent Bit of ${this.node.path}: bulk writes to one OpenSearch domain`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ShipLogs',
          // The opensearch output sends one kind of request: POST /_bulk.
          actions: ['es:ESHttpPost'],
          resources: [domainPaths],
        }),
      ],
    });
    this.role = role;
    if (policy) {
      acknowledgeWildcardResource(policy, domainPaths,
        'REST paths of one OpenSearch domain, for one action (es:ESHttpPost, bulk requests); the domain\'s fine-grained access control limits the role to writing the log indices.');
    }

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: CHART_NAME,
      repository: CHART_REPOSITORY,
      version: chartVersion,
      release: RELEASE,
      namespace: this.namespace,
      createNamespace: true,
      values: fluentBitValues({
        host: endpointHost(props.domain.domainEndpoint),
        region: domainRegion(props.domain),
        indexPrefix: this.indexPrefix,
        namespace: this.namespace,
      }),
    });
    // Pods get credentials only if the association exists when they start.
    if (association) this.chart.node.addDependency(association);
  }
}

/** What the values depend on. */
interface ValuesOptions {
  readonly host: string;
  readonly region: string;
  readonly indexPrefix: string;
  readonly namespace: string;
}

/** The chart values (see the chart's values.yaml). */
function fluentBitValues(options: ValuesOptions): { [key: string]: any } {
  return {
    kind: 'DaemonSet',
    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
    // Pods and namespaces only (the kubernetes filter); no node or event access.
    rbac: { create: true, nodeAccess: false, eventsAccess: false },
    testFramework: { enabled: false },
    // A log shipper belongs on every node, whatever its taints (the system
    // node group's CriticalAddonsOnly, Karpenter's), and should not be the
    // pod evicted when a node is full.
    tolerations: [{ operator: 'Exists' }],
    priorityClassName: 'system-node-critical',
    resources: {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { memory: '256Mi' },
    },
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    // Root (uid 0) only to read the root-owned 0640 log files; no
    // capability (not even DAC_OVERRIDE: root owns the files), no
    // escalation, nothing writable but its state directory.
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    daemonSetVolumes: [
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: STATE_DIR, type: 'DirectoryOrCreate' } },
    ],
    daemonSetVolumeMounts: [
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: STATE_DIR },
    ],
    config: {
      inputs: section('INPUT', [
        ['Name', 'tail'],
        ['Tag', 'kube.*'],
        ['Path', '/var/log/containers/*.log'],
        // Its own logs stay out, so an output error cannot feed itself.
        ['Exclude_Path', `/var/log/containers/${RELEASE}-*_${options.namespace}_*.log`],
        ['multiline.parser', 'cri'],
        ['DB', `${STATE_DIR}/tail.db`],
        ['DB.locking', 'true'],
        ['Mem_Buf_Limit', '50MB'],
        ['Skip_Long_Lines', 'On'],
        ['Refresh_Interval', '10'],
      ]),
      filters: section('FILTER', [
        ['Name', 'kubernetes'],
        ['Match', 'kube.*'],
        ['Merge_Log', 'On'],
        ['Keep_Log', 'Off'],
        ['K8S-Logging.Parser', 'On'],
        // Central logging: a pod cannot opt out with an annotation.
        ['K8S-Logging.Exclude', 'Off'],
        ['Labels', 'On'],
        ['Annotations', 'Off'],
        ['Buffer_Size', '256KB'],
      ]),
      outputs: section('OUTPUT', [
        ['Name', 'opensearch'],
        ['Match', 'kube.*'],
        ['Host', options.host],
        ['Port', '443'],
        ['tls', 'On'],
        ['tls.verify', 'On'],
        ['AWS_Auth', 'On'],
        ['AWS_Region', options.region],
        ['Suppress_Type_Name', 'On'],
        ['Logstash_Format', 'On'],
        ['Logstash_Prefix', options.indexPrefix],
        // Label keys such as app.kubernetes.io/name would otherwise clash with object mappings.
        ['Replace_Dots', 'On'],
        // Rejected documents are logged (kubectl logs), not silently retried.
        ['Trace_Error', 'On'],
        // Bulk responses list every document; a truncated one cannot be checked for errors.
        ['Buffer_Size', 'False'],
        // About an hour of backed-off retries covers a blue/green update of the domain; memory stays bounded.
        ['Retry_Limit', '10'],
      ]),
    },
  };
}

/** One classic-mode configuration section. */
function section(name: string, entries: Array<[string, string]>): string {
  const width = Math.max(...entries.map(([key]) => key.length)) + 1;
  return [`[${name}]`, ...entries.map(([key, value]) => `    ${key.padEnd(width)}${value}`)].join('\n') + '\n';
}

/** The domain's region: from its ARN when known at synthesis (an imported domain), else its stack's. */
function domainRegion(domain: opensearch.IDomain): string {
  if (!Token.isUnresolved(domain.domainArn)) {
    const region = Arn.split(domain.domainArn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (region) return region;
  }
  return Stack.of(domain).region;
}

/** The endpoint's host: without scheme or trailing slash when known at synthesis. */
function endpointHost(endpoint: string): string {
  if (Token.isUnresolved(endpoint)) return endpoint;
  return endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}
