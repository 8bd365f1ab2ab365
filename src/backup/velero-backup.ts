import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { VeleroBackupStore } from './velero-backup-store';
import { VeleroBucketLocation } from './velero-replica-bucket';
import { acknowledgeWildcardActions, acknowledgeWildcardResource } from '../private/compliance';
import { CRON_SYNTAX, CronError, maxIntervalMinutes } from './private/cron';
import { createVeleroBackupData, validateReplication } from './private/velero-backup-data';
import { createPodIdentityRole } from '../private/pod-identity';
import { resolveProfile } from '../private/stage';
import { propError, validateIntegerRange, validateUnique } from '../private/validation';
import { StagedProps } from '../profiles';
import {
  acknowledgeAliasKeyWildcard,
  kmsKeyStatement,
  MAX_RETENTION_DAYS,
  useBucketPolicyForAccessLogs,
  validateLocation,
  validateRetention,
} from './private/velero-storage';

/** The Velero Helm chart (vmware-tanzu/helm-charts) and the versions it installs. */
const VELERO_CHART_REPOSITORY = 'https://vmware-tanzu.github.io/helm-charts';
const VELERO_CHART = 'velero';
/** Chart 12.1.0 installs Velero v1.18.1 and its CRDs (the chart's appVersion). */
const VELERO_CHART_VERSION = '12.1.0';
const VELERO_IMAGE = 'docker.io/velero/velero';
const VELERO_VERSION = 'v1.18.1';
/** The AWS plugin line for Velero v1.18.x is v1.14.x (the plugin's compatibility table). */
const AWS_PLUGIN_IMAGE = 'docker.io/velero/velero-plugin-for-aws';
const AWS_PLUGIN_VERSION = 'v1.14.3';

/** Namespace, release and service account of the Velero server. */
const VELERO_NAMESPACE = 'velero';
const VELERO_RELEASE = 'velero';
const VELERO_SERVICE_ACCOUNT = 'velero-server';
/** Names of the storage and snapshot locations the chart creates. */
const DEFAULT_LOCATION = 'default';
const REPLICA_LOCATION = 'replica';

/** Schedule names. */
const FULL_SCHEDULE_NAME = 'full-cluster';
const NAMESPACE_SCHEDULE_NAME = 'namespaces';
/** Label on every Schedule and on the backups (and EBS snapshots) it creates. */
const SCHEDULE_LABEL = 'platform.innovate.io/velero-schedule';

/** Kubernetes namespace names (RFC 1123 labels). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The tag Velero puts on every EBS snapshot it creates (`velero.io/backup: <backup name>`). */
const VELERO_SNAPSHOT_TAG = 'velero.io/backup';

/**
 * A safeguard of `VeleroBackup` that a user can switch off
 * knowingly.
 */
export enum VeleroRisk {
  /**
   * Run without replicating the backups to the recovery region (the
   * profile's `backup.replicaRegion`): a regional outage then loses the cluster's
   * backups with the cluster.
   */
  NO_REPLICATION = 'NO_REPLICATION',
}

/**
 * What one Velero `Schedule` backs up, for `VeleroBackup.scheduleManifest()`.
 */
export interface VeleroScheduleOptions {
  /** Name of the Schedule object (and prefix of its backups' names). */
  readonly name: string;
  /** Cron expression (UTC) or descriptor, as Velero reads `spec.schedule`. */
  readonly schedule: string;
  /** Days each backup is kept (its TTL). */
  readonly retentionDays: number;
  /**
   * Namespaces to back up.
   *
   * @default ['*'] - every namespace
   */
  readonly includedNamespaces?: string[];
  /**
   * Back up cluster-scoped resources (CRDs, cluster roles, persistent
   * volumes, namespaces) too.
   *
   * @default - Velero's default: those related to the included namespaces
   */
  readonly includeClusterResources?: boolean;
  /** Snapshot the persistent volumes (EBS) of the backed-up pods. */
  readonly snapshotVolumes: boolean;
}

