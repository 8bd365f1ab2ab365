/*
 * The CDK bootstrap template that OrgLandingZone's service-managed StackSet
 * deploys into every account of the workload OUs: the official template of
 * the `aws-cdk` CLI (its `bootstrap-template.yaml`), with the library's
 * hardening applied on top.
 *
 * The CLI is a dev dependency only. At build time scripts/bootstrap-template.ts
 * converts the pinned CLI's YAML to assets/bootstrap/bootstrap-template.json
 * (short-form intrinsics expanded, nothing else changed), and assets/ ships
 * in the npm package and so in every language's package. Here the library
 * reads that file, never the `aws-cdk` package: the version, parameters,
 * roles, outputs and policies are the CLI's, so a CLI upgrade (and a
 * rebuild) brings the new bootstrap version with it.
 *
 * The hardening keeps the bootstrap contract (names, parameters, outputs,
 * version) and only tightens what the official template leaves open or
 * configurable; every step names the resource it changes and fails if a new
 * official template no longer has it, so a CLI upgrade cannot silently drop
 * a step. See `hardenBootstrapTemplate`.
 */
import * as fs from 'fs';
import * as path from 'path';

const ASSET_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'bootstrap');
const TEMPLATE_FILE = 'bootstrap-template.json';
const SOURCE_FILE = 'source.json';

type Json = Record<string, any>;

function readAsset(file: string): Json {
  const full = path.join(ASSET_DIR, file);
  if (!fs.existsSync(full)) {
    throw new Error(
      `${full} is missing: it is built from the aws-cdk CLI's bootstrap template by scripts/bootstrap-template.ts (npx projen bundle)`,
    );
  }
  return JSON.parse(fs.readFileSync(full, 'utf8')) as Json;
}

/** The CLI's template, converted to JSON at build time, as a fresh object. */
export function officialBootstrapTemplate(): Json {
  return readAsset(TEMPLATE_FILE);
}

/** The `aws-cdk` package version whose template the asset holds. */
export function officialBootstrapTemplateSource(): { package: string; version: string; file: string; sha256: string } {
  return readAsset(SOURCE_FILE) as any;
}

/**
 * The bootstrap version of a template: the value of the `CdkBootstrapVersion`
 * SSM parameter, which the official template duplicates in the
 * `BootstrapVersion` output (the CLI reads the output, stacks read the
 * parameter); both must agree.
 */
export function bootstrapVersionOf(template: Json): number {
  const version = template.Resources?.CdkBootstrapVersion?.Properties?.Value;
  const output = template.Outputs?.BootstrapVersion?.Value;
  if (typeof version !== 'string' || !/^[1-9][0-9]*$/.test(version) || version !== output) {
    throw new Error(`bootstrap template: CdkBootstrapVersion (${JSON.stringify(version)}) and the BootstrapVersion output (${JSON.stringify(output)}) must be the same version number`);
  }
  return Number(version);
}

/**
 * The version written to `/cdk-bootstrap/<qualifier>/version`: the official
 * template's (34 with aws-cdk 2.1149.0), never a number of our own. Read
 * when asked, not when the module loads: an app that never builds an
 * `OrgLandingZone` does not need the bundled template.
 */
export function bootstrapTemplateVersion(): number {
  return bootstrapVersionOf(officialBootstrapTemplate());
}

/** The `BootstrapVariant` the hardened stacks carry (the CLI asks customized templates to change it). */
export const BOOTSTRAP_VARIANT = 'Innovate platform-constructs OrgLandingZone: AWS CDK Default Resources, hardened';

function resource(template: Json, logicalId: string, type: string): Json {
  const r = template.Resources?.[logicalId];
  if (r?.Type !== type) {
    throw new Error(`bootstrap template: hardening expects ${logicalId} (${type}) in the official template, found ${r?.Type ?? 'nothing'}`);
  }
  return r;
}

function parameter(template: Json, name: string): Json {
  const p = template.Parameters?.[name];
  if (p === undefined) {
    throw new Error(`bootstrap template: hardening expects the parameter ${name} in the official template`);
  }
  return p;
}

