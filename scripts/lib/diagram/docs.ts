/**
 * The generated diagram files under docs/ and the Mermaid block of
 * docs/architecture.md, from the Phase 1 and Phase 2 reference apps'
 * assemblies. `scripts/diagrams.ts` writes them; test/tools/diagram-docs.test.ts
 * fails when the committed files differ.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildPhase1 } from '../../../examples/phase1-single-account/app';
import { buildPhase2 } from '../../../examples/phase2-multi-account/app';
import { appCriticalPath } from '../deploy-model';
import { readAssembly } from './assembly';
import { architectureFacts, ArchitectureFacts } from './facts';
import { DiagramView } from './graph';
import { renderMermaid } from './mermaid';
import { renderSvg } from './svg';
import { deployOrderView, networkView, organizationView, phase1View, securityView } from './views';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIAGRAM_DIR = path.join(REPO_ROOT, 'docs', 'diagrams');
export const ARCHITECTURE_DOC = path.join(REPO_ROOT, 'docs', 'architecture.md');
export const BEGIN_MARKER = '<!-- BEGIN GENERATED DIAGRAMS (scripts/diagrams.ts) -->';
export const END_MARKER = '<!-- END GENERATED DIAGRAMS -->';

/**
 * Synthesizes an example app in this process (without the cdk-nag packs,
 * which add metadata but change no template) into a fresh directory.
 */
export function synthExample(example: 'phase1-single-account' | 'phase2-multi-account', outdir?: string): string {
  const dir = outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), `diagram-${example}-`));
  const { context } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', example, 'cdk.json'), 'utf-8'));
  const app = new App({ context, outdir: dir });
  if (example === 'phase1-single-account') buildPhase1(app);
  else buildPhase2(app);
  app.synth();
  return dir;
}

/** The five views of the reference architecture, from its two assemblies. */
export function referenceViews(phase1Dir: string, phase2Dir: string): DiagramView[] {
  const phase1: ArchitectureFacts = architectureFacts(readAssembly(phase1Dir));
  const phase2: ArchitectureFacts = architectureFacts(readAssembly(phase2Dir));
  return [
    phase1View(phase1),
    organizationView(phase2),
    networkView(phase1, 'production'),
    securityView(phase1, 'production'),
    deployOrderView(appCriticalPath(phase1Dir), 'Phase 1 deploy order'),
  ];
}

/** The Markdown block between the markers in docs/architecture.md. */
export function architectureBlock(views: readonly DiagramView[]): string {
  const parts = [
    BEGIN_MARKER,
    '',
    'Generated from the synthesized reference apps (`examples/phase1-single-account`, `examples/phase2-multi-account`)',
    'by `npx ts-node -P tsconfig.dev.json scripts/diagrams.ts`; do not edit by hand. Each view is also an SVG in',
    '[`docs/diagrams/`](diagrams/).',
  ];
  for (const view of views) {
    parts.push('', `### ${view.title}`, '', `[SVG](diagrams/${view.id}.svg)`, '', '```mermaid', renderMermaid(view).trimEnd(), '```');
  }
  parts.push('', END_MARKER);
  return parts.join('\n');
}

/** Replaces the block between the markers (appends a section when absent). */
export function withArchitectureBlock(doc: string, block: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin >= 0 && end > begin) return `${doc.slice(0, begin)}${block}${doc.slice(end + END_MARKER.length)}`;
  return `${doc.trimEnd()}\n\n## Diagrams\n\n${block}\n`;
}

/** Every generated file: path -> content. */
export async function generatedDiagramFiles(phase1Dir: string, phase2Dir: string): Promise<Map<string, string>> {
  const views = referenceViews(phase1Dir, phase2Dir);
  const files = new Map<string, string>();
  for (const view of views) {
    files.set(path.join(DIAGRAM_DIR, `${view.id}.mmd`), renderMermaid(view));
    files.set(path.join(DIAGRAM_DIR, `${view.id}.svg`), await renderSvg(view));
  }
  files.set(ARCHITECTURE_DOC, withArchitectureBlock(fs.readFileSync(ARCHITECTURE_DOC, 'utf-8'), architectureBlock(views)));
  return files;
}