/**
 * Options of a `VeleroBackup`: everything but what it is attached to, as
 * `ObservableEksCluster` takes them.
 */
export interface VeleroBackupOptions {
  /**
   * When the full-cluster backup runs (every namespace, cluster-scoped
   * resources, EBS snapshots of the persistent volumes): a 5-field cron
   * expression in UTC or a descriptor such as `@daily` or `@every 6h`.
   *
   * @default - the profile's `backup.fullBackupSchedule`
   */
  readonly fullBackupSchedule?: string;

  /**
   * When the namespace backup of `backupNamespaces` runs (their resources,
   * without volume snapshots). Setting it requires `backupNamespaces`.
   *
   * @default - the profile's `backup.namespaceBackupSchedule`
   */
  readonly namespaceBackupSchedule?: string;

  /**
   * The namespaces the frequent namespace backup covers (the critical
   * ones: the application's, the secrets store's). Without them no namespace
   * schedule is created (a synth warning says so) and only the full backup
   * runs; an empty list says so explicitly, without the warning.
   *
   * @default - none: no namespace schedule
   */
  readonly backupNamespaces?: string[];

  /**
   * Days each backup is kept (Velero's TTL), 1 to 3650. It must be at least
   * the longest interval between two runs of each schedule. With `store`,
   * set it on the store.
   *
   * @default - the profile's `backup.retentionDays` (the store's `retentionDays` with `store`)
   */
  readonly retentionDays?: number;

  /**
   * Days backup objects outlive their TTL in S3 before the bucket's
   * lifecycle expires them, and deleted versions stay recoverable, 1 to 365.
   * Velero deletes expired backups itself; the lifecycle is a safety net
   * for objects Velero no longer manages (a deleted cluster). With
   * `store`, set it on the store.
   *
   * @default - the profile's `backup.lifecycleMarginDays`
   */
  readonly lifecycleMarginDays?: number;

  /**
   * Replicate the backup bucket to a `VeleroReplicaBucket` in another
   * region (use `VeleroReplicaBucket.locationInRegion()`). Every object,
   * SSE-KMS encrypted, is replicated; Velero's deletions (delete markers)
   * are not, so the replica keeps backups until its own lifecycle expires
   * them. Production (a preset with a `backup.replicaRegion`) requires it
   * unless `VeleroRisk.NO_REPLICATION` is in `acceptedRisks`. With
   * `store`, set it on the store.
   *
   * @default - no replication
   */
  readonly replication?: VeleroBucketLocation;

  /**
   * Production safeguards knowingly switched off. With `store`, the
   * replication risk (`VeleroRisk.NO_REPLICATION`) is the store's: set it
   * there.
   *
   * @default - none
   */
  readonly acceptedRisks?: VeleroRisk[];

  /**
   * A bucket of another cluster's backups to restore from, such as the
   * replica in this region after a regional outage: Velero gets read-only
   * access to it (`s3:GetObject`, `s3:ListBucket`, `kms:Decrypt`) and a
   * second backup storage location named `replica` in `ReadOnly` mode, so
   * it can neither write to nor delete from it.
   *
   * @default - none
   */
  readonly restoreSource?: VeleroBucketLocation;

  /**
   * The KMS key the cluster's EBS volumes are encrypted with, when it is a
   * customer-managed key: Velero gets the grants EC2 needs to snapshot
   * volumes and to create volumes from snapshots with it.
   *
   * @default - the volumes use the AWS-managed aws/ebs key (no KMS permissions needed)
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * Bucket receiving the backup bucket's S3 server access logs (it must
   * accept log delivery from `logging.s3.amazonaws.com`). With `store`,
   * set it on the store.
   *
   * @default - a new bucket for the access logs (SSE-S3, versioned, TLS only, logs kept 365 days)
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The backup bucket, its key and replication, created apart (for example
   * in a data stack, so a change of the add-ons never replaces them).
   * Velero then creates no key or bucket of its own, its schedules keep
   * backups the store's `retentionDays`, and its role gets the S3 and KMS
   * permissions in its own policy, so the store's stack does not depend on
   * Velero's. `retentionDays`, `lifecycleMarginDays`, `replication`,
   * `accessLogsBucket` and `VeleroRisk.NO_REPLICATION` belong to the store
   * then: giving them here too is an error.
   *
   * @default - a new store inside the VeleroBackup (`Key`, `AccessLogsBucket`, `Bucket`), as its profile says
   */
  readonly store?: VeleroBackupStore;

