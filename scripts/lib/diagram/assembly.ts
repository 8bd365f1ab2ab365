/**
 * Reads a synthesized cloud assembly (manifest.json, the stack templates and
 * tree.json) into plain data the diagram model is built from. Nothing here
 * knows about diagrams; nothing here reads the app's source code.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A CloudFormation resource of a stack, with its construct path from tree.json. */
export interface AssemblyResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, any>;
  /** Construct path (`Stack/Database/Instance/Resource`), or the logical ID when tree.json does not name it. */
  readonly path: string;
}

/** One stack artifact of the assembly. */
export interface AssemblyStack {
  /** Artifact ID (`InnovateProductionNetwork`). */
  readonly id: string;
  /** Account ID, or `unknown-account` for an environment-agnostic account. */
  readonly account: string;
  readonly region: string;
  /** Stack tags from the manifest (the cost-allocation tags among them). */
  readonly tags: Readonly<Record<string, string>>;
  /** Stack artifacts this one deploys after. */
  readonly dependsOn: readonly string[];
  readonly templateFile: string;
  readonly template: { Resources?: Record<string, any>; [key: string]: any };
  readonly resources: readonly AssemblyResource[];
}

/** A cloud assembly read from disk. */
export interface Assembly {
  readonly dir: string;
  /** Stacks in artifact-ID order. */
  readonly stacks: readonly AssemblyStack[];
}

/** Reads `dir`'s manifest, templates and tree. */
export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const artifacts: Record<string, any> = manifest.artifacts ?? {};
  const treeArtifact = Object.values(artifacts).find((a: any) => a.type === 'cdk:tree');
  const tree = treeArtifact ? JSON.parse(fs.readFileSync(path.join(dir, treeArtifact.properties.file), 'utf-8')) : undefined;
  const paths = logicalIdPaths(tree?.tree);
  const stackIds = new Set(Object.entries(artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id]) => id));
  const stacks: AssemblyStack[] = [];
  for (const id of [...stackIds].sort()) {
    const artifact = artifacts[id];
    const [account, region] = String(artifact.environment ?? 'aws://unknown-account/unknown-region').replace('aws://', '').split('/');
    const templateFile: string = artifact.properties.templateFile;
    const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf-8'));
    const stackPaths = paths.get(artifact.displayName ?? id) ?? paths.get(id) ?? new Map<string, string>();
    const resources = Object.entries<any>(template.Resources ?? {}).map(([logicalId, r]) => ({
      logicalId,
      type: r.Type,
      properties: r.Properties ?? {},
      path: stackPaths.get(logicalId) ?? logicalId,
    }));
    stacks.push({
      id,
      account,
      region,
      tags: artifact.properties.tags ?? {},
      dependsOn: [...new Set<string>((artifact.dependencies ?? []).filter((d: string) => stackIds.has(d)))].sort(),
      templateFile,
      template,
      resources,
    });
  }
  return { dir, stacks };
}

/** tree.json: stack path -> (logical ID -> construct path). */
function logicalIdPaths(root: any): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  const walk = (node: any, stackPath: string | undefined) => {
    if (!node) return;
    const isStack = node.constructInfo?.fqn === 'aws-cdk-lib.Stack' || node.constructInfo?.fqn === 'aws-cdk-lib.NestedStack';
    const here = isStack ? node.path : stackPath;
    const logicalId = node.attributes?.['aws:cdk:cloudformation:logicalId'];
    if (logicalId && here) {
      if (!result.has(here)) result.set(here, new Map());
      result.get(here)!.set(logicalId, node.path);
    }
    for (const child of Object.values(node.children ?? {})) walk(child, here);
  };
  walk(root, undefined);
  return result;
}

/** Resources of one type, in logical-ID order. */
export function ofType(stack: AssemblyStack, type: string): AssemblyResource[] {
  return stack.resources.filter((r) => r.type === type).sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** Resources of one type across stacks, in stack then logical-ID order. */
export function allOfType(stacks: readonly AssemblyStack[], type: string): Array<AssemblyResource & { stack: AssemblyStack }> {
  return stacks.flatMap((stack) => ofType(stack, type).map((r) => ({ ...r, stack })));
}

/** The value of tag `key` in a CloudFormation `Tags` list. */
export function tagValue(tags: unknown, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t: any) => t?.Key === key);
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
}
