/**
 * The four cdk-nag packs over a synthesized cloud assembly: for an app that
 * cannot run them at synthesis (the Go reference app: cdk-nag has no module
 * on the Go module proxy), and as a second check of the apps that do.
 *
 * Each stack of the assembly is rebuilt in a fresh App from its template
 * and the assembly's construct metadata, the four packs are added with
 * `Validations.of(app).addPlugins()` as the reference apps add them, and the
 * app is synthesized into a temporary directory; the findings come from its
 * `validation-report.json`, as `npm run reference` reads them. Any finding
 * fails, warnings included (the main job fails on them too).
 *
 * What the packs need, and where the assembly keeps it:
 * - Acknowledgments are not in the templates: cdk-nag 3 reads them from the
 *   construct tree (`aws:cdk:acknowledged-rules` construct metadata, written
 *   by `Validations.of(c).acknowledge()` and src/private/compliance.ts) and
 *   writes no `cdk_nag` template metadata. CDK writes every construct's
 *   metadata of a stack into `<stack>.metadata.json` by construct path, the
 *   stack's own (stack-level acknowledgments) included; they are put back on
 *   the rebuilt constructs at the same paths. An acknowledgment on the App
 *   (or a Stage) is in no stack's file: its findings are reported.
 * - Where each resource was: the same file gives each resource's construct
 *   path (`aws:cdk:logicalId` entries), and every resource is created at that
 *   path, under plain constructs named as the originals. Some rules inspect
 *   the tree, not the resource (VPCDefaultSecurityGroupClosed looks for the
 *   `RestrictDefaultSecurityGroupCustomResource` next to the VPC's L1).
 * - Which class each resource had: `tree.json` gives each construct's class.
 *   The rules test the L1 class (`node instanceof CfnRole`), and aws-cdk-lib
 *   writes some resources as a plain `CfnResource` (the role and function of
 *   a `CustomResourceProvider` such as the VPC's default-security-group one),
 *   which the rules then skip in every language. A resource is rebuilt with
 *   the class it had (its L1's `_fromCloudFormation`, what CfnInclude calls,
 *   or a plain `CfnResource`), so the packs judge exactly what they judged at
 *   synthesis.
 * Parameters, conditions, mappings and rules are loaded with
 * `aws-cdk-lib/cloudformation-include` (`CfnInclude`), which the resources'
 * references resolve to. `--self-test` proves the whole on the TypeScript app.
 * (A plain `CfnInclude` of each template, every resource under one construct
 * and typed by its CloudFormation type, does not pass it: on the Phase 1 app
 * it reports VPCDefaultSecurityGroupClosed on both VPCs, and AwsSolutions-IAM4
 * on the role of the VPCs' default-security-group provider, which the rules
 * never see at synthesis.)
 *
 *   nag-assembly.ts <assembly dir>...   fail on any unacknowledged finding
 *   nag-assembly.ts --self-test         synthesize the TypeScript Phase 1 app in this process under the packs,
 *                                       rebuild its assembly this way, and fail unless every rule reports the
 *                                       same findings on the same resources with the same acknowledgments
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, BootstraplessSynthesizer, CfnResource, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { CfnParser, ICfnFinder } from 'aws-cdk-lib/core/lib/helpers-internal';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { readValidationFindings, REPO_ROOT } from './lib/assembly';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** The four packs, as examples/phase1-single-account/app.ts adds them. */
export function packs(app: App): IPolicyValidationPlugin[] {
  return [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app), new PCIDSS321Checks(app)];
}

interface MetadataEntry {
  readonly type: string;
  readonly data?: any;
}

/** One stack of a cloud assembly. */
interface StackArtifact {
  readonly id: string;
  /** The stack's construct path (`/InnovateAccount`). */
  readonly path: string;
  readonly templateFile: string;
  /** Its constructs' metadata by construct path. */
  readonly metadata: Record<string, MetadataEntry[]>;
}

