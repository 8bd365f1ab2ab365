import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as library from '../../src';
import { SAML_METADATA } from '../helpers/vpn';

/**
 * The README's TypeScript snippets compile as a reader would paste them, under
 * `tsc --strict`: a snippet without a fixture is a file of its own; the
 * snippets marked ```ts fixture=blocks continue the file of the stand-alone
 * snippet just before the first of them ("The blocks, one app file"), in order.
 *
 * jsii-rosetta (scripts/rosetta.sh) compiles each snippet alone, with the
 * names of earlier snippets declared by rosetta/blocks.ts-fixture; only this
 * test shows that an earlier snippet really defines them (and that a later one
 * does not import a name twice), and synthesizing the blocks file shows the
 * path works as well as compiles.
 */

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');

interface Snippet {
  readonly line: number;
  readonly fixture?: string;
  readonly source: string;
}

function typescriptSnippets(markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fixture = /\bfixture=([\w-]+)/.exec(open[2])?.[1];
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    snippets.push({ line: start, fixture, source: lines.slice(start, end).join('\n') });
    i = end;
  }
  return snippets;
}

/** The files a reader ends up with: each is a list of snippets, in README order. */
function readerFiles(snippets: Snippet[]): Snippet[][] {
  const files: Snippet[][] = [];
  let blocks: Snippet[] | undefined;
  for (const snippet of snippets) {
    if (snippet.fixture === 'blocks') {
      blocks ??= files[files.length - 1];
      blocks.push(snippet);
    } else {
      files.push([snippet]);
    }
  }
  return files;
}

const snippets = typescriptSnippets(README);
const files = readerFiles(snippets);

describe('README TypeScript snippets', () => {
  test('every fixture a snippet names exists in rosetta/', () => {
    for (const snippet of snippets.filter((s) => s.fixture)) {
      expect(fs.existsSync(path.join(ROOT, 'rosetta', `${snippet.fixture}.ts-fixture`))).toBe(true);
    }
  });

  test('the Usage section starts with a complete app and builds one file block by block', () => {
    const usage = README.indexOf('## Usage');
    const firstLine = README.slice(0, usage).split('\n').length;
    const first = snippets.find((s) => s.line > firstLine)!;
    expect(first.fixture).toBeUndefined();
    expect(first.source).toMatch(/new App\(\)/);
    const blockFile = files.find((f) => f.length > 1)!;
    expect(blockFile[0].source).toMatch(/new App\(\)/);
    // The blocks the issue found missing from the path.
    const text = blockFile.map((s) => s.source).join('\n') + files.flat().map((s) => s.source).join('\n');
    for (const construct of ['ContainerRegistry', 'GithubDeployRoles', 'OrgLandingZone', 'ObservableEksCluster', 'SecureRds']) {
      expect(text).toContain(`new ${construct}(`);
    }
  });

  test('pasted in order, each file compiles under tsc --strict against the library', () => {
    const dir = path.join(ROOT, 'test', 'docs', '__readme__');
    const sources = new Map<string, string>();
    files.forEach((file, i) => {
      const name = path.join(dir, `file${i + 1}-README-L${file[0].line}.ts`);
      sources.set(name, file.map((s) => `// README.md line ${s.line}\n${s.source}`).join('\n') + '\nexport {};\n');
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: ['node'],
      skipLibCheck: true,
      // The library as the reader installs it: its exports (from source, so no build is needed).
      paths: { '@innovate-inc/platform-constructs': [path.join(ROOT, 'src', 'index.ts')] },
    };
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, ...rest) => {
      const text = sources.get(fileName);
      return text !== undefined ? ts.createSourceFile(fileName, text, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
    };
    host.fileExists = (fileName) => sources.has(fileName) || fileExists(fileName);
    host.readFile = (fileName) => sources.get(fileName) ?? readFile(fileName);
    const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
    const errors = [...sources.keys()].flatMap((name) => {
      const file = program.getSourceFile(name)!;
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        // Map back to the README line: the nearest "// README.md line N" marker above.
        const fileLines = sources.get(name)!.split('\n');
        let marker = line;
        while (marker > 0 && !fileLines[marker].startsWith('// README.md line ')) marker--;
        const readmeLine = Number(fileLines[marker].slice('// README.md line '.length)) + (line - marker);
        return `README.md:${readmeLine}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    });
    expect(errors).toEqual([]);
  }, 600_000);

  test('the blocks file synthesizes, with no warning', () => {
    const blockFile = files.find((f) => f.length > 1)!;
    const js = ts.transpileModule(`${blockFile.map((s) => s.source).join('\n')}\nmodule.exports = app;\n`, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    // The SAML metadata file the AdminAccess snippet reads: what Identity Center gives you.
    const readerFs = {
      ...fs,
      readFileSync: (file: string, ...rest: unknown[]) =>
        file === 'identity-center-metadata.xml' ? SAML_METADATA : (fs.readFileSync as (...a: unknown[]) => unknown)(file, ...rest),
    };
    // The snippets' imports, resolved at run time: the library from source, the rest as installed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (name: string): unknown => (name === '@innovate-inc/platform-constructs' ? library : name === 'fs' ? readerFs : require(name));
    const module = { exports: {} as unknown };
    new Function('require', 'module', 'exports', js)(load, module, module.exports);
    const assembly = (module.exports as App).synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['DisasterRecovery', 'Production', 'Staging']);
    const warnings = assembly.stacks.flatMap((stack) =>
      stack.messages.filter((m) => m.level !== 'info').map((m) => `${m.id}: ${String(m.entry.data)}`));
    expect(warnings).toEqual([]);
  }, 600_000);
});