/** Pin a parameter of the official template to its secure default. */
function pinParameter(template: Json, name: string, value: string, why: string): void {
  const p = parameter(template, name);
  if (p.Default !== value) {
    throw new Error(`bootstrap template: ${name} defaults to ${JSON.stringify(p.Default)}, expected ${JSON.stringify(value)}`);
  }
  p.AllowedValues = [value];
  p.Description = `${String(p.Description ?? name).replace(/\.?$/, '.')} Pinned to '${value}' by OrgLandingZone: ${why}`;
}

function removeUnusedCondition(template: Json, name: string): void {
  const others: Json = { ...template.Conditions };
  delete others[name];
  const used = JSON.stringify({ ...template, Conditions: others });
  // Referenced as a resource's or a function's `Condition`, or by `Fn::If`.
  if (used.includes(`"Condition":"${name}"`) || used.includes(`"Fn::If":["${name}",`)) {
    throw new Error(`bootstrap template: condition ${name} is still used`);
  }
  template.Conditions = others;
}

function explainCheckov(r: Json, id: string, comment: string): void {
  r.Metadata ??= {};
  r.Metadata.checkov ??= {};
  r.Metadata.checkov.skip ??= [];
  r.Metadata.checkov.skip.push({ id, comment });
}

const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

/**
 * The library's hardening, applied on top of the official template (a
 * template object as converted, which this changes); returns the hardened
 * template:
 *
 * - staging bucket: public access always blocked (the official template
 *   lets `PublicAccessBlockConfiguration=false` drop the block; the parameter
 *   stays, pinned to 'true'), ACLs disabled (`BucketOwnerEnforced` instead of
 *   the legacy `AccessControl: Private`);
 * - assets key: yearly rotation, and retained like the bucket whose objects
 *   it encrypts (the official template deletes it with the stack, leaving a
 *   retained bucket of unreadable objects);
 * - container repository: scan on push, and retained (images that deployed
 *   functions and tasks run from outlive the bootstrap stack);
 * - trust policies: `DenyExternalId` pinned to 'true' (no deputized access to
 *   the bootstrap roles); the roles otherwise trust what the official
 *   template trusts: the account itself and `TrustedAccounts`
 *   (`sts:AssumeRole` without an external ID, `sts:TagSession`), and
 *   `TrustedAccountsForLookup` for the lookup role;
 * - the deploy role's CDK Pipelines statement (artifact buckets of other
 *   accounts) reaches buckets of `TrustedAccounts` only, not of any account
 *   but this one: a trusted deployer cannot copy data out to buckets of
 *   arbitrary accounts;
 * - `BootstrapVariant` names this variant, as the CLI asks of customized
 *   templates;
 * - checkov findings that the bootstrap contract requires are explained in
 *   the resources' `Metadata.checkov.skip`.
 */
export function hardenBootstrapTemplate(template: Json): Json {
  const version = bootstrapVersionOf(template);
  template.AWSTemplateFormatVersion = '2010-09-09';
  template.Description = `CDK bootstrap, version ${version}: the aws-cdk CLI's template with OrgLandingZone's hardening, deployed by a service-managed StackSet`;
  const ordered: Json = { AWSTemplateFormatVersion: template.AWSTemplateFormatVersion, Description: template.Description };
  for (const [k, v] of Object.entries(template)) ordered[k] ??= v;

  parameter(ordered, 'BootstrapVariant').Default = BOOTSTRAP_VARIANT;
  pinParameter(ordered, 'PublicAccessBlockConfiguration', 'true', 'the staging bucket always blocks public access.');
  pinParameter(ordered, 'DenyExternalId', 'true', 'the bootstrap roles are never deputized.');

  const key = resource(ordered, 'FileAssetsBucketEncryptionKey', 'AWS::KMS::Key');
  key.Properties.EnableKeyRotation = true;
  Object.assign(key, RETAIN);

  const bucket = resource(ordered, 'StagingBucket', 'AWS::S3::Bucket');
  delete bucket.Properties.AccessControl;
  bucket.Properties.OwnershipControls = { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] };
  bucket.Properties.PublicAccessBlockConfiguration = {
    BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
  };
  removeUnusedCondition(ordered, 'UsePublicAccessBlockConfiguration');

  limitPipelineArtifactsToTrustedAccounts(ordered);

  const repository = resource(ordered, 'ContainerAssetsRepository', 'AWS::ECR::Repository');
  repository.Properties.ImageScanningConfiguration = { ScanOnPush: true };
  Object.assign(repository, RETAIN);

  explainBootstrapCheckovFindings(ordered);
  return ordered;
}

