import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { createVaultData, vaultServerStatements } from './private/vault-data';
import {
  CA_SECRET, INJECTOR_CA_ENV, tlsChartFiles, tlsChartValues, VAULT_RELEASE, VAULT_SERVICE_ACCOUNT, vaultChartValues,
} from './private/vault-values';
import { VaultStore } from './vault-store';
import { acknowledgeWildcardActions, acknowledgeWildcardResource } from '../private/compliance';
import { createPodIdentityRole } from '../private/pod-identity';
import { resolveProfile } from '../private/stage';
import { ENCRYPTED_STORAGE_CLASS } from '../private/system-nodes';
import { propError, validateIntegerRange } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/** The official chart (https://github.com/hashicorp/vault-helm), 0.34.1 of 2026-08-13. */
const DEFAULT_CHART_VERSION = '0.34.1';
const CHART_REPOSITORY = 'https://helm.releases.hashicorp.com';
/**
 * Vault 1.21.4. Its go.mod pins github.com/aws/aws-sdk-go v1.55.8 and
 * go-secure-stdlib/awsutil v0.3.0, whose credential chain (used by the
 * `awskms` seal and the `dynamodb` storage) ends in the SDK's
 * `defaults.RemoteCredProvider`: since aws-sdk-go v1.47.11 it reads
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
 * and admits the EKS Pod Identity agent's 169.254.170.23, which is how
 * EKS Pod Identity hands out credentials. Chart 0.34.1 is tested with the
 * 1.21 line (decision record 0019).
 */
const DEFAULT_VAULT_VERSION = '1.21.4';
const DEFAULT_NAMESPACE = 'vault';
/** The private CA: ten years (clients trust it; replacing it means redistributing `vault-ca`). */
const CA_VALIDITY_DAYS = 3650;
/** Sanity bounds. */
const MAX_REPLICAS = 7;
const MIN_HA_REPLICAS = 3;
const MAX_INJECTOR_REPLICAS = 5;
const MAX_RAFT_VOLUME_GIB = 1000;
const SEMVER = /^\d+\.\d+\.\d+$/;
/** A DNS-1123 label (Kubernetes namespace and StorageClass names). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Where Vault keeps its data.
 */
export enum VaultStorageBackend {
  /**
   * An Amazon DynamoDB table created here (on-demand, point-in-time
   * recovery, encrypted with a customer-managed key), with DynamoDB's lock
   * for HA. Community-supported by HashiCorp (decision record 0019).
   */
  DYNAMODB = 'dynamodb',
  /**
   * Vault's integrated storage (Raft) on an encrypted EBS volume per
   * server; HashiCorp's recommended, supported storage. No table is
   * created.
   */
  RAFT = 'raft',
}

/**
 * Options of a `Vault`: everything but what it is attached to, as
 * `ObservableEksCluster` takes them.
 */
export interface VaultOptions {
  /**
   * Vault server replicas, 1 to 7. In HA mode at least 3; with Raft an odd
   * number (a quorum must survive a failure).
   *
   * @default - the profile's `secrets.vaultReplicas`
   */
  readonly replicas?: number;

  /**
   * Run Vault in HA mode: one active server, the others standby and
   * forwarding, with automatic fail-over.
   *
   * @default - the profile's `secrets.vaultHighAvailability`
   */
  readonly highAvailability?: boolean;

  /**
   * Where Vault stores its data. With `store`, the store's storage; giving
   * another one as well is an error.
   *
   * @default - the store's `storage` with `store`, otherwise VaultStorageBackend.DYNAMODB
   */
  readonly storage?: VaultStorageBackend;

  /**
   * The seal key and table to use, created apart (for example in a data
   * stack, so a change of the add-ons never replaces them). Vault then
   * creates no key or table of its own; its server role gets the store's
   * `serverPolicyStatements()` in its own policy, so the store's stack does
   * not depend on Vault's.
   *
   * @default - a new store inside the Vault (`SealKey`, `TableKey`, `Table`), as its profile says
   */
  readonly store?: VaultStore;

