/**
 * Writes (again) the report page of cloud assemblies: `report.html` in each
 * (scripts/lib/report). The main job (`npm run reference`) writes them; this
 * rewrites them after something added to an assembly, such as
 * scripts/validate.sh leaving the validators' output in `<assembly>/validators/`.
 * A page keeps the title it had.
 *
 *   report.ts [assembly dir...]   default: cdk.out cdk.out/phase2
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './lib/assembly';
import { REPORT_FILE, writeReportPages } from './lib/report';

const dirs = process.argv.slice(2).map((d) => path.resolve(d));
if (dirs.length === 0) dirs.push(path.join(REPO_ROOT, 'cdk.out'), path.join(REPO_ROOT, 'cdk.out', 'phase2'));
const apps = dirs.map((dir): [string, string] => {
  const page = path.join(dir, REPORT_FILE);
  const title = fs.existsSync(page) ? /<title>([^<]*)<\/title>/.exec(fs.readFileSync(page, 'utf-8'))?.[1] : undefined;
  // The title is HTML-escaped in the page and escaped again when written.
  const text = title?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return [dir, text ?? `Cloud assembly ${path.relative(REPO_ROOT, dir) || dir}`];
});
writeReportPages(apps).then((ok) => process.exit(ok ? 0 : 1), (error) => {
  console.error(error);
  process.exit(1);
});
