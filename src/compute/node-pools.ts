import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validateEc2InstanceFamily } from '../private/instance-types';
import { resolveProfile } from '../private/stage';
import { propError, validateIntegerRange } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/** The Karpenter API group and version of NodePools (Karpenter v1 and EKS Auto Mode alike). */
const NODE_POOL_API_VERSION = 'karpenter.sh/v1';
/** Label and requirement key of the capacity type, the same in Karpenter and EKS Auto Mode. */
const CAPACITY_TYPE_KEY = 'karpenter.sh/capacity-type';
/**
 * Most "virtual domains" the Spot/On-Demand split uses. A workload spreading
 * over the domains with `maxSkew: 1` puts its first N replicas on N different
 * nodes, so a large set would force many small nodes for small deployments:
 * ten keeps the split's granularity at 10 percentage points or better.
 */
const MAX_SPREAD_DOMAINS = 10;
/** Sizes no pool launches: bare metal (slow to boot, whole hosts) and the smallest burstable sizes (too few pods after DaemonSets). */
const EXCLUDED_INSTANCE_SIZES = ['nano', 'micro', 'metal', 'metal-24xl', 'metal-48xl'];
/** EKS Auto Mode replaces every node after 21 days at the latest. */
const AUTO_MODE_MAX_LIFETIME_HOURS = 504;
/** Upper bound of the sanity checks below (a limit, not an AWS quota). */
const MAX_LIMIT = 1_000_000;
/** How long a node may wait before consolidation, at most (a sanity limit: one day). */
const MAX_CONSOLIDATE_AFTER_SECONDS = 86_400;
/** Only Graviton families: `a1` or `<category><generation>g<attributes>` (m7g, c7gn, r7gd, t4g, x2gd, im4gn, is4gen, m8g). */
const GRAVITON_FAMILY = /^(a1|[a-z]+[0-9]+g[a-z]*)$/;
/** The architecture of every node of this library (Graviton throughout). */
const ARM64 = 'arm64';
/** A Kubernetes object name (RFC 1123 subdomain, kept short). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Which node provisioner reads the NodePools: it decides the node class
 * reference and the label keys of instance attributes.
 */
export enum NodePoolTarget {
  /**
   * Self-managed Karpenter: `nodeClassRef` to a `karpenter.k8s.aws/EC2NodeClass`,
   * instance attributes under `karpenter.k8s.aws/`.
   */
  KARPENTER = 'KARPENTER',
  /**
   * EKS Auto Mode: `nodeClassRef` to an `eks.amazonaws.com/NodeClass`,
   * instance attributes under `eks.amazonaws.com/` (Auto Mode does not
   * support the `kubernetes.io/os` requirement; its nodes are Linux).
   */
  EKS_AUTO_MODE = 'EKS_AUTO_MODE',
}

/**
 * The NodePool settings shared by `Karpenter` and EKS Auto Mode. Every value
 * defaults to the profile's `cluster` section; the stage and profile come
 * from the props that embed these settings.
 */
export interface NodePoolSettings {
  /**
   * Share of the capacity on Spot, in percent (0-100; the rest On-Demand).
   * 100 gives one Spot pool, 0 one On-Demand pool, anything else a Spot and
   * an On-Demand pool split through the capacity-spread label (see
   * `NodePools`).
   *
   * @default - the profile's `cluster.spotPercentage`
   */
  readonly spotPercentage?: number;

  /**
   * EC2 instance families the pools may launch; Graviton (arm64) families
   * only, such as `m7g`, `c7g`, `r7g`, `t4g`, `c7gn`, `m8g`.
   *
   * @default - the profile's `cluster.instanceFamilies`
   */
  readonly instanceFamilies?: string[];

  /**
   * CPU architecture of the nodes. Only `arm64` (AWS Graviton) is
   * supported: the platform runs Graviton throughout.
   *
   * @default - the profile's `cluster.nodeArchitecture`
   */
  readonly nodeArchitecture?: string;

  /**
   * vCPUs all pools together may provision; split across the pools by
   * their share.
   *
   * @default - the profile's `cluster.cpuLimit`
   */
  readonly cpuLimit?: number;

