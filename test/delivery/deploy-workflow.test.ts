import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'yaml';
import { synthExample } from '../../scripts/lib/reference-estimates';

/**
 * The example workflow (examples/github-actions/deploy.yml) read as data:
 * the ECR repositories it pushes to and delivers from, resolved through the
 * defaults of its `env:`, against the repositories the Phase 1 reference app
 * synthesizes.
 */
const WORKFLOW_FILE = path.join(__dirname, '..', '..', 'examples', 'github-actions', 'deploy.yml');
const TEXT = fs.readFileSync(WORKFLOW_FILE, 'utf-8');
const WORKFLOW = yaml.parse(TEXT);

/** `${{ vars.X || 'default' }}` of the workflow's env, by name. */
function envDefaults(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries<string>(WORKFLOW.env)) {
    const m = /\|\|\s*'([^']*)'\s*\}\}$/.exec(String(value));
    out[name] = m ? m[1] : String(value);
  }
  return out;
}

/** Every repository named after the registry host (`<registry>/<repository>`), env references resolved. */
function repositoriesReferenced(): string[] {
  const env = envDefaults();
  const found = new Set<string>();
  const registry = /(?:\$\{\{\s*steps\.ecr\.outputs\.registry\s*\}\}|\$\{?REGISTRY\}?)\/(\$\{\{\s*env\.([A-Z_]+)\s*\}\}|\$\{?([A-Z_]+)\}?|[a-z0-9][a-z0-9._\/-]*[a-z0-9])/g;
  for (const m of TEXT.matchAll(registry)) {
    const variable = m[2] ?? m[3];
    if (variable !== undefined) {
      expect(env).toHaveProperty(variable);
      found.add(env[variable]);
    } else {
      found.add(m[1]);
    }
  }
  return [...found].sort();
}

describe('the example workflow\'s ECR repositories', () => {
  jest.setTimeout(180_000);

  test('are repositories the Phase 1 reference app creates (and its deploy roles may push to)', () => {
    const assembly = synthExample('phase1-single-account');
    const created: string[] = [];
    for (const stack of assembly.stacks) {
      for (const resource of Object.values<any>(stack.template.Resources ?? {})) {
        if (resource.Type === 'AWS::ECR::Repository') created.push(resource.Properties.RepositoryName);
      }
    }
    const referenced = repositoriesReferenced();
    expect(referenced).toEqual(['innovate/backend', 'innovate/frontend']);
    expect(created).toEqual(expect.arrayContaining(referenced));
  });

  test('no job hard-codes a repository: every image reference goes through API_REPOSITORY or WEB_REPOSITORY', () => {
    const literal = /outputs\.registry\s*\}\}\/[a-z]/;
    expect(TEXT.split('\n').filter((line) => literal.test(line))).toEqual([]);
    expect(envDefaults()).toMatchObject({ API_REPOSITORY: 'innovate/backend', WEB_REPOSITORY: 'innovate/frontend' });
  });
});
