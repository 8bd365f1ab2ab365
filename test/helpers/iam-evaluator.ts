/**
 * A small evaluator of IAM policy documents for one request, so tests can
 * assert what a principal may do instead of what its policies look like.
 *
 * It implements the identity-policy part of AWS's evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any policy wins, otherwise an Allow in any policy
 * allows, otherwise the request is implicitly denied. Permissions
 * boundaries, SCPs, session and resource policies are not modelled (a test
 * evaluates a boundary as a separate set of policies when it needs to).
 *
 * Supported: `Action` / `NotAction` with `*` and `?` wildcards (case
 * insensitive), `Resource` / `NotResource` with wildcards and policy
 * variables (`${aws:username}`; an unresolvable variable never matches),
 * `Principal` (when the request names one), and the condition operators
 * `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
 * `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`, `ArnEquals`,
 * `ArnLike`, `ArnNotEquals`, `ArnNotLike`, `Bool`, `Null`, each with the
 * `...IfExists` suffix and the `ForAnyValue:` / `ForAllValues:` prefixes.
 * An unknown operator throws, so a policy the evaluator cannot judge fails
 * the test instead of passing it.
 *
 * Missing context keys follow AWS: `...IfExists` is true, negated operators
 * (`...Not...`) are true, `ForAllValues:` is true, everything else is false.
 */

/** A context value: one string (or boolean) or, for multivalued keys, a list. */
export type ContextValue = string | boolean | string[];

/** One request to evaluate. */
export interface IamRequest {
  /** The action, e.g. `ec2:RunInstances`. */
  readonly action: string;
  /** The resource ARN. @default '*' */
  readonly resource?: string;
  /** The principal making the request (only checked against `Principal` elements). */
  readonly principal?: string;
  /** Condition keys, e.g. `{ 'aws:ResourceTag/environment': 'production' }`. Keys are case insensitive. */
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
  readonly Condition?: Record<string, Record<string, string | boolean | Array<string | boolean>>>;
}

/** A policy document as it appears in a resolved template. */
export interface IamPolicyDocument {
  readonly Version?: string;
  readonly Statement: IamStatement | IamStatement[];
}

/** The decision and the statements that produced it. */
export interface IamEvaluation {
  readonly decision: IamDecision;
  /** Sids (or indexes) of the matching Deny statements. */
  readonly denies: string[];
  /** Sids (or indexes) of the matching Allow statements. */
  readonly allows: string[];
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Glob match: `*` any run of characters, `?` exactly one. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** Context keys are case insensitive: normalise to lower case. */
function normaliseContext(context: Record<string, ContextValue> | undefined): Map<string, ContextValue> {
  return new Map(Object.entries(context ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Replace `${key}` policy variables; `undefined` when one cannot be resolved. */
function substituteVariables(text: string, context: Map<string, ContextValue>): string | undefined {
  let unresolved = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    if (key === '*' || key === '?' || key === '$') return key;
    const value = context.get(key.toLowerCase());
    if (value === undefined || Array.isArray(value)) {
      unresolved = true;
      return '';
    }
    return String(value);
  });
  return unresolved ? undefined : result;
}

function actionMatches(statement: IamStatement, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((p) => globMatch(p, action, true));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => globMatch(p, action, true));
  throw new Error(`statement ${statement.Sid ?? ''} has neither Action nor NotAction`);
}

function resourceMatches(statement: IamStatement, resource: string, context: Map<string, ContextValue>): boolean {
  const matchesAny = (patterns: string[]) => patterns.some((p) => {
    const pattern = substituteVariables(p, context);
    return pattern !== undefined && globMatch(pattern, resource);
  });
  if (statement.Resource !== undefined) return matchesAny(asList(statement.Resource));
  if (statement.NotResource !== undefined) return !matchesAny(asList(statement.NotResource));
  // Trust policies have no Resource: the role itself is the resource.
  if (statement.Principal !== undefined) return true;
  throw new Error(`statement ${statement.Sid ?? ''} has neither Resource nor NotResource`);
}

function principalMatches(statement: IamStatement, principal: string | undefined): boolean {
  if (statement.Principal === undefined || principal === undefined) return true;
  if (statement.Principal === '*') return true;
  const values = Object.values(statement.Principal).flatMap((v) => asList(v));
  return values.some((v) => v === '*' || globMatch(v, principal));
}

type Comparator = (policyValue: string, contextValue: string) => boolean;

const COMPARATORS: Record<string, { compare: Comparator; negated: boolean }> = {
  StringEquals: { compare: (p, c) => p === c, negated: false },
  StringNotEquals: { compare: (p, c) => p === c, negated: true },
  StringEqualsIgnoreCase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: true },
  StringLike: { compare: (p, c) => globMatch(p, c), negated: false },
  StringNotLike: { compare: (p, c) => globMatch(p, c), negated: true },
  ArnEquals: { compare: (p, c) => p === c, negated: false },
  ArnNotEquals: { compare: (p, c) => p === c, negated: true },
  ArnLike: { compare: (p, c) => globMatch(p, c), negated: false },
  ArnNotLike: { compare: (p, c) => globMatch(p, c), negated: true },
  Bool: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
};