/** Every stack of the assembly in `dir` (nested assemblies of Stages included). */
function stackArtifacts(dir: string, prefix = ''): StackArtifact[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const stacks: StackArtifact[] = [];
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      stacks.push(...stackArtifacts(path.join(dir, artifact.properties.directoryName), `${prefix}${id}-`));
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const metadata = artifact.additionalMetadataFile
      ? JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf-8'))
      : artifact.metadata ?? {};
    stacks.push({
      id: `${prefix}${id}`,
      path: `/${artifact.displayName ?? id}`,
      templateFile: path.join(dir, artifact.properties.templateFile),
      metadata,
    });
  }
  return stacks;
}

/** The class of every construct of the assembly's `tree.json`, by construct path (`/Stack/A/Resource`). */
function constructClasses(dir: string): Map<string, string> {
  const classes = new Map<string, string>();
  const visit = (node: any): void => {
    if (node.fileName) {
      // A subtree CDK wrote into a file of its own (a tree or a forest file).
      const file = JSON.parse(fs.readFileSync(path.join(dir, node.fileName), 'utf-8'));
      return visit(node.treeId !== undefined ? file.forest[node.treeId] : file.tree);
    }
    if (node.constructInfo?.fqn) classes.set(`/${node.path}`, node.constructInfo.fqn);
    for (const child of Object.values(node.children ?? {})) visit(child);
  };
  const treeFile = path.join(dir, 'tree.json');
  if (!fs.existsSync(treeFile)) throw new Error(`${dir}: no tree.json (synthesize with tree metadata): the resources' classes are unknown`);
  visit(JSON.parse(fs.readFileSync(treeFile, 'utf-8')).tree);
  return classes;
}

/**
 * The aws-cdk-lib class named `fqn` (`aws-cdk-lib.aws_ec2.CfnVPC`) if it is
 * an L1 that can be built from a template, `undefined` for a plain
 * `CfnResource`; throws for a class this script cannot rebuild.
 */
function l1Class(fqn: string | undefined, where: string): any {
  if (fqn === 'aws-cdk-lib.CfnResource') return undefined;
  const [pkg, ...names] = (fqn ?? '').split('.');
  let cls: any = pkg === 'aws-cdk-lib' ? cdk : undefined;
  for (const name of names) cls = cls?.[name];
  if (typeof cls?._fromCloudFormation !== 'function') {
    throw new Error(`${where}: its class ${fqn ?? '(none in tree.json)'} is neither an aws-cdk-lib L1 nor CfnResource: extend scripts/nag-assembly.ts`);
  }
  return cls;
}

/** What a check found. */
export interface AssemblyCheck {
  readonly stacks: number;
  readonly resources: number;
  readonly findings: Array<{ pack: string; rule: string; path: string }>;
}

