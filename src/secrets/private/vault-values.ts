/**
 * Pure builders of what `Vault` hands to Helm: the HashiCorp chart's values
 * (with the server's HCL configuration) and the small chart that issues the
 * TLS certificate. Not exported from the package; tests (and a later schema
 * check) call them directly.
 */
import { VAULT_INJECTION_LABEL } from '../../private/kubernetes';

/** Release name of the HashiCorp chart: its objects are called `vault`, `vault-internal`, `vault-agent-injector`. */
export const VAULT_RELEASE = 'vault';
/** The server's service account (the chart's default for the release `vault`, pinned so the Pod Identity association names it). */
export const VAULT_SERVICE_ACCOUNT = 'vault';
/** Secret with the server certificate, its key and the CA certificate (`tls.crt`, `tls.key`, `ca.crt`). */
export const SERVER_TLS_SECRET = 'vault-server-tls';
/** Secret with the private CA's certificate and key: read by the TLS release only, mounted nowhere. */
export const CA_KEY_SECRET = 'vault-tls-ca';
/** Secret with the CA certificate only (`ca.crt`): public, for clients. */
export const CA_SECRET = 'vault-ca';
/** Where the chart mounts `server.extraVolumes` secrets. */
const USERCONFIG = '/vault/userconfig';
/** The server's CA file, for the CLI inside the pods and Raft's retry_join. */
export const SERVER_CA_FILE = `${USERCONFIG}/${SERVER_TLS_SECRET}/ca.crt`;
/** Namespaces whose pods the injector never sees, so a failing injector cannot block the cluster's own pods or Vault's. */
/** The injector's env var whose value every injected Vault Agent gets as `VAULT_CACERT_BYTES` (vault-k8s GH-507). */
export const INJECTOR_CA_ENV = 'AGENT_INJECT_VAULT_CACERT_BYTES';
/** Requests and limits of each Vault server (Vault keeps its cache in memory; CPU is mostly TLS and the seal). */
const SERVER_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } };
/** Requests and limits of each injector replica. */
const INJECTOR_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } };
/** The user and group of the chart's server and injector images (uid 100 `vault`, gid 1000; the chart's defaults). */
const VAULT_UID = 100;
const VAULT_GID = 1000;

/** What the values depend on. */
export interface VaultValuesInput {
  /** Kubernetes namespace of the release. */
  readonly namespace: string;
  /** Vault server (and agent) image tag. */
  readonly vaultVersion: string;
  /** Server replicas. */
  readonly replicas: number;
  /** HA mode (the chart's `server.ha`); false: the chart's standalone mode. */
  readonly highAvailability: boolean;
  /** `dynamodb` or `raft`. */
  readonly storage: 'dynamodb' | 'raft';
  /** Region of the KMS key and the table. */
  readonly region: string;
  /** ID or ARN of the auto-unseal key. */
  readonly sealKeyId: string;
  /** DynamoDB table name (storage `dynamodb`). */
  readonly tableName?: string;
  /** StorageClass of the Raft volumes (storage `raft`). */
  readonly storageClassName?: string;
  /** Size of each Raft volume in GiB (storage `raft`). */
  readonly dataVolumeSizeGiB?: number;
  /** Injector replicas. */
  readonly injectorReplicas: number;
}

/**
 * The server's HCL configuration: TLS listener with the issued
 * certificate, the `awskms` seal, and the storage stanza.
 *
 * The chart replaces the words HOSTNAME, POD_IP and HOST_IP in it at pod
 * start; none of the values here contains them.
 */
export function vaultServerConfig(input: VaultValuesInput): string {
  const listener = [
    'listener "tcp" {',
    '  address = "[::]:8200"',
    '  cluster_address = "[::]:8201"',
    `  tls_cert_file = "${USERCONFIG}/${SERVER_TLS_SECRET}/tls.crt"`,
    `  tls_key_file = "${USERCONFIG}/${SERVER_TLS_SECRET}/tls.key"`,
    '  tls_min_version = "tls12"',
    '}',
  ];
  const seal = [
    'seal "awskms" {',
    `  region = "${input.region}"`,
    `  kms_key_id = "${input.sealKeyId}"`,
    '}',
  ];
  const storage = input.storage === 'dynamodb'
    ? [
      'storage "dynamodb" {',
      `  ha_enabled = "${input.highAvailability ? 'true' : 'false'}"`,
      `  region = "${input.region}"`,
      `  table = "${input.tableName}"`,
      '}',
    ]
    : [
      'storage "raft" {',
      '  path = "/vault/data"',
      ...raftRetryJoin(input),
      '}',
    ];
  return [
    'ui = false',
    ...listener,
    ...seal,
    ...storage,
    'service_registration "kubernetes" {}',
    '',
  ].join('\n');
}

/** One retry_join block per server pod (`vault-0.vault-internal` ...), verified against the issued CA. */
function raftRetryJoin(input: VaultValuesInput): string[] {
  const blocks: string[] = [];
  for (let i = 0; i < input.replicas; i++) {
    blocks.push(
      '  retry_join {',
      `    leader_api_addr = "https://${VAULT_RELEASE}-${i}.${VAULT_RELEASE}-internal:8200"`,
      `    leader_ca_cert_file = "${SERVER_CA_FILE}"`,
      '  }',
    );
  }
  return blocks;
}