/** Evaluate one operator block (`{ "StringEquals": { key: values } }`) for one key. */
function conditionHolds(operatorName: string, key: string, policyValues: string[], context: Map<string, ContextValue>): boolean {
  let operator = operatorName;
  let setOperator: 'ForAnyValue' | 'ForAllValues' | undefined;
  const prefix = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
  if (prefix) {
    setOperator = prefix[1] as 'ForAnyValue' | 'ForAllValues';
    operator = prefix[2];
  }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  const raw = context.get(key.toLowerCase());

  if (operator === 'Null') {
    const wantsAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent ? raw === undefined : raw !== undefined;
  }
  const comparator = COMPARATORS[operator];
  if (!comparator) throw new Error(`iam-evaluator: unsupported condition operator ${operatorName}`);

  if (raw === undefined) {
    if (ifExists) return true;
    if (setOperator === 'ForAllValues') return true;
    if (setOperator === 'ForAnyValue') return false;
    return comparator.negated;
  }
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  const resolvedPolicyValues = policyValues
    .map((v) => substituteVariables(v, context))
    .filter((v): v is string => v !== undefined);
  const matchesOne = (contextValue: string) => {
    const any = resolvedPolicyValues.some((p) => comparator.compare(p, contextValue));
    return comparator.negated ? !any : any;
  };
  if (setOperator === 'ForAllValues') return values.every(matchesOne);
  if (comparator.negated && setOperator === undefined) return values.every(matchesOne);
  return values.some(matchesOne);
}

function conditionsHold(statement: IamStatement, context: Map<string, ContextValue>): boolean {
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      if (!conditionHolds(operator, key, asList(value).map(String), context)) return false;
    }
  }
  return true;
}

/** Evaluate `request` against every policy a principal has. */
export function evaluatePolicies(policies: IamPolicyDocument[], request: IamRequest): IamEvaluation {
  const context = normaliseContext(request.context);
  const resource = request.resource ?? '*';
  const denies: string[] = [];
  const allows: string[] = [];
  policies.forEach((policy, p) => {
    asList(policy.Statement).forEach((statement, s) => {
      const matches = actionMatches(statement, request.action)
        && resourceMatches(statement, resource, context)
        && principalMatches(statement, request.principal)
        && conditionsHold(statement, context);
      if (!matches) return;
      const name = statement.Sid ?? `policy${p}.statement${s}`;
      (statement.Effect === 'Deny' ? denies : allows).push(name);
    });
  });
  const decision: IamDecision = denies.length > 0 ? 'EXPLICIT_DENY' : allows.length > 0 ? 'ALLOW' : 'IMPLICIT_DENY';
  return { decision, denies, allows };
}

/** Shorthand: the decision only. */
export function decide(policies: IamPolicyDocument[], request: IamRequest): IamDecision {
  return evaluatePolicies(policies, request).decision;
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
 * Resolve the intrinsics a policy uses in a synthesized template: `Ref` to
 * pseudo parameters and to resources (a role's or group's name, a managed
 * policy's ARN), `Fn::GetAtt ... Arn` and `Fn::Join`.
 */
export function resolveIntrinsics(value: any, template: Template, options: ResolveOptions = {}): any {
  const partition = options.partition ?? 'aws';
  const account = options.accountId ?? '123456789012';
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
    if (!resource || attribute !== 'Arn') throw new Error(`iam-evaluator: cannot resolve Fn::GetAtt ${ref}.${attribute}`);
    const kind = resource.Type === 'AWS::IAM::Role' ? 'role' : resource.Type === 'AWS::IAM::Group' ? 'group' : 'user';
    return `arn:${partition}:iam::${account}:${kind}${resource.Properties?.Path ?? '/'}${ref}`;
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
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Policy' && attachedTo(resource)) policies.push(resolve(resource.Properties.PolicyDocument));
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && attachedTo(resource)) policies.push(resolve(resource.Properties.PolicyDocument));
    void id;
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
