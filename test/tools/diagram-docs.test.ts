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

  test('every view fits one screen (1920 x 1080 px, i.e. 1440 x 810 pt)', () => {
    const svgs = fs.readdirSync(path.join(REPO_ROOT, 'docs', 'diagrams')).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBe(5);
    for (const file of svgs) {
      const [, width, height] = /<svg width="([0-9.]+)pt" height="([0-9.]+)pt"/.exec(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'diagrams', file), 'utf-8'))!;
      expect([file, Number(width) <= 1440 && Number(height) <= 810]).toEqual([file, true]);
    }
  });
});