  /**
   * Version of the `hashicorp/vault` chart (from https://helm.releases.hashicorp.com).
   *
   * @default '0.34.1'
   */
  readonly chartVersion?: string;

  /**
   * Vault server and agent image tag. A version must use an AWS SDK that
   * reads EKS Pod Identity credentials (aws-sdk-go v1.47.11 or later):
   * check its go.mod before changing it.
   *
   * @default '1.21.4'
   */
  readonly vaultVersion?: string;

  /**
   * Kubernetes namespace of Vault (created if missing).
   *
   * @default 'vault'
   */
  readonly namespace?: string;

  /**
   * StorageClass of the Raft volumes; only with `VaultStorageBackend.RAFT`.
   *
   * @default 'gp3-encrypted' (the encrypted gp3 class the platform's cluster creates)
   */
  readonly storageClassName?: string;

  /**
   * Size of each Raft volume in GiB, 1 to 1000; only with
   * `VaultStorageBackend.RAFT`.
   *
   * @default - the profile's `secrets.vaultDataVolumeSizeGiB`
   */
  readonly dataVolumeSizeGiB?: number;

  /**
   * Replicas of the Vault Agent injector, 1 to 5.
   *
   * @default - the profile's `secrets.vaultInjectorReplicas`
   */
  readonly injectorReplicas?: number;

  /**
   * Days the server's TLS certificate is valid, 30 to 3650. A deploy that
   * runs the TLS release when less than a third is left re-issues it with
   * the same CA (runbook: certificate renewal).
   *
   * @default - the profile's `secrets.vaultTlsCertificateValidityDays`
   */
  readonly tlsCertificateValidityDays?: number;
}

/**
 * Properties of a `Vault`.
 */
export interface VaultProps extends VaultOptions, StagedProps {
  /** The cluster to install Vault into (it needs the EKS Pod Identity agent add-on). */
  readonly cluster: eks.ICluster;
}

/**
 * HashiCorp Vault on EKS from the official chart, with KMS auto-unseal,
 * TLS between every client and Vault, and the Vault Agent injector.
 *
 * How it is set up:
 *
 * - **Auto-unseal**: a customer-managed KMS key (rotation on) in an
 *   `awskms` seal; `vault operator init` then hands out recovery keys,
 *   and restarted servers unseal themselves.
 * - **Storage**: a DynamoDB table (on-demand, point-in-time recovery,
 *   its own customer-managed key, deletion protection when retained) with
 *   DynamoDB's HA lock, or Vault's integrated Raft storage on encrypted
 *   gp3 volumes (`storage: VaultStorageBackend.RAFT`).
 * - **Store**: seal key and table are created inside the Vault, or in a
 *   `VaultStore` given as `store` (for example in a data stack apart from
 *   the add-ons); the Vault then creates neither and uses the store's.
 * - **AWS access**: EKS Pod Identity for the `vault` service account, a
 *   role allowed the seal's three KMS actions on the seal key and Vault's
 *   DynamoDB actions on the table only.
 * - **TLS**: a private CA and the server certificate are issued inside the
 *   cluster at deploy time (a small Helm release, no key in any template);
 *   the CA certificate is in the `vault-ca` secret and every injected Vault
 *   Agent trusts it.
 * - **Replicas and HA** from the profile's `secrets` section: in HA mode
 *   the servers spread over nodes and zones behind a PodDisruptionBudget;
 *   keys and table are retained when deleted if the profile's
 *   `dataProtection.retainOnDelete` is true, deleted with the stack otherwise.
 * - **Backups** of the DynamoDB table: point-in-time recovery, and an AWS
 *   Backup plan taking a recovery point every 6 hours, kept the profile's
 *   `backup.retentionDays` (30 days in production).
 *
 * Vault starts sealed and uninitialised: run the runbook
 * (docs/runbooks/vault.md) once after the first deploy.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { PlatformStage, Vault } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const cluster: eks.ICluster;
 *
 * new Vault(stack, 'Vault', { cluster, stage: PlatformStage.PRODUCTION });
 */