  /**
   * Create a Prometheus operator `ServiceMonitor` for Velero's metrics. The
   * cluster must have the `monitoring.coreos.com` CRDs. The metrics endpoint
   * and the `prometheus.io/*` pod annotations are on either way.
   *
   * @default false
   */
  readonly serviceMonitor?: boolean;
}

/**
 * Properties of a `VeleroBackup`.
 */
export interface VeleroBackupProps extends VeleroBackupOptions, StagedProps {
  /** The cluster to back up; it needs a kubectl provider and the EKS Pod Identity Agent add-on. */
  readonly cluster: eks.ICluster;
}

/**
 * Kubernetes backups with Velero: the official chart with the AWS plugin,
 * an S3 bucket for the backups, EBS snapshots of persistent volumes, and
 * the profile's schedules as Velero `Schedule` objects.
 *
 * What it sets up:
 *
 * - **Bucket**: versioned, encrypted with a customer-managed KMS key
 *   (rotation on, S3 Bucket Key), TLS only, public access blocked, server
 *   access logs, lifecycle (backup objects expire `retentionDays +
 *   lifecycleMarginDays` after creation as a safety net behind Velero's TTL;
 *   deleted versions kept `lifecycleMarginDays`; incomplete uploads aborted).
 *   No Object Lock: Velero deletes expired backups itself, which a lock
 *   would block. Retained when the profile's `dataProtection.retainOnDelete` is set.
 * - **Replication** (`replication`): to a `VeleroReplicaBucket` in the
 *   recovery region, with a least-privilege replication role.
 * - **Store**: bucket, key and replication are created inside, or in a
 *   `VeleroBackupStore` given as `store` (for example in a data stack apart
 *   from the add-ons); Velero then creates none of them and uses the store's.
 * - **Velero**: chart `velero` 12.1.0 (Velero v1.18.1) in namespace
 *   `velero`, plugin `velero-plugin-for-aws` v1.14.3, credentials from EKS
 *   Pod Identity (no secret), no node agent (volumes are EBS snapshots),
 *   metrics on.
 * - **IAM**: a Pod Identity role for `velero/velero-server`: the bucket and
 *   its key only; EBS snapshot actions scoped to this account and region,
 *   with snapshot deletion limited to snapshots Velero tagged.
 * - **Schedules**: a full backup (`fullBackupSchedule`) and a namespace
 *   backup of `backupNamespaces` (`namespaceBackupSchedule`), each with the
 *   TTL `retentionDays`, checked at synth time (cron syntax, TTL at least
 *   the longest interval between runs).
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { PlatformStage, VeleroBackup } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const cluster: eks.ICluster;
 *
 * new VeleroBackup(stack, 'Velero', {
 *   cluster,
 *   stage: PlatformStage.DEVELOPMENT,
 *   backupNamespaces: ['innovate'],
 * });
 */
export class VeleroBackup extends Construct {
  /** Version of the Velero Helm chart installed. */
  public static readonly CHART_VERSION = VELERO_CHART_VERSION;
  /** Velero version the chart installs. */
  public static readonly VELERO_VERSION = VELERO_VERSION;
  /** Version of the Velero plugin for AWS. */
  public static readonly AWS_PLUGIN_VERSION = AWS_PLUGIN_VERSION;
  /** Namespace Velero runs in. */
  public static readonly NAMESPACE = VELERO_NAMESPACE;
  /** Service account of the Velero server (the Pod Identity association's). */
  public static readonly SERVICE_ACCOUNT = VELERO_SERVICE_ACCOUNT;

