/**
 * Writes the architecture diagrams drawn from the reference apps: Mermaid
 * and SVG per view into docs/diagrams/, and the Mermaid views into
 * docs/architecture.md between its markers. test/tools/diagram-docs.test.ts
 * fails when the committed files drift from what this generates.
 *
 *   npx ts-node --transpile-only -P tsconfig.dev.json scripts/diagrams.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { DIAGRAM_DIR, generatedDiagramFiles, REPO_ROOT, synthExample } from './lib/diagram/docs';

async function main(): Promise<void> {
  const phase1 = synthExample('phase1-single-account');
  const phase2 = synthExample('phase2-multi-account');
  fs.mkdirSync(DIAGRAM_DIR, { recursive: true });
  for (const [file, content] of await generatedDiagramFiles(phase1, phase2)) {
    fs.writeFileSync(file, content);
    console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
  }
  for (const dir of [phase1, phase2]) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