  /**
   * Memory all pools together may provision, in GiB; split across the
   * pools by their share.
   *
   * @default - the profile's `cluster.memoryLimitGiB`
   */
  readonly memoryLimitGiB?: number;

  /**
   * Nodes of the always-on system node group: the pools together may
   * launch `maxNodes - minNodes` nodes.
   *
   * @default - the profile's `cluster.minNodes`
   */
  readonly minNodes?: number;

  /**
   * Upper bound of the cluster's node count, system nodes included.
   *
   * @default - the profile's `cluster.maxNodes`
   */
  readonly maxNodes?: number;

  /**
   * Seconds a node must stay empty or underutilised before it is
   * consolidated (the stabilization window after a traffic spike).
   *
   * @default - the profile's `cluster.consolidateAfterSeconds`
   */
  readonly consolidateAfterSeconds?: number;

  /**
   * Share of a pool's nodes that may be disrupted at once by consolidation,
   * drift or expiry, in percent (1-100).
   *
   * @default - the profile's `cluster.disruptionBudgetPercent`
   */
  readonly disruptionBudgetPercent?: number;

  /**
   * Hours after which a node is replaced (`expireAfter`), so every node
   * runs a recent, patched AMI. With EKS Auto Mode, together with
   * `terminationGracePeriodHours` at most its 21-day node lifetime.
   *
   * @default - the profile's `cluster.expireAfterHours`
   */
  readonly expireAfterHours?: number;

  /**
   * Hours a disrupted node may spend draining (respecting
   * PodDisruptionBudgets) before its remaining pods are deleted.
   *
   * @default - the profile's `cluster.terminationGracePeriodHours`
   */
  readonly terminationGracePeriodHours?: number;
}

/**
 * Options of `NodePools.plan()`.
 */
export interface NodePoolOptions extends NodePoolSettings, StagedProps {
  /**
   * The provisioner that reads the NodePools.
   *
   * @default NodePoolTarget.KARPENTER
   */
  readonly target?: NodePoolTarget;

  /**
   * The node class every pool references: an `EC2NodeClass` (Karpenter) or
   * a `NodeClass` (EKS Auto Mode).
   *
   * @default 'default'
   */
  readonly nodeClassName?: string;
}

/**
 * How the capacity is split into "virtual domains" of the capacity-spread
 * label: `spotDomains` values on the Spot pool, `onDemandDomains` values on
 * the On-Demand pool.
 */
export interface CapacitySplit {
  /** Domains (label values) of the Spot pool; 0 without a Spot pool. */
  readonly spotDomains: number;
  /** Domains (label values) of the On-Demand pool; 0 without an On-Demand pool. */
  readonly onDemandDomains: number;
  /** The Spot share a workload spreading evenly over the domains gets, in percent. */
  readonly effectiveSpotPercentage: number;
}

/**
 * One NodePool of a plan.
 */
export interface PlannedNodePool {
  /** The NodePool's name (`spot` or `on-demand`). */
  readonly name: string;
  /** `spot` or `on-demand`. */
  readonly capacityType: string;
  /** Values of the capacity-spread label its nodes carry. */
  readonly spreadValues: string[];
  /** vCPUs the pool may provision. */
  readonly cpuLimit: number;
  /** Memory the pool may provision, in GiB. */
  readonly memoryLimitGiB: number;
  /** Nodes the pool may launch. */
  readonly nodeLimit: number;
  /** The `karpenter.sh/v1` NodePool object. */
  readonly manifest: { [key: string]: any };
}

/**
 * The NodePools of one cluster and how they split the capacity.
 */
export interface NodePoolPlan {
  /** The pools: one (all Spot or all On-Demand) or two (Spot, then On-Demand). */
  readonly pools: PlannedNodePool[];
  /** The NodePool objects, in the order of `pools`. */
  readonly manifests: { [key: string]: any }[];
  /** The Spot share asked for, in percent. */
  readonly spotPercentage: number;
  /** The split into capacity-spread domains. */
  readonly split: CapacitySplit;
}