/** Rebuild one stack of the assembly in `app`; returns its number of resources. */
function rebuildStack(app: App, artifact: StackArtifact, classes: Map<string, string>, workdir: string): number {
  const template = JSON.parse(fs.readFileSync(artifact.templateFile, 'utf-8'));
  const resources: Record<string, any> = template.Resources ?? {};
  const nested = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::CloudFormation::Stack');
  if (nested.length > 0) {
    throw new Error(`${artifact.id}: nested stacks (${nested.join(', ')}) are not rebuilt yet: extend scripts/nag-assembly.ts`);
  }
  const stack = new Stack(app, artifact.id, { synthesizer: new BootstraplessSynthesizer() });

  // Parameters, conditions, mappings and rules, rebuilt from the assembly: a template of those sections alone.
  const sectionsFile = path.join(workdir, `${artifact.id}.sections.json`);
  const sectionNames = ['Parameters', 'Conditions', 'Mappings', 'Rules'];
  fs.writeFileSync(sectionsFile, JSON.stringify(Object.fromEntries(sectionNames.filter((s) => template[s]).map((s) => [s, template[s]]))));
  const sections = new CfnInclude(stack, '$Sections', { templateFile: sectionsFile });

  const pathOf = new Map<string, string>();
  for (const [constructPath, entries] of Object.entries(artifact.metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') pathOf.set(entry.data, constructPath);
    }
  }
  const built = new Map<string, CfnResource>();
  const building = new Set<string>();
  const finder: ICfnFinder = {
    findCondition: (name) => (name in (template.Conditions ?? {}) ? sections.getCondition(name) : undefined),
    findMapping: (name) => (name in (template.Mappings ?? {}) ? sections.getMapping(name) : undefined),
    findRefTarget: (name) => (name in (template.Parameters ?? {}) ? sections.getParameter(name) : finder.findResource(name)),
    findResource: (logicalId) => (logicalId in resources ? build(logicalId) : undefined),
  };
  const parser = new CfnParser({ finder, parameters: {} });

  /** The resource at its original construct path, with its original class (its references first). */
  function build(logicalId: string): CfnResource {
    const done = built.get(logicalId);
    if (done) return done;
    if (building.has(logicalId)) throw new Error(`${artifact.id}: a cycle of references through ${logicalId}`);
    building.add(logicalId);
    const original = pathOf.get(logicalId);
    if (!original?.startsWith(`${artifact.path}/`)) {
      throw new Error(`${artifact.id}: the metadata gives no construct path below ${artifact.path} for ${logicalId}`);
    }
    const ids = original.slice(artifact.path.length + 1).split('/');
    let scope: Construct = stack;
    for (const id of ids.slice(0, -1)) {
      const child = scope.node.tryFindChild(id);
      if (child && CfnResource.isCfnResource(child)) throw new Error(`${original}: below another resource, not rebuilt yet`);
      scope = (child as Construct | undefined) ?? new Construct(scope, id);
    }
    const id = ids[ids.length - 1];
    const attributes = resources[logicalId];
    const cls = l1Class(classes.get(original), original);
    let resource: CfnResource;
    if (cls) {
      resource = cls._fromCloudFormation(scope, id, attributes, { parser });
    } else {
      resource = new CfnResource(scope, id, { type: attributes.Type, properties: parser.parseValue(attributes.Properties) });
      parser.handleAttributes(resource, attributes, logicalId);
    }
    resource.overrideLogicalId(logicalId);
    built.set(logicalId, resource);
    return resource;
  }
  for (const logicalId of Object.keys(resources)) build(logicalId);

  // The acknowledgments, on the constructs of the same paths (the stack's own included).
  for (const [constructPath, entries] of Object.entries(artifact.metadata)) {
    const acknowledged = entries.filter((e) => e.type === ACKNOWLEDGED && e.data);
    if (acknowledged.length === 0) continue;
    const target = constructPath === artifact.path ? stack : findConstruct(stack, constructPath.slice(artifact.path.length + 1).split('/'));
    // A construct with no resource below it is not rebuilt: its acknowledgments had nothing to apply to.
    for (const entry of target ? acknowledged : []) target!.node.addMetadata(ACKNOWLEDGED, entry.data);
  }
  return Object.keys(resources).length;
}

function findConstruct(scope: IConstruct, ids: string[]): IConstruct | undefined {
  let current: IConstruct | undefined = scope;
  for (const id of ids) current = current?.node.tryFindChild(id);
  return current;
}