  /**
   * The Velero `Schedule` object for `options` (apiVersion `velero.io/v1`,
   * namespace `velero`), as `VeleroBackup` applies it. Pure: the same
   * options give the same object; the TTL is `retentionDays` as a Go
   * duration (`168h0m0s` for 7 days).
   */
  public static scheduleManifest(options: VeleroScheduleOptions): any {
    validateScheduleOptions(options);
    const template: { [key: string]: unknown } = {
      includedNamespaces: options.includedNamespaces ?? ['*'],
    };
    if (options.includeClusterResources !== undefined) {
      template.includeClusterResources = options.includeClusterResources;
    }
    Object.assign(template, {
      snapshotVolumes: options.snapshotVolumes,
      ...(options.snapshotVolumes ? { volumeSnapshotLocations: [DEFAULT_LOCATION] } : {}),
      storageLocation: DEFAULT_LOCATION,
      ttl: goDurationOfDays(options.retentionDays),
      metadata: { labels: { [SCHEDULE_LABEL]: options.name } },
    });
    return {
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: {
        name: options.name,
        namespace: VELERO_NAMESPACE,
        labels: { [SCHEDULE_LABEL]: options.name, 'app.kubernetes.io/managed-by': 'aws-cdk' },
      },
      spec: {
        schedule: options.schedule,
        useOwnerReferencesInBackup: false,
        template,
      },
    };
  }

  /** The backup bucket. */
  public readonly bucket: s3.Bucket;
  /** The key encrypting the backups. */
  public readonly encryptionKey: kms.Key;
  /** Bucket receiving the backup bucket's access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The role Velero assumes through EKS Pod Identity. */
  public readonly role: iam.IRole;
  /** The role S3 replicates the bucket with, when `replication` is set. */
  public readonly replicationRole?: iam.IRole;
  /** The Velero Helm release. */
  public readonly chart: eks.HelmChart;
  /** The `Schedule` manifests applied, full backup first. */
  public readonly schedules: eks.KubernetesManifest[];
  /** The `Schedule` objects applied (what `scheduleManifest()` built), full backup first. */
  public readonly scheduleObjects: any[];
  /** Days each backup is kept. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: VeleroBackupProps) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const profile = resolveProfile(this, props);
    const stack = Stack.of(this);
    const store = props.store;

    // Validation first: nothing is created from bad input.
    let marginDays = 0;
    if (store) {
      this.validateStoreOptions(props, store);
      this.retentionDays = store.retentionDays;
    } else {
      this.retentionDays = props.retentionDays ?? profile.backup.retentionDays;
      marginDays = props.lifecycleMarginDays ?? profile.backup.lifecycleMarginDays;
      validateRetention(this, this.retentionDays, marginDays);
    }
    const fullSchedule = props.fullBackupSchedule ?? profile.backup.fullBackupSchedule;
    this.validateSchedule('fullBackupSchedule', fullSchedule);
    const namespaces = this.validateNamespaces(props);
    const namespaceSchedule = props.namespaceBackupSchedule ?? profile.backup.namespaceBackupSchedule;
    if (namespaces.length > 0) {
      this.validateSchedule('namespaceBackupSchedule', namespaceSchedule);
    }
    if (!store) {
      validateReplication(this, props.replication, (props.acceptedRisks ?? []).includes(VeleroRisk.NO_REPLICATION), profile);
    }
    if (props.restoreSource) {
      validateLocation(this, 'restoreSource', props.restoreSource);
    }

    // The bucket: the store's, or created here.
    const data = store ?? createVeleroBackupData(this, {
      profile,
      retentionDays: this.retentionDays,
      marginDays,
      replication: props.replication,
      accessLogsBucket: props.accessLogsBucket,
    });
    this.encryptionKey = data.encryptionKey;
    this.accessLogsBucket = data.accessLogsBucket;
    this.bucket = data.bucket;
    this.replicationRole = data.replicationRole;

    // Velero's identity.
    this.role = this.createVeleroRole(props, stack);

    // The chart.
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      repository: VELERO_CHART_REPOSITORY,
      chart: VELERO_CHART,
      version: VELERO_CHART_VERSION,
      release: VELERO_RELEASE,
      namespace: VELERO_NAMESPACE,
      createNamespace: true,
      wait: true,
      timeout: Duration.minutes(10),
      values: veleroChartValues({
        bucketName: this.bucket.bucketName,
        region: stack.region,
        kmsKeyArn: this.encryptionKey.keyArn,
        serviceMonitor: props.serviceMonitor ?? false,
        restoreSource: props.restoreSource,
      }),
    });
    // Pod Identity injects credentials when the pod starts: the association
    // and the role's permissions come first.
    this.chart.node.addDependency(this.role, this.node.findChild('RoleAssociation'));

    // The schedules, after the chart (it installs the CRDs).
    const scheduleOptions: VeleroScheduleOptions[] = [{
      name: FULL_SCHEDULE_NAME,
      schedule: fullSchedule,
      retentionDays: this.retentionDays,
      includeClusterResources: true,
      snapshotVolumes: true,
    }];
    if (namespaces.length > 0) {
      scheduleOptions.push({
        name: NAMESPACE_SCHEDULE_NAME,
        schedule: namespaceSchedule,
        retentionDays: this.retentionDays,
        includedNamespaces: namespaces,
        snapshotVolumes: false,
      });
    }
    this.scheduleObjects = scheduleOptions.map((o) => VeleroBackup.scheduleManifest(o));
    this.schedules = this.scheduleObjects.map((manifest, i) => {
      const resource = new eks.KubernetesManifest(this, i === 0 ? 'FullBackupSchedule' : 'NamespaceBackupSchedule', {
        cluster: props.cluster,
        manifest: [manifest],
        overwrite: true,
      });
      resource.node.addDependency(this.chart);
      return resource;
    });
  }

  /** Throw unless `value` parses and the TTL covers its longest interval. */
  private validateSchedule(prop: string, value: string): void {
    if (Token.isUnresolved(value)) {
      throw propError(this, prop, value, 'must be a literal cron expression (it is checked at synth time)');
    }
    let interval: number;
    try {
      interval = maxIntervalMinutes(value);
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      throw propError(this, prop, value, `must be ${CRON_SYNTAX}; ${err.message}`);
    }
    const ttlMinutes = this.retentionDays * 24 * 60;
    if (ttlMinutes < interval) {
      throw propError(this, prop, value,
        `runs as rarely as every ${describeMinutes(interval)}, longer than the retention of ${this.retentionDays} day(s): `
        + 'each backup would expire before the next exists; run it more often or raise retentionDays');
    }
  }

