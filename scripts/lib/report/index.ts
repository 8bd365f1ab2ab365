/**
 * The report page a reviewer opens before approving a deploy: one
 * self-contained HTML file written into a cloud assembly (`report.html`),
 * with the architecture views that apply to the app, and per environment
 * its stacks, cost, compliance summary and diagrams, the validators'
 * results and the deploy critical path. `scripts/reference.ts` writes one
 * per reference app; `scripts/check-report.ts` opens it in headless
 * Chromium. See docs/decisions/0029-architecture-diagrams.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../assembly';
import { appCriticalPath } from '../deploy-model';
import { architectureFacts, deployOrderView, networkView, organizationView, phase1View, readAssembly, renderSvg, securityView } from '../diagram';
import { reportData } from './data';
import { renderReportHtml, RenderedView } from './html';
import { DiagramView } from '../diagram/graph';

export * from './data';
export * from './html';

/** The page's file name inside the assembly. */
export const REPORT_FILE = 'report.html';

/** The views that apply to the app in `dir`: the app's picture, the deploy order, and each environment's network and security layers. */
export function reportViews(dir: string): Array<{ view: DiagramView; environment?: string }> {
  const facts = architectureFacts(readAssembly(dir));
  const views: Array<{ view: DiagramView; environment?: string }> = [];
  if (facts.organization) views.push({ view: organizationView(facts) });
  else if (facts.environments.length > 0) views.push({ view: phase1View(facts) });
  views.push({ view: deployOrderView(appCriticalPath(dir)) });
  for (const env of [...facts.environments].sort((a, b) => a.name.localeCompare(b.name))) {
    if (env.vpc) views.push({ view: networkView(facts, env.name), environment: env.name });
    views.push({ view: securityView(facts, env.name), environment: env.name });
  }
  return views;
}

/** The page's HTML for the assembly in `dir`. */
export async function reportHtml(dir: string, title: string): Promise<string> {
  const data = reportData(dir, title);
  const rendered: RenderedView[] = [];
  for (const v of reportViews(dir)) rendered.push({ ...v, svg: await renderSvg(v.view) });
  return renderReportHtml(data, rendered);
}

/** Writes `<dir>/report.html`; returns its path. */
export async function writeReportPage(dir: string, title: string): Promise<string> {
  const file = path.join(dir, REPORT_FILE);
  fs.writeFileSync(file, await reportHtml(dir, title));
  return file;
}

/**
 * The main job's call: a page per assembly (`[dir, title]`), their paths
 * printed last. An assembly that was not written (its synthesis failed
 * early) is skipped; false when a page could not be written.
 */
export async function writeReportPages(apps: ReadonlyArray<readonly [string, string]>): Promise<boolean> {
  const pages: string[] = [];
  let ok = true;
  for (const [dir, title] of apps) {
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) continue;
    try {
      pages.push(path.relative(REPO_ROOT, await writeReportPage(dir, title)));
    } catch (error) {
      console.error(`report page of ${path.relative(REPO_ROOT, dir)}/ failed: ${(error as Error).stack ?? error}`);
      ok = false;
    }
  }
  if (pages.length > 0) console.log(`\nReport page${pages.length > 1 ? 's' : ''} (self-contained HTML, opens without network):\n  ${pages.join('\n  ')}`);
  return ok;
}