export class Vault extends Construct {
  /** The key of the `awskms` seal. */
  public readonly sealKey: kms.IKey;
  /** The table Vault stores its data in (DynamoDB storage only). */
  public readonly table?: dynamodb.ITable;
  /** The key that encrypts the table (DynamoDB storage only). */
  public readonly tableKey?: kms.IKey;
  /**
   * The AWS Backup plan of the table (DynamoDB storage only): every 6 hours,
   * kept the profile's `backup.retentionDays`; the store's with `store`.
   */
  public readonly backupPlan?: backup.BackupPlan;
  /** The role the Vault servers get through EKS Pod Identity. */
  public readonly serverRole: iam.IRole;
  /** The Helm release of the `hashicorp/vault` chart. */
  public readonly chart: eks.HelmChart;
  /**
   * The release of Vault's private CA and server certificate: Secrets
   * rendered by Helm, no pods, so it needs no capacity.
   */
  public readonly tlsChart: eks.HelmChart;
  /** Vault's namespace. */
  public readonly namespace: string;
  /** The address clients inside the cluster use, e.g. `https://vault.vault.svc:8200`. */
  public readonly address: string;
  /** The secret (in `namespace`) holding the CA certificate clients trust, under `ca.crt`. */
  public readonly caSecretName: string;
  /** Server replicas. */
  public readonly replicas: number;
  /** Whether Vault runs in HA mode. */
  public readonly highAvailability: boolean;
  /** Where Vault stores its data. */
  public readonly storage: VaultStorageBackend;

  constructor(scope: Construct, id: string, props: VaultProps) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const retain = profile.dataProtection.retainOnDelete;

