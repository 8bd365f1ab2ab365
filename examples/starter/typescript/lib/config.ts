import { App, Errors } from 'aws-cdk-lib';

/** The environment's settings, read from cdk.json's `context` (or `cdk synth -c key=value`). */
export interface StarterConfig {
  /** AWS account ID the environment deploys to (the stacks' `env.account`). */
  readonly account: string;
  /** Home region. */
  readonly region: string;
  /** `development` or `production`. */
  readonly stage: 'development' | 'production';
  /** Name of the public Route 53 hosted zone the app is served from (`app.<domainName>`), without a trailing dot. */
  readonly domainName: string;
  /** ID of that hosted zone, without the `/hostedzone/` prefix. */
  readonly hostedZoneId: string;
  /** Receives the critical and warning alarms. */
  readonly alarmEmail: string;
  /** IAM roles that get cluster admin (kubectl). */
  readonly clusterAdminRoleArns: string[];
  /**
   * The bastion's AMI (arm64 Amazon Linux 2023) in `region`, pinned; when
   * unset, production looks it up once with AWS credentials (kept in
   * cdk.context.json) and development takes the latest at every deploy.
   */
  readonly bastionAmi?: string;
}

/** Thrown when the settings are incomplete or wrong: one line per setting, no stack trace needed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Where a setting comes from, as the errors name it: cdk.json's context, or `-c key=value` on the command line. */
const FROM = '(cdk.json or -c)';

interface Setting {
  /** What to put there, as the error says it. */
  readonly what: string;
  readonly example: string;
  readonly pattern: RegExp;
  /** The value as the lookup command the README names prints it, made the form `pattern` checks. */
  readonly normalise?: (value: string) => string;
}

/** The placeholders: cdk.json ships them as `<...>`, and synth stops until each is filled. */
const PLACEHOLDERS: Record<'account' | 'domainName' | 'hostedZoneId' | 'alarmEmail', Setting> = {
  account: {
    what: 'the 12-digit ID of the AWS account this environment deploys to (aws sts get-caller-identity --query Account)',
    example: '111122223333',
    pattern: /^\d{12}$/,
  },
  domainName: {
    what: 'the name of your public Route 53 hosted zone; the app is served at app.<domainName>',
    example: 'example.com',
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    // Route 53 prints zone names fully qualified: "example.com.".
    normalise: (value) => value.replace(/\.$/, ''),
  },
  hostedZoneId: {
    what: 'the ID of that hosted zone (aws route53 list-hosted-zones-by-name --dns-name <domainName>)',
    example: 'Z0123456789ABCDEFGHIJ',
    pattern: /^Z[A-Z0-9]{1,31}$/,
    // Route 53 prints zone IDs as "/hostedzone/Z0123456789ABCDEFGHIJ".
    normalise: (value) => value.replace(/^\/hostedzone\//, ''),
  },
  alarmEmail: {
    what: 'the e-mail address that receives the critical and warning alarms',
    example: 'oncall@example.com',
    pattern: /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/,
  },
};

const DEFAULT_REGION = 'us-east-1';
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const AMI = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64';

/** A value cdk.json still holds as shipped: missing, empty or `<...>`. */
function unfilled(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && (value.trim() === '' || /^<.*>$/s.test(value.trim())));
}