/** Every input of a plan, resolved against the preset. */
interface ResolvedNodePoolSettings {
  readonly target: NodePoolTarget;
  readonly nodeClassName: string;
  readonly spotPercentage: number;
  readonly instanceFamilies: string[];
  readonly cpuLimit: number;
  readonly memoryLimitGiB: number;
  readonly nodeLimit: number;
  readonly consolidateAfterSeconds: number;
  readonly disruptionBudgetPercent: number;
  readonly expireAfterHours: number;
  readonly terminationGracePeriodHours: number;
}

/**
 * Builds the NodePools (`karpenter.sh/v1`) of a cluster from the stage
 * preset, for self-managed Karpenter and for EKS Auto Mode alike: a pure
 * function of its options, so tests and schema checks can read the objects.
 *
 * **Pools.** Development (100% Spot) gets one `spot` pool. Production (80%
 * Spot) gets a `spot` and an `on-demand` pool split the way Karpenter
 * documents ("On-Demand/Spot Ratio Split"): both pools require the label
 * `innovate.io/capacity-spread` with disjoint value sets whose sizes have the
 * Spot:On-Demand ratio (80/20 = 4:1: values 1-4 on Spot, 5 on On-Demand).
 * Karpenter labels each node with one value of its pool. A workload that
 * spreads evenly over the label, with
 *
 * ```yaml
 * topologySpreadConstraints:
 *   - maxSkew: 1
 *     topologyKey: innovate.io/capacity-spread
 *     whenUnsatisfiable: DoNotSchedule
 *     labelSelector: { matchLabels: { app: backend } }
 * ```
 *
 * (`NodePools.capacitySpreadConstraint()` returns it), puts 4 of every 5
 * replicas on Spot and 1 on On-Demand, so a Spot reclaim never takes all
 * replicas. Workloads without the constraint land on the cheapest capacity
 * that fits (Spot). Any `spotPercentage` works: 100 and 0 give a single pool;
 * otherwise the smallest integer ratio is used when it needs at most 10
 * domains (80 → 4:1, 75 → 3:1, 50 → 1:1), else the closest ratio with at
 * most 10 domains (33 → 1:2, i.e. 33.3%; 1 → 1:9, i.e. 10%): more domains
 * would force small deployments onto one node per domain. The single pools
 * carry the label too (value `1`), so the same workload manifests schedule
 * in every stage.
 *
 * **Requirements.** `kubernetes.io/arch In [arm64]`, `kubernetes.io/os In
 * [linux]` (Karpenter only: Auto Mode nodes are Linux and reject the key),
 * the capacity type, the instance families of the preset (Graviton only, an
 * allow-list, so no older generation sneaks in) and no `nano`, `micro` or
 * bare-metal sizes.
 *
 * **Limits.** The profile's CPU and memory limits and the node limit
 * `maxNodes - minNodes` (the system node group holds `minNodes`) are split
 * across the pools by their share of the domains, rounded so that the pool
 * limits add up to the totals.
 *
 * **Scaling behaviour.** Normal load runs on the `minNodes`
 * system nodes plus the few application nodes Karpenter sizes to the pending
 * pods (the profile's `cluster.baselineNodes`). A traffic spike leaves pods
 * pending; Karpenter batches them (1-10 s, the chart's `batchIdleDuration` /
 * `batchMaxDuration`) and launches right-sized instances through EC2 Fleet,
 * which join in about 45-60 s. When the spike ends, a node that stays empty
 * or underutilised for `consolidateAfter` (the profile's `cluster.consolidateAfterSeconds`: the stabilization
 * window) is removed or replaced by a cheaper one (`consolidationPolicy:
 * WhenEmptyOrUnderutilized`), at most `disruptionBudgetPercent` of a pool's
 * nodes at a time. `limits.nodes` caps the total at `maxNodes`. Nodes
 * expire after `expireAfterHours`.
 */
export class NodePools {
  /** The label whose values split capacity between the Spot and On-Demand pools. */
  public static readonly CAPACITY_SPREAD_LABEL = 'innovate.io/capacity-spread';