  private validateNamespaces(props: VeleroBackupProps): string[] {
    const namespaces = props.backupNamespaces;
    if (namespaces === undefined) {
      if (props.namespaceBackupSchedule !== undefined) {
        throw propError(this, 'namespaceBackupSchedule', props.namespaceBackupSchedule,
          'needs backupNamespaces, the namespaces it backs up (the full backup already covers every namespace)');
      }
      Annotations.of(this).addWarningV2('@innovate/platform-constructs:velero-no-namespace-schedule',
        'No backupNamespaces given: only the full-cluster backup is scheduled, not the stage preset\'s namespace backup. '
        + 'Name the critical namespaces in backupNamespaces, or pass [] to say that none is wanted.');
      return [];
    }
    if (namespaces.length === 0 && props.namespaceBackupSchedule !== undefined) {
      throw propError(this, 'backupNamespaces', namespaces, 'must name at least one namespace when namespaceBackupSchedule is set');
    }
    const seen = new Set<string>();
    for (const namespace of namespaces) {
      if (Token.isUnresolved(namespace) || !NAMESPACE_NAME.test(namespace)) {
        throw propError(this, 'backupNamespaces', namespace,
          'must be Kubernetes namespace names: 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');
      }
      if (seen.has(namespace)) {
        throw propError(this, 'backupNamespaces', namespace, 'appears more than once');
      }
      seen.add(namespace);
    }
    return [...namespaces];
  }

