/**
 * Build step: convert the CDK bootstrap template that the pinned `aws-cdk`
 * CLI package ships (`lib/api/bootstrap/bootstrap-template.yaml`) to JSON in
 * assets/bootstrap/, where `bootstrapTemplate()` (src/governance/
 * org-bootstrap-template.ts) reads it at synth time and applies the
 * library's hardening on top. The CLI is a dev dependency only: the library
 * reads the converted file, never the `aws-cdk` package, and assets/ ships in
 * the npm package and so in every language's package.
 *
 * Writes:
 * - assets/bootstrap/bootstrap-template.json: the official template, converted
 *   as is (short-form intrinsics such as `!Sub`, `!If`, `!Ref` and `!GetAtt`
 *   expanded to their long form, comments dropped);
 * - assets/bootstrap/source.json: where it came from (package, version, file,
 *   SHA-256 of the YAML).
 *
 * YAML parser: the `yaml` package (2.x), already installed as a dependency of
 * projen and commit-and-tag-version. Parsed as YAML 1.1, as CloudFormation
 * and the CLI's own loader do, without the 1.1 types JSON cannot carry
 * (timestamps, binary, sets, ordered maps): a plain `2012-10-17` stays a
 * string, as CloudFormation reads it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';

/** The official template inside the `aws-cdk` package (listed in its `exports`). */
export const OFFICIAL_TEMPLATE_MODULE = 'aws-cdk/lib/api/bootstrap/bootstrap-template.yaml';
export const REPO_ROOT = path.join(__dirname, '..');
export const BOOTSTRAP_ASSET_DIR = path.join(REPO_ROOT, 'assets', 'bootstrap');

/** Short forms whose long form is `{ "Fn::<Name>": value }`. */
const FN_TAGS = new Set([
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join',
  'Length', 'Not', 'Or', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform',
]);
/** Short forms whose long form has no `Fn::` prefix. */
const PLAIN_TAGS = new Set(['Ref', 'Condition']);
/** Explicit YAML tags (`!!str`, ...) of values JSON has. */
const JSON_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/** YAML 1.1 types that have no JSON (and no CloudFormation) meaning. */
const NON_JSON_TAGS = new Set([
  'tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:set',
  'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs',
]);

/**
 * A CloudFormation YAML template as a JSON-compatible object, with every
 * short-form intrinsic (`!Ref X`, `!Sub '...'`, `!GetAtt A.B`, `!If [...]`,
 * ...) in its long form. Anchors and aliases are resolved; an unknown tag,
 * a duplicate key or any YAML error throws.
 */
export function convertCloudFormationYaml(text: string): Record<string, unknown> {
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || !NON_JSON_TAGS.has(t.tag)),
    uniqueKeys: true,
    prettyErrors: true,
  });
  if (doc.errors.length > 0) {
    throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  // Unresolved-tag warnings are the CloudFormation short forms, handled below.
  const warnings = doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED');
  if (warnings.length > 0) {
    throw new Error(`YAML warnings: ${warnings.map((w) => w.message).join('; ')}`);
  }
  const result = toJson(doc.contents, doc, 'template');
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new Error('a CloudFormation template must be a mapping');
  }
  return result as Record<string, unknown>;
}

function toJson(node: unknown, doc: ReturnType<typeof parseDocument>, where: string): unknown {
  if (isAlias(node)) {
    return toJson(node.resolve(doc), doc, where);
  }
  let value: unknown;
  if (isScalar(node)) {
    value = node.value;
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new Error(`${where}: YAML value ${String(node.source ?? value)} has no JSON form`);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`${where}: ${String(value)} has no JSON form`);
    }
  } else if (isSeq(node)) {
    value = node.items.map((item, i) => toJson(item, doc, `${where}[${i}]`));
  } else if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) throw new Error(`${where}: unexpected map entry`);
      const key = toJson(pair.key, doc, `${where} key`);
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        throw new Error(`${where}: map keys must be scalars`);
      }
      out[String(key)] = toJson(pair.value, doc, `${where}.${String(key)}`);
    }
    value = out;
  } else if (node === null || node === undefined) {
    return null;
  } else {
    throw new Error(`${where}: unexpected YAML node`);
  }

  const tag = (node as { tag?: string }).tag;
  if (tag === undefined || JSON_TAGS.has(tag)) {
    return value;
  }
  if (!tag.startsWith('!')) {
    throw new Error(`${where}: YAML tag ${tag} has no JSON form`);
  }
  const name = tag.slice(1);
  if (PLAIN_TAGS.has(name)) {
    return { [name]: value };
  }
  if (!FN_TAGS.has(name)) {
    throw new Error(`${where}: unknown CloudFormation tag ${tag}`);
  }
  if (name === 'GetAtt' && typeof value === 'string') {
    // `!GetAtt Resource.Attribute` (the attribute may itself contain dots).
    const dot = value.indexOf('.');
    if (dot <= 0 || dot === value.length - 1) throw new Error(`${where}: !GetAtt ${value} is not Resource.Attribute`);
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** The YAML file of the installed `aws-cdk` package and that package's version. */
export function officialTemplateSource(): { file: string; version: string; yaml: string } {
  const file = require.resolve(OFFICIAL_TEMPLATE_MODULE);
  const packageJson = JSON.parse(fs.readFileSync(require.resolve('aws-cdk/package.json'), 'utf8')) as { version: string };
  const version = packageJson.version;
  return { file, version, yaml: fs.readFileSync(file, 'utf8') };
}

function main(): void {
  const { file, version, yaml } = officialTemplateSource();
  const template = convertCloudFormationYaml(yaml);
  fs.mkdirSync(BOOTSTRAP_ASSET_DIR, { recursive: true });
  fs.writeFileSync(path.join(BOOTSTRAP_ASSET_DIR, 'bootstrap-template.json'), `${JSON.stringify(template, null, 2)}\n`);
  const source = {
    package: 'aws-cdk',
    version,
    file: OFFICIAL_TEMPLATE_MODULE.replace(/^aws-cdk\//, ''),
    sha256: createHash('sha256').update(yaml).digest('hex'),
  };
  fs.writeFileSync(path.join(BOOTSTRAP_ASSET_DIR, 'source.json'), `${JSON.stringify(source, null, 2)}\n`);
  console.log(`bootstrap template of aws-cdk ${version} (${path.relative(REPO_ROOT, file)}) -> ${path.relative(REPO_ROOT, BOOTSTRAP_ASSET_DIR)}/`);
}

if (require.main === module) {
  main();
}