  /**
   * Build the NodePools of a cluster. Throws, naming `scope`'s path, the
   * option and the allowed values, on a bad input.
   *
   * @param scope the construct errors are reported for
   * @param options the pools' settings; every one defaults to the preset
   */
  public static plan(scope: IConstruct, options: NodePoolOptions = {}): NodePoolPlan {
    const settings = resolveSettings(scope, options);
    const split = NodePools.capacitySplit(settings.spotPercentage);
    const shares: Array<{ name: string; capacityType: string; domains: number; first: number }> = [];
    if (split.spotDomains > 0) shares.push({ name: 'spot', capacityType: 'spot', domains: split.spotDomains, first: 1 });
    if (split.onDemandDomains > 0) {
      shares.push({ name: 'on-demand', capacityType: 'on-demand', domains: split.onDemandDomains, first: split.spotDomains + 1 });
    }
    const cpu = splitLimit(scope, 'cpuLimit', settings.cpuLimit, split);
    const memory = splitLimit(scope, 'memoryLimitGiB', settings.memoryLimitGiB, split);
    const nodes = splitLimit(scope, 'maxNodes - minNodes', settings.nodeLimit, split);
    const pools = shares.map((share, i): PlannedNodePool => {
      const spreadValues = Array.from({ length: share.domains }, (_, d) => String(share.first + d));
      const limits = { cpuLimit: cpu[i], memoryLimitGiB: memory[i], nodeLimit: nodes[i] };
      return {
        name: share.name,
        capacityType: share.capacityType,
        spreadValues,
        ...limits,
        manifest: nodePoolManifest(settings, share.name, share.capacityType, spreadValues, limits),
      };
    });
    return { pools, manifests: pools.map((p) => p.manifest), spotPercentage: settings.spotPercentage, split };
  }

  /**
   * How `spotPercentage` (0-100) is split into capacity-spread domains: the
   * smallest integer ratio when it needs at most 10 domains, otherwise the
   * closest ratio with at most 10 (fewer domains on a tie).
   */
  public static capacitySplit(spotPercentage: number): CapacitySplit {
    if (!Number.isInteger(spotPercentage) || spotPercentage < 0 || spotPercentage > 100) {
      throw new Error(`NodePools.capacitySplit: invalid spotPercentage ${JSON.stringify(spotPercentage)}: must be an integer from 0 to 100`);
    }
    if (spotPercentage === 100) return { spotDomains: 1, onDemandDomains: 0, effectiveSpotPercentage: 100 };
    if (spotPercentage === 0) return { spotDomains: 0, onDemandDomains: 1, effectiveSpotPercentage: 0 };
    const divisor = gcd(spotPercentage, 100 - spotPercentage);
    let spot = spotPercentage / divisor;
    let onDemand = (100 - spotPercentage) / divisor;
    if (spot + onDemand > MAX_SPREAD_DOMAINS) {
      let best = { spot: 1, total: 2, error: Number.POSITIVE_INFINITY };
      for (let total = 2; total <= MAX_SPREAD_DOMAINS; total++) {
        for (let s = 1; s < total; s++) {
          const error = Math.abs(s / total - spotPercentage / 100);
          if (error < best.error - 1e-12) best = { spot: s, total, error };
        }
      }
      spot = best.spot;
      onDemand = best.total - best.spot;
    }
    return {
      spotDomains: spot,
      onDemandDomains: onDemand,
      effectiveSpotPercentage: Math.round((spot / (spot + onDemand)) * 1000) / 10,
    };
  }

  /**
   * The topology spread constraint a workload adds to its pod template to
   * follow the Spot/On-Demand split (Karpenter's documented technique).
   *
   * @param matchLabels the labels of the workload's own pods
   */
  public static capacitySpreadConstraint(matchLabels: { [key: string]: string }): { [key: string]: any } {
    return {
      maxSkew: 1,
      topologyKey: NodePools.CAPACITY_SPREAD_LABEL,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { ...matchLabels } },
    };
  }

  private constructor() {}
}