/** A list setting: a list in cdk.json, or the same list as a JSON string (`-c 'key=["..."]'`). */
function list(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * The settings of cdk.json's context (or `-c key=value`), checked. Every
 * problem is collected and reported at once, one line each, naming the
 * setting and what to put there.
 */
export function readConfig(app: App): StarterConfig {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [key, setting] of Object.entries(PLACEHOLDERS)) {
    const raw: unknown = app.node.tryGetContext(key);
    const value = typeof raw === 'string' && setting.normalise ? setting.normalise(raw.trim()) : raw;
    if (unfilled(raw)) {
      problems.push(`context: fill in "${key}" ${FROM}: ${setting.what}, e.g. "${setting.example}".`);
    } else if (typeof value !== 'string' || !setting.pattern.test(value)) {
      problems.push(`context: "${key}" is ${JSON.stringify(raw)} ${FROM}: put ${setting.what}, e.g. "${setting.example}".`);
    } else {
      values[key] = value;
    }
  }

  const stage: unknown = app.node.tryGetContext('stage') ?? 'development';
  if (stage !== 'development' && stage !== 'production') {
    problems.push(`context: "stage" is ${JSON.stringify(stage)} ${FROM}: put "development" or "production".`);
  }
  const region: unknown = app.node.tryGetContext('region') ?? DEFAULT_REGION;
  if (typeof region !== 'string' || !REGION.test(region)) {
    problems.push(`context: "region" is ${JSON.stringify(region)} ${FROM}: put the home region of the environment, e.g. "${DEFAULT_REGION}".`);
  }
  const roles: unknown = list(app.node.tryGetContext('clusterAdminRoleArns') ?? []);
  if (!Array.isArray(roles) || roles.some((arn) => typeof arn !== 'string' || !ROLE_ARN.test(arn))) {
    problems.push(`context: "clusterAdminRoleArns" is ${JSON.stringify(roles)} ${FROM}: put a list of IAM role ARNs `
      + '(e.g. ["arn:aws:iam::111122223333:role/platform-admin"]), or [] for none.');
  }
  const bastionAmi: unknown = app.node.tryGetContext('bastionAmi') ?? undefined;
  if (bastionAmi !== undefined && (typeof bastionAmi !== 'string' || !AMI.test(bastionAmi))) {
    problems.push(`context: "bastionAmi" is ${JSON.stringify(bastionAmi)} ${FROM}: put the ID of an arm64 Amazon Linux 2023 AMI of the home region `
      + `(aws ssm get-parameter --name ${AMI_PARAMETER} --query Parameter.Value --output text), e.g. "ami-0123456789abcdef0", or leave it out.`);
  }

  // The CDK CLI sets CDK_DEFAULT_ACCOUNT to the account of your AWS
  // credentials, when there are any: deploying elsewhere than cdk.json says is
  // a mistake to stop here.
  const credentialsAccount = process.env.CDK_DEFAULT_ACCOUNT;
  if (values.account && credentialsAccount && credentialsAccount !== values.account) {
    problems.push(`context: "account" is "${values.account}" ${FROM} but your AWS credentials are for account ${credentialsAccount}: `
      + `use credentials of ${values.account}, or put ${credentialsAccount} there.`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    account: values.account,
    region: region as string,
    stage: stage as StarterConfig['stage'],
    domainName: values.domainName,
    hostedZoneId: values.hostedZoneId,
    alarmEmail: values.alarmEmail,
    clusterAdminRoleArns: roles as string[],
    bastionAmi: bastionAmi as string | undefined,
  };
}

/**
 * The one line to stop `cdk synth` with when the app asked for context
 * lookups (`missing`: production's bastion AMI, pinned at the first synth)
 * and the CDK CLI has no AWS credentials to make them; undefined when there is
 * nothing to look up or credentials to do it (the CLI then looks up, keeps the
 * answers in cdk.context.json, and runs the app again).
 */
export function lookupError(config: StarterConfig, missing: readonly string[], credentialsAccount: string | undefined): string | undefined {
  if (missing.length === 0 || credentialsAccount) return undefined;
  return `context: "stage" is "${config.stage}": the first cdk synth needs AWS credentials of account ${config.account} `
    + `to look up ${config.stage === 'production' ? 'the bastion\'s AMI' : missing.join(', ')} (kept in cdk.context.json: commit it), `
    + `or set "bastionAmi" ${FROM} to an arm64 Amazon Linux 2023 AMI of ${config.region} `
    + `(aws ssm get-parameter --name ${AMI_PARAMETER} --query Parameter.Value --output text).`;
}

/**
 * The message to print, without a stack trace, for an error of the settings
 * (ConfigError) or of a construct's validation (aws-cdk-lib's ValidationError,
 * or the library's "<construct path>: invalid <prop> <value>: <allowed>");
 * undefined for anything else (a bug: its stack trace is wanted).
 */
export function userErrorMessage(err: unknown): string | undefined {
  if (err instanceof ConfigError) return err.message;
  if (Errors.isValidationError(err)) {
    return err.constructPath && !err.message.startsWith(`${err.constructPath}: `) ? `${err.constructPath}: ${err.message}` : err.message;
  }
  if (err instanceof Error && /^[\w.-]+(\/[\w.-]+)*: invalid \S+ /.test(err.message)) return err.message;
  return undefined;
}
