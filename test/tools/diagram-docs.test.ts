import * as fs from 'fs';
import * as path from 'path';
import { generatedDiagramFiles, REPO_ROOT, synthExample } from '../../scripts/lib/diagram/docs';

// Synthesizes both reference apps (about 25 s on a 2-core machine).
jest.setTimeout(240_000);

describe('docs/diagrams and docs/architecture.md', () => {
  test('are what scripts/diagrams.ts generates from the reference apps (run it after changing the apps or the views)', async () => {
    const files = await generatedDiagramFiles(synthExample('phase1-single-account'), synthExample('phase2-multi-account'));
    expect(files.size).toBe(11);
    for (const [file, content] of files) {
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '<missing>';
      if (committed !== content) throw new Error(`${path.relative(REPO_ROOT, file)} drifted: run npx ts-node --transpile-only -P tsconfig.dev.json scripts/diagrams.ts`);
    }
  });
});
