/**
 * Secrets Manager values delivered to pods at run time through the Secrets
 * Store CSI driver and the AWS provider (ASCP), authenticated with EKS Pod
 * Identity: the pod's own service account assumes a role that may read only
 * the named secrets. Decision record 0018 explains the choice over the
 * External Secrets Operator.
 *
 * Not exported from the package (free functions are not jsii-compatible).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance';

/** The EKS managed add-on that installs the Secrets Store CSI driver with the AWS provider. */
export const SECRETS_STORE_ADDON_NAME = 'aws-secrets-store-csi-driver-provider';
/** The CSI driver name pods mount volumes with. */
export const SECRETS_STORE_CSI_DRIVER = 'secrets-store.csi.k8s.io';
/** API version of `SecretProviderClass`. */
export const SECRET_PROVIDER_CLASS_API_VERSION = 'secrets-store.csi.x-k8s.io/v1';
/** How often the driver re-reads mounted secrets, so a changed webhook URL or key arrives without a restart. */
const ROTATION_POLL_INTERVAL = '3600s';

/** What Secrets Manager must allow a reader: the value and the metadata ASCP reads first. */
const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
/** The random suffix Secrets Manager appends to every secret's ARN. */
const SECRET_ARN_SUFFIX = '-??????';
const SECRET_SUFFIX_REASON =
  'The secret was imported by name or partial ARN, so the 6-character random suffix Secrets Manager appends to every secret ARN is unknown; '
  + '"-??????" matches exactly that suffix of this one secret and no other secret.';

/**
 * The add-on's configuration: sync of mounted secrets into Kubernetes Secrets
 * (Grafana's `admin.existingSecret` needs one) and periodic re-reading of
 * mounted secrets. No tolerations: the pods that mount secrets (Alertmanager,
 * Grafana) run on application nodes, where the driver runs by default, and
 * the add-on's schema is strict about keys the driver chart does not have.
 */
export function secretsStoreAddonConfiguration(): { [key: string]: any } {
  return {
    'secrets-store-csi-driver': {
      syncSecret: { enabled: true },
      enableSecretRotation: true,
      rotationPollInterval: ROTATION_POLL_INTERVAL,
    },
  };
}

/** One file of a `SecretProviderClass` mount. */
export interface MountedObject {
  /** The secret. */
  readonly secret: secretsmanager.ISecret;
  /** File name of the secret's whole value in the mount. */
  readonly fileName: string;
  /** JSON keys of the value, each mounted as its own file: key to file name. */
  readonly jsonKeys?: { [key: string]: string };
}

/** A Kubernetes Secret the driver keeps in sync with mounted files. */
export interface SyncedSecret {
  /** Name of the Kubernetes Secret. */
  readonly secretName: string;
  /** Key of the Kubernetes Secret to the mounted file name it copies. */
  readonly data: { [key: string]: string };
}

/** What ASCP calls the secret: its full ARN when known, else its name. */
function objectName(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? secret.secretName;
}

/**
 * A `SecretProviderClass` (provider `aws`, Pod Identity) mounting `objects`
 * and optionally syncing some of them into Kubernetes Secrets. The `objects`
 * parameter is YAML; it is written as JSON (a YAML subset) with
 * `Stack.toJsonString` so ARNs that are tokens resolve at deploy time.
 */
export function secretProviderClass(
  scope: IConstruct, name: string, namespace: string, objects: MountedObject[], synced: SyncedSecret[] = [],
): { [key: string]: any } {
  const stack = Stack.of(scope);
  const ascpObjects = objects.map((o) => ({
    objectName: objectName(o.secret),
    objectType: 'secretsmanager',
    objectAlias: o.fileName,
    ...(o.jsonKeys ? { jmesPath: Object.entries(o.jsonKeys).map(([path, objectAlias]) => ({ path, objectAlias })) } : {}),
  }));
  return {
    apiVersion: SECRET_PROVIDER_CLASS_API_VERSION,
    kind: 'SecretProviderClass',
    metadata: { name, namespace },
    spec: {
      provider: 'aws',
      parameters: {
        region: stack.region,
        usePodIdentity: 'true',
        objects: stack.toJsonString(ascpObjects),
      },
      ...(synced.length > 0 ? {
        secretObjects: synced.map((s) => ({
          secretName: s.secretName,
          type: 'Opaque',
          data: Object.entries(s.data).map(([key, file]) => ({ key, objectName: file })),
        })),
      } : {}),
    },
  };
}

/** A pod volume of the CSI driver backed by a `SecretProviderClass`. */
export function csiVolumeSource(secretProviderClassName: string): { [key: string]: any } {
  return {
    driver: SECRETS_STORE_CSI_DRIVER,
    readOnly: true,
    volumeAttributes: { secretProviderClass: secretProviderClassName },
  };
}

/** The ARN pattern of one secret for IAM: the full ARN, or the partial ARN plus the 6-character suffix. */
function secretResource(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}${SECRET_ARN_SUFFIX}`;
}

/**
 * Statements that let a reader fetch `secrets` (and decrypt them through
 * Secrets Manager when they are encrypted with a customer-managed key).
 */
export function secretReadStatements(secrets: secretsmanager.ISecret[]): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({ actions: SECRET_READ_ACTIONS, resources: secrets.map(secretResource) })];
  const keys = secrets.map((s) => s.encryptionKey).filter((k): k is NonNullable<typeof k> => k !== undefined);
  if (keys.length > 0) {
    const region = Stack.of(keys[0]).region;
    statements.push(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [...new Set(keys.map((k) => k.keyArn))],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }));
  }
  return statements;
}

/**
 * Acknowledge the `-??????` suffix wildcard of each imported secret (no full
 * ARN) on the policy that names it.
 */
export function acknowledgeSecretSuffixes(policy: IConstruct, secrets: secretsmanager.ISecret[]): void {
  for (const secret of secrets.filter((s) => s.secretFullArn === undefined)) {
    acknowledgeWildcardResource(policy, secretResource(secret), SECRET_SUFFIX_REASON);
  }
}