function resolveSettings(scope: IConstruct, options: NodePoolOptions): ResolvedNodePoolSettings {
  const preset = resolveProfile(scope, options).cluster;
  const target = options.target ?? NodePoolTarget.KARPENTER;
  const nodeClassName = options.nodeClassName ?? 'default';
  if (Token.isUnresolved(nodeClassName) || !OBJECT_NAME.test(nodeClassName) || nodeClassName.length > 63) {
    throw propError(scope, 'nodeClassName', nodeClassName, 'must be a Kubernetes object name: up to 63 lowercase letters, digits and inner hyphens');
  }

  const architecture = options.nodeArchitecture ?? preset.nodeArchitecture;
  if (architecture !== ARM64) {
    throw propError(scope, 'nodeArchitecture', architecture, "must be 'arm64': the node pools launch AWS Graviton instances only");
  }

  const spotPercentage = options.spotPercentage ?? preset.spotPercentage;
  validateConcrete(scope, 'spotPercentage', spotPercentage);
  validateIntegerRange(scope, 'spotPercentage', spotPercentage, 0, 100);

  const instanceFamilies = validateFamilies(scope, options.instanceFamilies ?? preset.instanceFamilies);

  const cpuLimit = options.cpuLimit ?? preset.cpuLimit;
  const memoryLimitGiB = options.memoryLimitGiB ?? preset.memoryLimitGiB;
  for (const [prop, value] of [['cpuLimit', cpuLimit], ['memoryLimitGiB', memoryLimitGiB]] as const) {
    validateConcrete(scope, prop, value);
    validateIntegerRange(scope, prop, value, 1, MAX_LIMIT);
  }

  const minNodes = options.minNodes ?? preset.minNodes;
  const maxNodes = options.maxNodes ?? preset.maxNodes;
  validateConcrete(scope, 'minNodes', minNodes);
  validateConcrete(scope, 'maxNodes', maxNodes);
  validateIntegerRange(scope, 'minNodes', minNodes, 0, MAX_LIMIT);
  validateIntegerRange(scope, 'maxNodes', maxNodes, 1, MAX_LIMIT);
  validateNodeBounds(scope, options, minNodes, maxNodes);

  const consolidateAfterSeconds = options.consolidateAfterSeconds ?? preset.consolidateAfterSeconds;
  validateConcrete(scope, 'consolidateAfterSeconds', consolidateAfterSeconds);
  validateIntegerRange(scope, 'consolidateAfterSeconds', consolidateAfterSeconds, 0, MAX_CONSOLIDATE_AFTER_SECONDS);

  const disruptionBudgetPercent = options.disruptionBudgetPercent ?? preset.disruptionBudgetPercent;
  validateConcrete(scope, 'disruptionBudgetPercent', disruptionBudgetPercent);
  validateIntegerRange(scope, 'disruptionBudgetPercent', disruptionBudgetPercent, 1, 100);

  const terminationGracePeriodHours = options.terminationGracePeriodHours ?? preset.terminationGracePeriodHours;
  validateConcrete(scope, 'terminationGracePeriodHours', terminationGracePeriodHours);
  validateIntegerRange(scope, 'terminationGracePeriodHours', terminationGracePeriodHours, 1, AUTO_MODE_MAX_LIFETIME_HOURS);
  const expireAfterHours = options.expireAfterHours ?? preset.expireAfterHours;
  validateConcrete(scope, 'expireAfterHours', expireAfterHours);
  if (target === NodePoolTarget.EKS_AUTO_MODE) {
    // Auto Mode ends every node after 21 days, draining included.
    validateIntegerRange(scope, 'expireAfterHours', expireAfterHours, 1, AUTO_MODE_MAX_LIFETIME_HOURS - terminationGracePeriodHours);
  } else {
    validateIntegerRange(scope, 'expireAfterHours', expireAfterHours, 1, MAX_LIMIT);
  }

  return {
    target,
    nodeClassName,
    spotPercentage,
    instanceFamilies,
    cpuLimit,
    memoryLimitGiB,
    nodeLimit: maxNodes - minNodes,
    consolidateAfterSeconds,
    disruptionBudgetPercent,
    expireAfterHours,
    terminationGracePeriodHours,
  };
}

/**
 * `maxNodes` must exceed `minNodes` (the pools launch `maxNodes - minNodes`
 * nodes); the error names the prop the user gave (`maxNodes` when both or
 * neither were given, `minNodes` when only it was).
 */