/**
 * Values of the `hashicorp/vault` chart.
 *
 * Raft always runs in the chart's `ha` mode (a one-node Raft cluster is
 * still a Raft cluster that can grow); DynamoDB runs in `ha` mode with
 * `ha_enabled` when `highAvailability`, otherwise in `standalone` mode.
 */
export function vaultChartValues(input: VaultValuesInput): Record<string, any> {
  const raft = input.storage === 'raft';
  const haMode = input.highAvailability || raft;
  const config = vaultServerConfig(input);
  const serverSelector = { 'app.kubernetes.io/name': VAULT_RELEASE, 'app.kubernetes.io/instance': VAULT_RELEASE, 'component': 'server' };
  return {
    global: {
      enabled: true,
      // TLS between every client (agents, apps, the CLI) and Vault.
      tlsDisable: false,
    },
    injector: {
      enabled: true,
      replicas: input.injectorReplicas,
      agentImage: { repository: 'hashicorp/vault', tag: input.vaultVersion },
      resources: INJECTOR_RESOURCES,
      webhook: {
        // A pod asking for secrets must not start without them.
        failurePolicy: 'Fail',
        // Only namespaces that opt in (ApplicationNamespace with
        // vaultNamespace): the webhook fails closed, and platform namespaces
        // (monitoring, logging, velero) must start pods while it is down.
        namespaceSelector: { matchLabels: { [VAULT_INJECTION_LABEL]: 'enabled' } },
      },
      podDisruptionBudget: input.injectorReplicas > 1 ? { maxUnavailable: 1 } : {},
      securityContext: {
        // Setting `pod` replaces the chart's default, so its user and group are restated: the injector image
        // (vault-k8s) names its user `vault` (uid 100, gid 1000), and the kubelet refuses runAsNonRoot for a
        // user it cannot read as a number.
        pod: { runAsNonRoot: true, runAsUser: VAULT_UID, runAsGroup: VAULT_GID, fsGroup: VAULT_GID, seccompProfile: { type: 'RuntimeDefault' } },
        // The injector writes nothing to disk (vault-k8s keeps its auto-TLS certificate in memory and shares
        // it through a Secret), so its root file system is read-only.
        container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    },
    server: {
      image: { repository: 'hashicorp/vault', tag: input.vaultVersion },
      resources: SERVER_RESOURCES,
      extraEnvironmentVars: { VAULT_CACERT: SERVER_CA_FILE },
      extraVolumes: [{ type: 'secret', name: SERVER_TLS_SECRET }],
      serviceAccount: { create: true, name: VAULT_SERVICE_ACCOUNT },
      statefulSet: {
        securityContext: {
          pod: {
            runAsNonRoot: true,
            runAsUser: VAULT_UID,
            runAsGroup: VAULT_GID,
            fsGroup: VAULT_GID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          container: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      },
      // Spread the servers over zones as well as nodes (the chart's
      // default affinity already keeps two servers off one node).
      topologySpreadConstraints: haMode && input.replicas > 1
        ? [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: serverSelector } }]
        : [],
      dataStorage: raft
        ? { enabled: true, size: `${input.dataVolumeSizeGiB}Gi`, storageClass: input.storageClassName, accessMode: 'ReadWriteOnce' }
        : { enabled: false },
      auditStorage: { enabled: false },
      standalone: haMode ? { enabled: false } : { enabled: true, config },
      ha: {
        enabled: haMode,
        replicas: input.replicas,
        // The address a standby names when it redirects a client: a name
        // the certificate covers (the pod IP is not in it).
        apiAddr: `https://$(VAULT_K8S_POD_NAME).${VAULT_RELEASE}-internal.${input.namespace}.svc:8200`,
        config: raft ? '' : config,
        raft: raft ? { enabled: true, setNodeId: true, config } : { enabled: false },
        disruptionBudget: { enabled: haMode && input.replicas > 1 },
      },
    },
    ui: { enabled: false },
    csi: { enabled: false },
  };
}

/**
 * DNS names the server certificate covers: the services of the release
 * (`vault`, `vault-active`, `vault-standby`, `vault-internal` and every pod
 * behind it), short and fully qualified.
 */
export function serverCertificateNames(namespace: string): string[] {
  const services = [VAULT_RELEASE, `${VAULT_RELEASE}-active`, `${VAULT_RELEASE}-standby`, `${VAULT_RELEASE}-internal`, `*.${VAULT_RELEASE}-internal`];
  const names: string[] = [];
  for (const service of services) {
    names.push(service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`);
  }
  return ['localhost', ...names];
}

/** Values of the TLS release (the chart of `tlsChartFiles`). */
export function tlsChartValues(namespace: string, validityDays: number, caValidityDays: number): Record<string, any> {
  return {
    serverSecretName: SERVER_TLS_SECRET,
    caKeySecretName: CA_KEY_SECRET,
    caSecretName: CA_SECRET,
    commonName: `${VAULT_RELEASE}.${namespace}.svc`,
    dnsNames: serverCertificateNames(namespace),
    ipAddresses: ['127.0.0.1'],
    validityDays,
    caValidityDays,
  };
}

/** Annotation keys on the server secret. */
const NOT_AFTER_ANNOTATION = 'secrets.innovate.inc/not-after';
const REQUEST_ANNOTATION = 'secrets.innovate.inc/request';

/**
 * The files of the chart that issues Vault's TLS certificate inside the
 * cluster, at deploy time, with Helm's own crypto functions: no private key
 * ever exists in the template, the asset or a CloudFormation response.
 *
 * - A private CA (`genCA`), kept in the `vault-tls-ca` secret and reused
 *   on every later run (`lookup` + `buildCustomCert`).
 * - The server certificate (`genSignedCert`) for the names of
 *   `serverCertificateNames`, reused until a third of its validity is
 *   left or the requested names or validity change; then re-issued by the
 *   same CA, so clients keep trusting it.
 * - `vault-ca` with the CA certificate only, for clients.
 *
 * `helm.sh/resource-policy: keep` leaves the secrets in place if the
 * release is uninstalled, so a re-install keeps the CA clients trust.
 */
export function tlsChartFiles(): Record<string, string> {
  const chart = [
    'apiVersion: v2',
    'name: vault-tls',
    'description: Private CA and server certificate for HashiCorp Vault, issued in the cluster at deploy time',
    'type: application',
    'version: 1.0.0',
    '',
  ].join('\n');
  const template = `{{- $ns := .Release.Namespace -}}
{{- $ca := dict -}}
{{- $caSecret := lookup "v1" "Secret" $ns .Values.caKeySecretName -}}
{{- if and $caSecret $caSecret.data -}}
{{- $ca = buildCustomCert (index $caSecret.data "tls.crt") (index $caSecret.data "tls.key") -}}
{{- else -}}
{{- $ca = genCA (printf "%s CA" .Values.commonName) (int .Values.caValidityDays) -}}
{{- end -}}
{{- $request := printf "%s|%s|%v" (join "," .Values.dnsNames) (join "," .Values.ipAddresses) .Values.validityDays | sha256sum -}}
{{- $server := lookup "v1" "Secret" $ns .Values.serverSecretName -}}
{{- $reuse := false -}}
{{- if and $server $server.data $server.metadata.annotations -}}
{{- $notAfter := index $server.metadata.annotations "${NOT_AFTER_ANNOTATION}" | default "" -}}
{{- $sameRequest := eq (index $server.metadata.annotations "${REQUEST_ANNOTATION}" | default "") $request -}}
{{- $sameCa := eq (index $server.data "ca.crt" | default "") ($ca.Cert | b64enc) -}}
{{- if and $notAfter $sameRequest $sameCa -}}
{{- $renewAt := sub (toDate "2006-01-02T15:04:05Z07:00" $notAfter | unixEpoch | atoi) (div (mul (int .Values.validityDays) 86400) 3) -}}
{{- $reuse = lt (now | unixEpoch | atoi) $renewAt -}}
{{- end -}}
{{- end -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Values.caKeySecretName }}
  namespace: {{ $ns }}
  annotations:
    helm.sh/resource-policy: keep
type: kubernetes.io/tls
data:
  tls.crt: {{ $ca.Cert | b64enc }}
  tls.key: {{ $ca.Key | b64enc }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Values.serverSecretName }}
  namespace: {{ $ns }}
  annotations:
    helm.sh/resource-policy: keep
{{- if $reuse }}
    ${NOT_AFTER_ANNOTATION}: {{ index $server.metadata.annotations "${NOT_AFTER_ANNOTATION}" | quote }}
    ${REQUEST_ANNOTATION}: {{ $request | quote }}
type: kubernetes.io/tls
data:
  tls.crt: {{ index $server.data "tls.crt" }}
  tls.key: {{ index $server.data "tls.key" }}
  ca.crt: {{ index $server.data "ca.crt" }}
{{- else }}
{{- $cert := genSignedCert .Values.commonName .Values.ipAddresses .Values.dnsNames (int .Values.validityDays) $ca }}
    ${NOT_AFTER_ANNOTATION}: {{ dateModify (printf "+%dh" (mul (int .Values.validityDays) 24)) now | date "2006-01-02T15:04:05Z07:00" | quote }}
    ${REQUEST_ANNOTATION}: {{ $request | quote }}
type: kubernetes.io/tls
data:
  tls.crt: {{ $cert.Cert | b64enc }}
  tls.key: {{ $cert.Key | b64enc }}
  ca.crt: {{ $ca.Cert | b64enc }}
{{- end }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Values.caSecretName }}
  namespace: {{ $ns }}
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
data:
  ca.crt: {{ $ca.Cert | b64enc }}
`;
  return { 'Chart.yaml': chart, 'templates/tls.yaml': template };
}