    this.replicas = props.replicas ?? profile.secrets.vaultReplicas;
    this.highAvailability = props.highAvailability ?? profile.secrets.vaultHighAvailability;
    if (props.store && props.storage !== undefined && props.storage !== props.store.storage) {
      throw propError(this, 'storage', props.storage,
        `contradicts the store's storage ${JSON.stringify(props.store.storage)}: leave storage out, or set it on the store`);
    }
    if (props.store) {
      const here = Stack.of(this).region;
      const there = Stack.of(props.store).region;
      if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
        throw propError(this, 'store', props.store.node.path, `must be in the Vault's region ${here}, not ${there}`);
      }
    }
    this.storage = props.store?.storage ?? props.storage ?? VaultStorageBackend.DYNAMODB;
    this.namespace = props.namespace ?? DEFAULT_NAMESPACE;
    this.caSecretName = CA_SECRET;
    this.address = `https://${VAULT_RELEASE}.${this.namespace}.svc:8200`;
    const injectorReplicas = props.injectorReplicas ?? profile.secrets.vaultInjectorReplicas;
    const chartVersion = props.chartVersion ?? DEFAULT_CHART_VERSION;
    const vaultVersion = props.vaultVersion ?? DEFAULT_VAULT_VERSION;
    const validityDays = props.tlsCertificateValidityDays ?? profile.secrets.vaultTlsCertificateValidityDays;
    const raft = this.storage === VaultStorageBackend.RAFT;
    this.validate(props, injectorReplicas, chartVersion, vaultVersion, validityDays, raft);

    let statements: iam.PolicyStatement[];
    if (props.store) {
      this.sealKey = props.store.sealKey;
      this.table = props.store.table;
      this.tableKey = props.store.tableKey;
      this.backupPlan = props.store.backupPlan;
      statements = props.store.serverPolicyStatements();
    } else {
      const data = createVaultData(this, retain, raft, profile.backup.retentionDays);
      this.sealKey = data.sealKey;
      this.table = data.table;
      this.tableKey = data.tableKey;
      this.backupPlan = data.backupPlan;
      statements = vaultServerStatements(Stack.of(this).region, this.sealKey, this.table, this.tableKey);
    }

    const { role, association } = createPodIdentityRole(this, 'ServerRole', {
      cluster: props.cluster,
      namespace: this.namespace,
      serviceAccount: VAULT_SERVICE_ACCOUNT,
      description: `HashiCorp Vault servers of ${this.node.path}: auto-unseal and storage`,
      statements,
    });
    this.serverRole = role;

    const tlsAsset = new s3assets.Asset(this, 'TlsChartAsset', { path: writeChart(tlsChartFiles()) });
    const tls = this.tlsChart = new eks.HelmChart(this, 'TlsChart', {
      cluster: props.cluster,
      chartAsset: tlsAsset,
      release: `${VAULT_RELEASE}-tls`,
      namespace: this.namespace,
      values: tlsChartValues(this.namespace, validityDays, CA_VALIDITY_DAYS),
      createNamespace: true,
      wait: true,
    });
    acknowledgeChartAssetRead(props.cluster, tlsAsset);

    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'vault',
      repository: CHART_REPOSITORY,
      version: chartVersion,
      release: VAULT_RELEASE,
      namespace: this.namespace,
      createNamespace: true,
      // Servers are not ready until `vault operator init` (readiness is
      // `vault status`): waiting would fail the first install.
      wait: false,
      values: vaultChartValues({
        namespace: this.namespace,
        vaultVersion,
        replicas: this.replicas,
        highAvailability: this.highAvailability,
        storage: raft ? 'raft' : 'dynamodb',
        region: Stack.of(this).region,
        sealKeyId: this.sealKey.keyArn,
        tableName: this.table?.tableName,
        storageClassName: props.storageClassName ?? ENCRYPTED_STORAGE_CLASS,
        dataVolumeSizeGiB: props.dataVolumeSizeGiB ?? profile.secrets.vaultDataVolumeSizeGiB,
        injectorReplicas,
      }),
    });
    // The certificate must exist before the servers mount it, and the
    // association before the servers start (Pod Identity injects the
    // credentials at pod creation).
    this.chart.node.addDependency(tls);
    if (association) this.chart.node.addDependency(association);

    // Every Vault Agent the injector adds gets the CA as VAULT_CACERT_BYTES.
    // The chart has no way to set an injector variable from a secret, so
    // the deployment is patched (a strategic merge on the env list by name,
    // which later Helm upgrades leave alone).
    const caPatch = new eks.KubernetesPatch(this, 'InjectorCaPatch', {
      cluster: props.cluster,
      resourceName: `deployment/${VAULT_RELEASE}-agent-injector`,
      resourceNamespace: this.namespace,
      patchType: eks.PatchType.STRATEGIC,
      applyPatch: injectorCaPatch(false),
      restorePatch: injectorCaPatch(true),
    });
    caPatch.node.addDependency(this.chart);
  }

  private validate(
    props: VaultProps, injectorReplicas: number, chartVersion: string, vaultVersion: string, validityDays: number, raft: boolean,
  ): void {
    validateIntegerRange(this, 'replicas', this.replicas, 1, MAX_REPLICAS);
    // Name the prop the user gave: replicas when given, else highAvailability
    // (whose value contradicts the profile's replica count).
    const haProp = props.replicas === undefined && props.highAvailability !== undefined;
    if (this.highAvailability && this.replicas < MIN_HA_REPLICAS) {
      if (haProp) {
        throw propError(this, 'highAvailability', true,
          `needs at least ${MIN_HA_REPLICAS} replicas, and the profile's secrets.vaultReplicas is ${this.replicas}: set replicas to 3 to ${MAX_REPLICAS}`);
      }
      throw propError(this, 'replicas', this.replicas,
        `must be at least ${MIN_HA_REPLICAS} when highAvailability is true (one active server and standbys that survive a failure); use 3 to ${MAX_REPLICAS} or set highAvailability to false`);
    }
    if (!this.highAvailability && this.replicas !== 1) {
      if (haProp) {
        throw propError(this, 'highAvailability', false,
          `needs a single server, and the profile's secrets.vaultReplicas is ${this.replicas}: set replicas to 1 as well`);
      }
      throw propError(this, 'replicas', this.replicas, 'must be 1 when highAvailability is false (a standalone server); set highAvailability to true for 3 to 7');
    }
    if (raft && this.replicas % 2 === 0) {
      throw propError(this, 'replicas', this.replicas, 'must be odd with Raft storage (1, 3, 5 or 7), so a quorum survives the loss of a server');
    }
    validateIntegerRange(this, 'injectorReplicas', injectorReplicas, 1, MAX_INJECTOR_REPLICAS);
    validateIntegerRange(this, 'tlsCertificateValidityDays', validityDays, 30, CA_VALIDITY_DAYS);
    if (Token.isUnresolved(chartVersion) || !SEMVER.test(chartVersion)) {
      throw propError(this, 'chartVersion', chartVersion, 'must be a literal chart version such as 0.34.1');
    }
    if (Token.isUnresolved(vaultVersion) || !SEMVER.test(vaultVersion)) {
      throw propError(this, 'vaultVersion', vaultVersion, 'must be a literal Vault version such as 1.21.4');
    }
    if (Token.isUnresolved(this.namespace) || !DNS_LABEL.test(this.namespace)) {
      throw propError(this, 'namespace', this.namespace, 'must be a Kubernetes namespace name: up to 63 lowercase letters, digits and inner hyphens');
    }
    if (!raft && props.storageClassName !== undefined) {
      throw propError(this, 'storageClassName', props.storageClassName, 'applies to VaultStorageBackend.RAFT only (DynamoDB storage has no volumes)');
    }
    if (!raft && props.dataVolumeSizeGiB !== undefined) {
      throw propError(this, 'dataVolumeSizeGiB', props.dataVolumeSizeGiB, 'applies to VaultStorageBackend.RAFT only (DynamoDB storage has no volumes)');
    }
    if (props.storageClassName !== undefined && (Token.isUnresolved(props.storageClassName) || !DNS_SUBDOMAIN.test(props.storageClassName))) {
      throw propError(this, 'storageClassName', props.storageClassName, 'must be a StorageClass name: lowercase letters, digits, hyphens and dots');
    }
    validateIntegerRange(this, 'dataVolumeSizeGiB', props.dataVolumeSizeGiB, 1, MAX_RAFT_VOLUME_GIB);
  }
}

