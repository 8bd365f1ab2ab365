import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import * as library from '../../src';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf-8');

/** Exported construct classes that are not used on their own, so the catalog need not list them. */
const NOT_IN_CATALOG: Record<string, string> = {
  PostgresDatabaseBase: 'the shared base class of SecureRds and SecureAuroraPostgres',
};
/** Names of other libraries the docs may mention in a construct column. */
const OTHER_LIBRARIES = new Set(['AwsCustomResource']);

const exported = new Set(Object.keys(library));
const constructClasses = Object.entries(library)
  .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Construct)
  .map(([name]) => name);

/** The rows of the first Markdown table after `heading` (or of the whole text), as cells. */
function tableRows(markdown: string, heading?: string): string[][] {
  const text = heading ? markdown.slice(markdown.indexOf(heading)) : markdown;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

/** Library-style names in a cell: a backticked PascalCase identifier, alone or before a member (`X.y`, `X.*`). */
function namesIn(cell: string): string[] {
  return [...cell.matchAll(/`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?=[`.])/g)].map((m) => m[1]);
}

describe('the README construct catalog and docs/architecture.md match the exports', () => {
  const catalog = tableRows(read('README.md'), '## Construct catalog');
  const catalogNames = catalog.flatMap((row) => namesIn(row[0]));

  test('the catalog has rows, and the names are read from them', () => {
    expect(catalog.length).toBeGreaterThan(10);
    expect(catalogNames).toEqual(expect.arrayContaining(['StageProfiles', 'PlatformNetwork', 'InnovatePlatform', 'WebFrontend']));
  });

  test('every name in the catalog is exported by the package', () => {
    expect(catalogNames.filter((name) => !exported.has(name))).toEqual([]);
  });

  test('every exported construct class is in the catalog', () => {
    const missing = constructClasses.filter((name) => !catalogNames.includes(name) && !(name in NOT_IN_CATALOG));
    expect(missing).toEqual([]);
  });

  test('docs/architecture.md names only exported constructs', () => {
    const rows = tableRows(read('docs/architecture.md'));
    expect(rows.length).toBeGreaterThan(10);
    const names = rows.flatMap((row) => namesIn(row[2] ?? ''));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !exported.has(name) && !OTHER_LIBRARIES.has(name))).toEqual([]);
  });

  test('docs/architecture.md places every exported construct class in the design', () => {
    const names = new Set(tableRows(read('docs/architecture.md')).flatMap((row) => namesIn(row[2] ?? '')));
    expect(constructClasses.filter((name) => !names.has(name) && !(name in NOT_IN_CATALOG))).toEqual([]);
  });
});

describe('API.md', () => {
  test('no list loses its first dash: a paragraph never runs into indented list lines', () => {
    // jsii-docgen renders a class doc whose first remarks paragraph is a list
    // with that item's dash dropped ("...all with.\n\nimmutable tags,\n  ...").
    // TSDoc fix: end the summary with a sentence and lead the list with one.
    // Code blocks (the examples) are not prose: their lines are blanked out.
    let inCode = false;
    const lines = read('API.md').split('\n').map((line) => {
      if (line.startsWith('```')) {
        inCode = !inCode;
        return line;
      }
      return inCode ? '' : line;
    });
    const broken: string[] = [];
    for (let i = 0; i + 3 < lines.length; i++) {
      const [before, blank, first, next] = lines.slice(i, i + 4);
      if (before && blank === '' && first && !/^[-|#`<>]/.test(first) && next.startsWith('  ') && !next.startsWith('  -')) {
        broken.push(`API.md:${i + 3}: ${first.slice(0, 60)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