/**
 * The official `PipelineCrossAccountArtifactsBucket` statement of the deploy
 * role allows S3 reads and writes on any bucket not of this account; CDK
 * Pipelines need it only for the artifact bucket of the pipeline's account,
 * which deploys through `TrustedAccounts`.
 */
function limitPipelineArtifactsToTrustedAccounts(template: Json): void {
  const role = resource(template, 'DeploymentActionRole', 'AWS::IAM::Role');
  const statements: Json[] = (role.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument?.Statement ?? []);
  const artifacts = statements.find((st) => st.Sid === 'PipelineCrossAccountArtifactsBucket');
  if (!artifacts) throw new Error('bootstrap template: the deploy role has no PipelineCrossAccountArtifactsBucket statement to limit');
  artifacts.Condition = { ...artifacts.Condition, StringEquals: { 's3:ResourceAccount': { Ref: 'TrustedAccounts' } } };
}

/**
 * checkov findings on the official template that the bootstrap contract
 * requires, explained where checkov reads them (`Metadata.checkov.skip`).
 */
function explainBootstrapCheckovFindings(template: Json): void {
  explainCheckov(resource(template, 'FileAssetsBucketEncryptionKey', 'AWS::KMS::Key'), 'CKV_AWS_33',
    'The official key policy: the wildcard principal is limited to callers of this account (kms:CallerAccount) using the key through S3 of this region (kms:ViaService), '
    + 'so whoever may read the staging bucket can decrypt its objects; the file-publishing role is named explicitly.');
  explainCheckov(resource(template, 'StagingBucket', 'AWS::S3::Bucket'), 'CKV_AWS_18',
    'The CDK staging bucket holds deployment artifacts (templates, asset archives) written only by the file-publishing role and read by CloudFormation; '
    + 'the bootstrap is the first stack of a member account, so no log bucket exists to receive server access logs. Who publishes and deploys is recorded '
    + 'by CloudTrail (role sessions, change sets naming the template URL); the bucket is versioned, KMS-encrypted, TLS-only and never public.');
  explainCheckov(resource(template, 'ContainerAssetsRepository', 'AWS::ECR::Repository'), 'CKV_AWS_136',
    'AES-256 server-side encryption, as the official template: the encryption of a repository cannot change without replacing it, and CloudFormation '
    + 'cannot replace a repository with a fixed name (cdk-<qualifier>-container-assets-<account>-<region>), so a KMS key here would break every '
    + 'already bootstrapped account. The images are build artifacts, scanned on push and immutable.');
  explainCheckov(resource(template, 'DeploymentActionRole', 'AWS::IAM::Role'), 'CKV_AWS_111',
    'The official CDK deploy role: CloudFormation change-set and stack actions (stack names are chosen by the apps, so no narrower resource), '
    + 'artifact buckets of TrustedAccounts only (s3:ResourceAccount), KMS only through S3, and iam:PassRole only for the '
    + 'execution role; it is assumed only by this account and TrustedAccounts, never with an external ID.');
  const boundary = resource(template, 'CdkBoostrapPermissionsBoundaryPolicy', 'AWS::IAM::ManagedPolicy');
  const boundaryReason = 'The CDK example permissions boundary, created only with UseExamplePermissionsBoundary=true (OrgLandingZone never sets it): '
    + 'a boundary grants nothing, it caps what the roles it is attached to may do; its Allow * is the ceiling from which its Deny statements remove '
    + 'privilege escalation (creating users and roles without the boundary, editing or detaching it).';
  for (const id of ['CKV_AWS_107', 'CKV_AWS_108', 'CKV_AWS_109', 'CKV_AWS_110', 'CKV_AWS_111']) {
    explainCheckov(boundary, id, boundaryReason);
  }
}

/**
 * The bootstrap template as a CloudFormation template object: the official
 * one with the hardening of `hardenBootstrapTemplate`. Its parameters are the
 * official ones; OrgLandingZone passes `Qualifier`, `TrustedAccounts`
 * (accounts allowed to deploy, publish and look up) and
 * `CloudFormationExecutionPolicies` (managed policies of the CloudFormation
 * execution role, AdministratorAccess by default as in `cdk bootstrap`).
 */
export function bootstrapTemplate(): Record<string, unknown> {
  return hardenBootstrapTemplate(officialBootstrapTemplate());
}