export function validateNodeBounds(scope: IConstruct, given: { minNodes?: number; maxNodes?: number }, minNodes: number, maxNodes: number): void {
  if (maxNodes > minNodes) return;
  const reason = 'the node pools may launch maxNodes - minNodes nodes besides the system node group';
  if (given.minNodes !== undefined && given.maxNodes === undefined) {
    throw propError(scope, 'minNodes', minNodes, `must be less than maxNodes (${maxNodes}, the profile's cluster.maxNodes): ${reason}`);
  }
  throw propError(scope, 'maxNodes', maxNodes, `must be greater than minNodes (${minNodes}): ${reason}`);
}

/** The plan is computed at synthesis: numbers must be literal. */
function validateConcrete(scope: IConstruct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) {
    throw propError(scope, prop, String(value), 'must be a literal number (the NodePools are computed at synthesis)');
  }
}

function validateFamilies(scope: IConstruct, families: string[]): string[] {
  if (families.length === 0) {
    throw propError(scope, 'instanceFamilies', families, 'must name at least one Graviton instance family, such as m7g');
  }
  const seen = new Set<string>();
  families.forEach((family, i) => {
    if (Token.isUnresolved(family) || !GRAVITON_FAMILY.test(family)) {
      throw propError(scope, 'instanceFamilies', family,
        'must be AWS Graviton (arm64) instance families such as m7g, c7g, r7g, t4g, c7gn, r7gd, m8g (x86 families like m5, c6i or t3 are not allowed)');
    }
    // A Graviton-shaped name EC2 does not offer (m9g, c7gx) would leave the pool without any instance type.
    validateEc2InstanceFamily(scope, `instanceFamilies[${i}]`, family);
    if (seen.has(family)) {
      throw propError(scope, 'instanceFamilies', family, 'appears more than once');
    }
    seen.add(family);
  });
  return [...families];
}

/**
 * Split `total` across the pools in proportion to their domains, each pool
 * getting at least 1 and the parts adding up to `total`.
 */
function splitLimit(scope: IConstruct, prop: string, total: number, split: CapacitySplit): number[] {
  if (split.spotDomains === 0 || split.onDemandDomains === 0) return [total];
  if (total < 2) {
    throw propError(scope, prop, total, 'must be at least 2 to split across the Spot and On-Demand node pools');
  }
  const domains = split.spotDomains + split.onDemandDomains;
  const spot = Math.min(total - 1, Math.max(1, Math.round((total * split.spotDomains) / domains)));
  return [spot, total - spot];
}

function nodePoolManifest(
  settings: ResolvedNodePoolSettings,
  name: string,
  capacityType: string,
  spreadValues: string[],
  limits: { cpuLimit: number; memoryLimitGiB: number; nodeLimit: number },
): { [key: string]: any } {
  const autoMode = settings.target === NodePoolTarget.EKS_AUTO_MODE;
  const attributes = autoMode ? 'eks.amazonaws.com' : 'karpenter.k8s.aws';
  const requirements: Array<{ [key: string]: any }> = [
    { key: 'kubernetes.io/arch', operator: 'In', values: [ARM64] },
    ...(autoMode ? [] : [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }]),
    { key: CAPACITY_TYPE_KEY, operator: 'In', values: [capacityType] },
    { key: `${attributes}/instance-family`, operator: 'In', values: settings.instanceFamilies },
    { key: `${attributes}/instance-size`, operator: 'NotIn', values: EXCLUDED_INSTANCE_SIZES },
    { key: NodePools.CAPACITY_SPREAD_LABEL, operator: 'In', values: spreadValues },
  ];
  return {
    apiVersion: NODE_POOL_API_VERSION,
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        metadata: { labels: { 'innovate.io/node-role': 'application' } },
        spec: {
          nodeClassRef: autoMode
            ? { group: 'eks.amazonaws.com', kind: 'NodeClass', name: settings.nodeClassName }
            : { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: settings.nodeClassName },
          requirements,
          expireAfter: `${settings.expireAfterHours}h`,
          terminationGracePeriod: `${settings.terminationGracePeriodHours}h`,
        },
      },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: `${settings.consolidateAfterSeconds}s`,
        budgets: [{ nodes: `${settings.disruptionBudgetPercent}%` }],
      },
      // Strings, as Karpenter recommends: the API server stores quantities as strings.
      limits: {
        cpu: String(limits.cpuLimit),
        memory: `${limits.memoryLimitGiB}Gi`,
        nodes: String(limits.nodeLimit),
      },
    },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