/** Rebuild every stack of the assembly in `dir`, synthesize it under the four packs, return the findings. */
export function checkAssembly(dir: string): AssemblyCheck {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-assembly-'));
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-assembly-sections-'));
  try {
    // No CDKMetadata resource and no bootstrap-version rule of our own: the
    // templates hold the original app's, with the same logical IDs.
    const app = new App({ outdir, analyticsReporting: false });
    const classes = constructClasses(dir);
    const stacks = stackArtifacts(dir);
    let resources = 0;
    for (const artifact of stacks) resources += rebuildStack(app, artifact, classes, workdir);
    Validations.of(app).addPlugins(...packs(app));
    withoutReportOnConsole(() => app.synth());
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) {
      throw new Error(`${dir}: the packs wrote no validation-report.json`);
    }
    return { stacks: stacks.length, resources, findings: readValidationFindings(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * CDK prints the whole validation report on stderr and sets the exit code
 * when a pack reports a finding; this script prints its own summary and
 * decides the exit code itself.
 */
export function withoutReportOnConsole(synth: () => void): void {
  const write = process.stderr.write;
  const error = console.error;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  console.error = () => undefined;
  try {
    synth();
  } catch (e) {
    // Newer aws-cdk-lib versions throw when a pack reports a finding in an
    // app the CDK CLI did not start, after writing the report this script reads.
    if (!/A copy of this report can be found in/.test(String((e as Error)?.message))) throw e;
  } finally {
    process.stderr.write = write;
    console.error = error;
    process.exitCode = undefined;
  }
}

// ---------------------------------------------------------------------------
// --self-test: the same findings in the construct tree and rebuilt from the assembly.

/** What the packs concluded while a tree was checked. */
export interface Outcomes {
  /** Every rule's answer on every resource: `stack logicalId rule` -> COMPLIANT, NOT_APPLICABLE, NON_COMPLIANT, findings or a thrown error. */
  readonly answers: Map<string, string>;
  /** Every finding (non-compliant answer, or a finding of a rule that returns several) and whether it was acknowledged. */
  readonly findings: Map<string, string>;
}

/**
 * Record what the packs conclude while `run` runs: each rule's answer on
 * each resource (wrapping the rule `applyRule` calls), and for each finding
 * whether it is acknowledged (cdk-nag asks `isAcknowledged` for every one,
 * so acknowledged findings are seen as well as reported ones).
 */
export function recordOutcomes(run: () => void): Outcomes {
  const proto = NagPack.prototype as any;
  const isAcknowledged = proto.isAcknowledged;
  const applyRule = proto.applyRule;
  const answers = new Map<string, string>();
  const findings = new Map<string, string>();
  const where = (node: CfnResource) => `${Stack.of(node).artifactId} ${Stack.of(node).resolve(node.logicalId)}`;
  proto.applyRule = function (this: any, params: any) {
    const rule = params.rule;
    const key = `${where(params.node)} ${this.packName}-${params.ruleSuffixOverride ?? rule.name}`;
    const wrapped = Object.defineProperty((node: CfnResource) => {
      try {
        const answer = rule(node);
        answers.set(key, Array.isArray(answer) ? JSON.stringify(answer) : String(answer));
        return answer;
      } catch (error) {
        answers.set(key, `threw: ${(error as Error).message}`);
        throw error;
      }
    }, 'name', { value: rule.name });
    return applyRule.call(this, { ...params, rule: wrapped });
  };
  proto.isAcknowledged = function (this: any, node: CfnResource, ruleId: string) {
    const acknowledged: boolean = isAcknowledged.call(this, node, ruleId);
    findings.set(`${where(node)} ${ruleId}`, acknowledged ? 'acknowledged' : 'reported');
    return acknowledged;
  };
  try {
    run();
  } finally {
    proto.isAcknowledged = isAcknowledged;
    proto.applyRule = applyRule;
  }
  return { answers, findings };
}

/** Where two records differ: `what: tree X, rebuilt Y`. */
export function differences(what: string, tree: Map<string, string>, rebuilt: Map<string, string>): string[] {
  const keys = [...new Set([...tree.keys(), ...rebuilt.keys()])].sort();
  return keys
    .filter((key) => tree.get(key) !== rebuilt.get(key))
    .map((key) => `${what} ${key}: construct tree ${tree.get(key) ?? 'none'}, rebuilt from the assembly ${rebuilt.get(key) ?? 'none'}`);
}

function selfTest(): boolean {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-assembly-self-test-'));
  try {
    // The TypeScript Phase 1 app exactly as examples/phase1-single-account/main.ts builds it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { addCompliancePacks, buildPhase1 } = require('../examples/phase1-single-account/app');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { exampleApp } = require('../examples/example-app');
    const inTree = recordOutcomes(() => {
      const previous = process.env.CDK_OUTDIR;
      process.env.CDK_OUTDIR = outdir;
      try {
        const app: App = exampleApp(path.join(REPO_ROOT, 'examples', 'phase1-single-account'));
        buildPhase1(app);
        addCompliancePacks(app);
        withoutReportOnConsole(() => app.synth());
      } finally {
        if (previous === undefined) delete process.env.CDK_OUTDIR;
        else process.env.CDK_OUTDIR = previous;
      }
    });
    const inTreeFindings = readValidationFindings(outdir);
    let check: AssemblyCheck | undefined;
    const rebuilt = recordOutcomes(() => {
      check = checkAssembly(outdir);
    });

    const different = [...differences('answer', inTree.answers, rebuilt.answers), ...differences('finding', inTree.findings, rebuilt.findings)];
    const acknowledged = (o: Outcomes) => [...o.findings.values()].filter((v) => v === 'acknowledged').length;
    console.log(`self-test (examples/phase1-single-account): in the construct tree ${inTree.answers.size} rule answers, `
      + `${inTree.findings.size} findings (${acknowledged(inTree)} acknowledged, ${inTreeFindings.length} in the report); `
      + `rebuilt from its assembly ${rebuilt.answers.size} rule answers, ${rebuilt.findings.size} findings `
      + `(${acknowledged(rebuilt)} acknowledged, ${check!.findings.length} in the report)`);
    if (different.length > 0) {
      console.error(`self-test: the packs conclude differently on the rebuilt assembly:\n  ${different.slice(0, 50).join('\n  ')}`);
      if (different.length > 50) console.error(`  ... and ${different.length - 50} more`);
      return false;
    }
    if (inTree.findings.size === 0 || inTreeFindings.length !== check!.findings.length) {
      console.error('self-test: no finding at all, or reports of different lengths: the comparison proves nothing');
      return false;
    }
    console.log('self-test: every rule gives the same answer on every resource, and every finding has the same acknowledgment');
    return true;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  let ok = true;
  if (args.includes('--self-test')) ok = selfTest() && ok;
  const dirs = args.filter((a) => a !== '--self-test');
  let first: { where: string; findings: Map<string, string> } | undefined;
  for (const dir of dirs) {
    const start = Date.now();
    let result: AssemblyCheck | undefined;
    const outcomes = recordOutcomes(() => {
      result = checkAssembly(path.resolve(dir));
    });
    const { stacks, resources, findings } = result!;
    const where = path.relative(REPO_ROOT, path.resolve(dir)) || dir;
    const acknowledged = [...outcomes.findings.values()].filter((v) => v === 'acknowledged').length;
    console.log(`${where}: ${stacks} stacks, ${resources} resources; AwsSolutions, HIPAA.Security, NIST.800.53.R5 and PCI.DSS.321 `
      + `over its templates: ${acknowledged} acknowledged finding(s), ${findings.length} unacknowledged (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    for (const f of findings) console.log(`  ${f.rule} at ${f.path}`);
    if (findings.length > 0 || stacks === 0) ok = false;
    // For the reader: whether the apps' findings are the same ones (not a condition of success).
    if (!first) {
      first = { where, findings: outcomes.findings };
    } else {
      const different = differences('finding', first.findings, outcomes.findings)
        .map((d) => d.replace('construct tree', first!.where).replace('rebuilt from the assembly', where));
      console.log(different.length === 0
        ? `  the same findings on the same resources as ${first.where}, with the same acknowledgments`
        : `  ${different.length} finding(s) differ from ${first.where}'s:\n    ${different.slice(0, 20).join('\n    ')}`);
    }
  }
  if (!ok) process.exit(1);
}

if (require.main === module) {
  main();
}