  /** Throw on an option that belongs to the store when a store is given. */
  private validateStoreOptions(props: VeleroBackupProps, store: VeleroBackupStore): void {
    const here = Stack.of(this).region;
    const there = Stack.of(store).region;
    if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
      throw propError(this, 'store', store.node.path, `must be in Velero's region ${here}, not ${there}`);
    }
    const owned: Array<[string, unknown]> = [
      ['retentionDays', props.retentionDays],
      ['lifecycleMarginDays', props.lifecycleMarginDays],
      ['replication', props.replication],
      ['accessLogsBucket', props.accessLogsBucket],
    ];
    for (const [prop, value] of owned) {
      if (value !== undefined) {
        throw propError(this, prop, value instanceof Construct ? value.node.path : value,
          `belongs to the store ${store.node.path} when store is given: set it on the store`);
      }
    }
    if ((props.acceptedRisks ?? []).includes(VeleroRisk.NO_REPLICATION)) {
      throw propError(this, 'acceptedRisks', VeleroRisk.NO_REPLICATION,
        `concerns the replication of the store ${store.node.path} when store is given: set it on the store`);
    }
  }

  /**
   * The ARN of the backup objects as Velero's stack reads it. A store in
   * another stack is read through its export, made explicit here so the
   * acknowledgment of the wildcard names the `Fn::ImportValue` cdk-nag sees
   * (the export is the one CDK would create for the reference anyway).
   */
  private bucketObjectsArn(stack: Stack): string {
    const storeStack = Stack.of(this.bucket);
    if (storeStack === stack) return this.bucket.arnForObjects('*');
    return `${storeStack.exportValue(this.bucket.bucketArn)}/*`;
  }

  private createVeleroRole(props: VeleroBackupProps, stack: Stack): iam.IRole {
    const region = stack.region;
    const volumes = `arn:${stack.partition}:ec2:${region}:${stack.account}:volume/*`;
    const snapshots = `arn:${stack.partition}:ec2:${region}::snapshot/*`;
    const objects = this.bucketObjectsArn(stack);
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'BackupObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [objects],
      }),
      new iam.PolicyStatement({ sid: 'ListBackups', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      new iam.PolicyStatement({
        sid: 'BackupKey',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
        resources: [this.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeVolumesAndSnapshots',
        actions: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ sid: 'SnapshotVolumes', actions: ['ec2:CreateSnapshot'], resources: [volumes] }),
      new iam.PolicyStatement({
        sid: 'CreateTaggedSnapshots',
        actions: ['ec2:CreateSnapshot'],
        resources: [snapshots],
        conditions: { Null: { [`aws:RequestTag/${VELERO_SNAPSHOT_TAG}`]: 'false' } },
      }),
      new iam.PolicyStatement({ sid: 'RestoreFromSnapshots', actions: ['ec2:CreateVolume'], resources: [snapshots] }),
      new iam.PolicyStatement({
        sid: 'CreateTaggedVolumes',
        actions: ['ec2:CreateVolume'],
        resources: [volumes],
        conditions: { Null: { [`aws:RequestTag/${VELERO_SNAPSHOT_TAG}`]: 'false' } },
      }),
      new iam.PolicyStatement({
        sid: 'TagOnCreateOnly',
        actions: ['ec2:CreateTags'],
        resources: [volumes, snapshots],
        conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } },
      }),
      new iam.PolicyStatement({
        sid: 'DeleteVeleroSnapshots',
        actions: ['ec2:DeleteSnapshot'],
        resources: [snapshots],
        conditions: { Null: { [`aws:ResourceTag/${VELERO_SNAPSHOT_TAG}`]: 'false' } },
      }),
    ];
    if (props.volumeEncryptionKey) {
      const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
      statements.push(
        new iam.PolicyStatement({
          sid: 'VolumeKey',
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
          resources: [props.volumeEncryptionKey.keyArn],
          conditions: { StringEquals: viaEc2 },
        }),
        new iam.PolicyStatement({
          sid: 'VolumeKeyGrants',
          actions: ['kms:CreateGrant'],
          resources: [props.volumeEncryptionKey.keyArn],
          conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      );
    }
    if (props.restoreSource) {
      const replicaArn = `arn:${stack.partition}:s3:::${props.restoreSource.bucketName}`;
      statements.push(
        new iam.PolicyStatement({ sid: 'ReadRestoreSourceObjects', actions: ['s3:GetObject'], resources: [`${replicaArn}/*`] }),
        new iam.PolicyStatement({ sid: 'ListRestoreSource', actions: ['s3:ListBucket'], resources: [replicaArn] }),
        kmsKeyStatement(this, props.restoreSource, ['kms:Decrypt'], true),
      );
    }
    const { role, policy } = createPodIdentityRole(this, 'Role', {
      cluster: props.cluster,
      namespace: VELERO_NAMESPACE,
      serviceAccount: VELERO_SERVICE_ACCOUNT,
      description: `Velero of ${this.node.path}: backups in its S3 bucket, EBS snapshots of the cluster's volumes`,
      statements,
    });
    const p = policy!;
    acknowledgeWildcardResource(p, objects,
      'Velero names its objects per backup (backups/<name>/...) and restore; the statement covers the objects of the Velero bucket only.');
    acknowledgeWildcardActions(p, ['kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      'The AWS plugin encrypts backups with the bucket key (SSE-KMS): the GenerateDataKey and ReEncrypt variants are limited to that one key.');
    acknowledgeWildcardResource(p, '*',
      'ec2:DescribeVolumes and ec2:DescribeSnapshots support no resource-level permissions, so "*" is their only valid resource; the statement holds only these two read actions.');
    acknowledgeWildcardResource(p, volumes,
      'Velero snapshots and restores the volumes of any persistent volume the cluster creates, whose IDs are not known at deploy time; limited to this account and region, '
      + 'and new volumes must carry Velero\'s velero.io/backup tag.');
    acknowledgeWildcardResource(p, snapshots,
      'EBS snapshot IDs are created at backup time; limited to this region, new snapshots must carry Velero\'s velero.io/backup tag, and only snapshots carrying it can be deleted.');
    if (props.volumeEncryptionKey) {
      acknowledgeWildcardActions(p, ['kms:ReEncrypt*'],
        'EC2 re-encrypts snapshot data with the volume key when it creates volumes from snapshots; limited to that key through EC2 of this region.');
    }
    if (props.restoreSource) {
      const replicaArn = `arn:${stack.partition}:s3:::${props.restoreSource.bucketName}`;
      acknowledgeWildcardResource(p, `${replicaArn}/*`,
        'Velero reads the backups of the restore source, whose object names are per backup; read-only (s3:GetObject) and limited to that bucket.');
      acknowledgeAliasKeyWildcard(p, props.restoreSource);
    }
    return role;
  }
}

/** The checks Kubernetes and Velero would make on a `Schedule`, at synth time. */
function validateScheduleOptions(options: VeleroScheduleOptions): void {
  const scope: IConstruct = { node: { path: 'VeleroBackup.scheduleManifest' } } as IConstruct;
  if (!Token.isUnresolved(options.name) && !NAMESPACE_NAME.test(options.name)) {
    throw propError(scope, 'name', options.name,
      'must be 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (a Kubernetes name and label value)');
  }
  validateIntegerRange(scope, 'retentionDays', options.retentionDays, 1, MAX_RETENTION_DAYS);
  (options.includedNamespaces ?? []).forEach((namespace, i) => {
    if (!Token.isUnresolved(namespace) && namespace !== '*' && !NAMESPACE_NAME.test(namespace)) {
      throw propError(scope, `includedNamespaces[${i}]`, namespace, 'must be * or a Kubernetes namespace name: 1-63 lowercase letters, digits and hyphens');
    }
  });
  validateUnique(scope, 'includedNamespaces', options.includedNamespaces);
}

/** A whole number of days as the Go duration Velero prints (`168h0m0s`). */
function goDurationOfDays(days: number): string {
  return `${days * 24}h0m0s`;
}

function describeMinutes(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} day(s)`;
  if (minutes % 60 === 0) return `${minutes / 60} hour(s)`;
  return `${minutes} minute(s)`;
}

interface ChartValuesOptions {
  readonly bucketName: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly serviceMonitor: boolean;
  readonly restoreSource?: VeleroBucketLocation;
}

/**
 * Requests and memory limits of Velero's containers; no CPU limit (throttling slows a backup, and the
 * requests already reserve the CPU).
 */
const RESOURCES = {
  server: { requests: { cpu: '500m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  /** The AWS plugin's init container only copies its binary into the plugins volume. */
  awsPlugin: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  /** The pre-install/pre-upgrade hook job that applies Velero's CRDs (`velero install --crds-only --apply`). */
  upgradeCrdsJob: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
};

/**
 * The user and group of every Velero container, the server's, the plugin's and the CRD job's (the chart
 * applies `podSecurityContext` to the job too). A number is required: the Velero image's own user is the
 * name `cnb` (uid 1002 of its Paketo base image), which the kubelet cannot check against runAsNonRoot. 65532
 * is the plugin image's own user (distroless nonroot); every path Velero writes (/tmp, /plugins, /scratch)
 * is an emptyDir.
 */
const VELERO_UID = 65532;

/** Hardening of the Velero and plugin containers (the chart mounts /tmp, /plugins and /scratch as emptyDirs). */
const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** The values of the Velero chart; pure, so tests can compare them. */
function veleroChartValues(options: ChartValuesOptions): { [key: string]: any } {
  const backupStorageLocation: Array<{ [key: string]: unknown }> = [{
    name: DEFAULT_LOCATION,
    provider: 'aws',
    bucket: options.bucketName,
    default: true,
    accessMode: 'ReadWrite',
    config: { region: options.region, kmsKeyId: options.kmsKeyArn },
  }];
  if (options.restoreSource) {
    backupStorageLocation.push({
      name: REPLICA_LOCATION,
      provider: 'aws',
      bucket: options.restoreSource.bucketName,
      default: false,
      accessMode: 'ReadOnly',
      config: { region: options.restoreSource.region },
    });
  }
  return {
    image: { repository: VELERO_IMAGE, tag: VELERO_VERSION },
    initContainers: [{
      name: 'velero-plugin-for-aws',
      image: `${AWS_PLUGIN_IMAGE}:${AWS_PLUGIN_VERSION}`,
      imagePullPolicy: 'IfNotPresent',
      volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
      securityContext: CONTAINER_SECURITY_CONTEXT,
      resources: RESOURCES.awsPlugin,
    }],
    // EKS Pod Identity: the AWS SDK (aws-sdk-go-v2) of Velero and the
    // plugin reads the container credentials EKS injects; no secret.
    credentials: { useSecret: false },
    serviceAccount: { server: { create: true, name: VELERO_SERVICE_ACCOUNT } },
    configuration: {
      backupStorageLocation,
      volumeSnapshotLocation: [{ name: DEFAULT_LOCATION, provider: 'aws', config: { region: options.region } }],
      defaultVolumesToFsBackup: false,
    },
    backupsEnabled: true,
    snapshotsEnabled: true,
    // Volumes are EBS snapshots through the AWS plugin; no file-system
    // backup, so no privileged node agent on every node.
    deployNodeAgent: false,
    // Schedules are this construct's own Schedule manifests.
    schedules: {},
    upgradeCRDs: true,
    upgradeJobResources: RESOURCES.upgradeCrdsJob,
    resources: RESOURCES.server,
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: VELERO_UID,
      runAsGroup: VELERO_UID,
      fsGroup: VELERO_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containerSecurityContext: CONTAINER_SECURITY_CONTEXT,
    metrics: {
      enabled: true,
      serviceMonitor: { enabled: options.serviceMonitor, autodetect: false },
    },
  };
}