/** The strategic-merge patch that adds (or, restoring, removes) the injector's CA variable. */
function injectorCaPatch(restore: boolean): Record<string, any> {
  const env = restore
    ? { name: INJECTOR_CA_ENV, $patch: 'delete' }
    : { name: INJECTOR_CA_ENV, valueFrom: { secretKeyRef: { name: CA_SECRET, key: 'ca.crt' } } };
  return { spec: { template: { spec: { containers: [{ name: 'sidecar-injector', env: [env] }] } } } };
}

/**
 * Write the chart's files into a directory named by their content, so the
 * asset (and its hash) is the same on every synthesis.
 */
function writeChart(files: Record<string, string>): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `platform-vault-tls-chart-${hash}`);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** What aws-cdk-lib's `Asset.bucket.grantRead` gives the kubectl provider for a chart asset. */
const ASSET_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];

/**
 * aws-cdk-lib lets the cluster's kubectl provider fetch a chart asset by
 * granting it aws-cdk-lib's read actions on the bootstrap asset bucket, in
 * the provider role's default policy: acknowledge those wildcard actions
 * there, and only those.
 */
function acknowledgeChartAssetRead(cluster: eks.ICluster, asset: s3assets.Asset): void {
  const policy = cluster.kubectlProvider?.node.tryFindChild('Handler')?.node.tryFindChild('ServiceRole')?.node.tryFindChild('DefaultPolicy');
  if (!policy) return;
  const reason = 'aws-cdk-lib grants the kubectl provider its standard read actions on the CDK bootstrap asset bucket and its objects '
    + '(named by content hashes) so the provider can fetch the Vault TLS chart asset; the statement is limited to that bucket, which holds only deployment assets.';
  acknowledgeWildcardActions(policy, ASSET_READ_ACTIONS, reason);
  acknowledgeWildcardResource(policy, asset.bucket.arnForObjects('*'), reason);
}
