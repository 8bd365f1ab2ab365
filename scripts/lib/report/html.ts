/**
 * The report page as one self-contained HTML document: inline CSS, inline
 * SVG, no script, and a Content-Security-Policy that forbids loading
 * anything (a stray external reference becomes a console error the headless
 * check catches). No timestamp and no absolute path, so two runs diff clean.
 */
import { formatDuration } from '../deploy-model';
import { Acknowledgment, Finding, PACKS, ReportData, StackRow, UNTAGGED } from './data';
import { DiagramView } from '../diagram/graph';

/** A rendered view: the model (for its group IDs) and its Graphviz SVG. */
export interface RenderedView {
  readonly view: DiagramView;
  readonly svg: string;
  /** The environment it belongs to; undefined for a view of the whole app. */
  readonly environment?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An ID for an environment's section. */
export function sectionId(environment: string): string {
  return environment === UNTAGGED ? 'env-untagged' : `env-${environment.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/**
 * Graphviz's SVG made fit to inline: no XML prolog, DOCTYPE or comments, and
 * every `id` prefixed with the view's ID, as several views share group and
 * node IDs (`group_vpc`) and a page's IDs must be unique.
 */
export function inlineSvg(viewId: string, svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error(`${viewId}: not an SVG document`);
  return svg.slice(start)
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .replace(/ id="([^"]*)"/g, (_, id) => ` id="${viewId}--${id}"`)
    .replace(/(xlink:href|href)="#([^"]*)"/g, (_, attr, id) => `${attr}="#${viewId}--${id}"`)
    .trimEnd();
}

const usd = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
const sum = (rows: readonly StackRow[], f: (r: StackRow) => number) => rows.reduce((n, r) => n + f(r), 0);

function figure(r: RenderedView): string {
  const groups = r.view.groups.map((g) => g.id).join(' ');
  return [
    `<figure class="diagram" id="view-${r.view.id}" data-view="${escapeHtml(r.view.id)}" data-groups="${escapeHtml(groups)}">`,
    inlineSvg(r.view.id, r.svg),
    `<figcaption>${escapeHtml(r.view.title)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

function stackTable(rows: readonly StackRow[], findings: readonly Finding[], acks: readonly Acknowledgment[]): string {
  const out = [
    '<table class="stacks">',
    '<thead><tr><th>stack</th><th>region</th><th class="n">resources</th><th class="n">Lambda-backed custom resources</th>'
      + '<th class="n">providers</th><th class="n">template KB</th><th class="n">USD/month</th><th class="n">unacknowledged</th>'
      + '<th class="n">acknowledgments</th></tr></thead>',
    '<tbody>',
  ];
  for (const r of rows) {
    const f = findings.filter((x) => x.stack === r.stack).length;
    const a = acks.filter((x) => x.stack === r.stack).reduce((n, x) => n + x.paths.length, 0);
    out.push(`<tr class="stack-row" data-stack="${escapeHtml(r.stack)}"><td>${escapeHtml(r.stack)}</td><td>${escapeHtml(r.region)}</td>`
      + `<td class="n">${r.resources}</td><td class="n">${r.lambdaBackedCustomResources}</td><td class="n">${r.customResourceProviders}</td>`
      + `<td class="n">${r.templateKb.toFixed(1)}</td><td class="n">${usd(r.monthlyUsd)}</td>`
      + `<td class="n${f > 0 ? ' bad' : ''}">${f}</td><td class="n">${a}</td></tr>`);
  }
  out.push('</tbody>');
  out.push(`<tfoot><tr><td>total</td><td></td><td class="n">${sum(rows, (r) => r.resources)}</td>`
    + `<td class="n">${sum(rows, (r) => r.lambdaBackedCustomResources)}</td><td class="n">${sum(rows, (r) => r.customResourceProviders)}</td>`
    + `<td class="n">${sum(rows, (r) => r.templateKb).toFixed(1)}</td><td class="n">${usd(sum(rows, (r) => r.monthlyUsd ?? 0))}</td>`
    + `<td class="n">${findings.filter((x) => rows.some((r) => r.stack === x.stack)).length}</td>`
    + `<td class="n">${acks.filter((x) => rows.some((r) => r.stack === x.stack)).reduce((n, x) => n + x.paths.length, 0)}</td></tr></tfoot>`);
  out.push('</table>');
  return out.join('\n');
}

function complianceBlock(data: ReportData, findings: readonly Finding[], acks: readonly Acknowledgment[]): string {
  if (!data.packsRan) return '<p class="bad">The cdk-nag packs did not run: the assembly has no validation-report.json.</p>';
  const out = ['<table class="compliance"><thead><tr><th>pack</th><th class="n">unacknowledged findings</th>'
    + '<th class="n">acknowledged (rule, reason) pairs</th><th class="n">constructs acknowledged</th></tr></thead><tbody>'];
  for (const pack of [...PACKS, 'other']) {
    const f = findings.filter((x) => x.pack === pack).length;
    const a = acks.filter((x) => x.pack === pack);
    if (pack === 'other' && f === 0 && a.length === 0) continue;
    out.push(`<tr data-pack="${pack}"><td>${pack}</td><td class="n${f > 0 ? ' bad' : ''}">${f}</td><td class="n">${a.length}</td>`
      + `<td class="n">${a.reduce((n, x) => n + x.paths.length, 0)}</td></tr>`);
  }
  out.push('</tbody></table>');
  if (findings.length > 0) {
    out.push('<h4>Unacknowledged findings</h4>', '<ul class="findings">');
    for (const f of findings) out.push(`<li class="bad"><code>${escapeHtml(f.rule)}</code> at <code>${escapeHtml(f.path)}</code></li>`);
    out.push('</ul>');
  } else {
    out.push('<p class="good">No unacknowledged finding.</p>');
  }
  if (acks.length > 0) {
    out.push(`<details class="acknowledgments"><summary>Acknowledgments with their reasons (${acks.length}): `
      + 'each rule is acknowledged on the constructs named and everything below them</summary>',
    '<table><thead><tr><th>rule</th><th>reason</th><th>on</th></tr></thead><tbody>');
    for (const a of acks) {
      const shown = a.paths.slice(0, 3).map((p) => `<code>${escapeHtml(p)}</code>`).join('<br>');
      const more = a.paths.length > 3 ? `<br>and ${a.paths.length - 3} more` : '';
      out.push(`<tr><td><code>${escapeHtml(a.rule)}</code></td><td>${escapeHtml(a.reason)}</td><td>${shown}${more}</td></tr>`);
    }
    out.push('</tbody></table></details>');
  }
  return out.join('\n');
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1400px;padding:1rem 2rem;color:#16191f;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #e9ebed;padding-bottom:.2rem;margin-top:2.2rem}
nav a{margin-right:1rem}table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d1d5db;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f2f3f3}
td.n,th.n{text-align:right}tfoot td{font-weight:600}.bad{color:#b0001e;font-weight:600}.good{color:#1d8102}
figure.diagram{margin:1rem 0;overflow-x:auto;border:1px solid #e9ebed;padding:.5rem}figure.diagram svg{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:#5f6b7a}code{font-size:.85em}details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}
.summary td:first-child{font-weight:600}
`.trim();

/** The page. */
export function renderReportHtml(data: ReportData, views: readonly RenderedView[]): string {
  const appViews = views.filter((v) => v.environment === undefined && v.view.id !== 'deploy-order');
  const deployView = views.find((v) => v.view.id === 'deploy-order');
  const cp = data.criticalPath;
  const packsLine = data.packsRan
    ? `${data.findings.length} unacknowledged finding(s), ${data.acknowledgments.reduce((n, a) => n + a.paths.length, 0)} acknowledgment(s) with reasons`
    : 'not run';
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(data.title)}</h1>`,
    '<p>Generated from the synthesized cloud assembly by <code>scripts/lib/report</code> (<code>npm run reference</code>); '
      + 'costs are estimates at list prices (<code>src/cost</code>, docs/cost.md), deploy times come from the bench\'s model '
      + '(<code>scripts/lib/deploy-model.ts</code>).</p>',
    '<nav>',
    '<a href="#summary">Summary</a><a href="#architecture">Architecture</a><a href="#deploy">Deploy critical path</a>',
    ...data.environments.map((e) => `<a href="#${sectionId(e)}">${escapeHtml(e)}</a>`),
    '<a href="#validators">Validators</a>',
    '</nav>',
    '<section id="summary">',
    '<h2>Summary</h2>',
    '<table class="summary"><tbody>',
    `<tr><td>stacks</td><td>${data.stacks.length} in ${data.environments.length} environment group(s)</td></tr>`,
    `<tr><td>resources</td><td>${sum(data.stacks, (s) => s.resources)}, of which ${sum(data.stacks, (s) => s.lambdaBackedCustomResources)} `
      + `Lambda-backed custom resources (${sum(data.stacks, (s) => s.customResourceProviders)} providers)</td></tr>`,
    `<tr><td>templates</td><td>${sum(data.stacks, (s) => s.templateKb).toFixed(1)} KB</td></tr>`,
    `<tr><td>monthly cost</td><td>USD ${usd(data.cost.totalMonthlyUsd)} (estimate for ${escapeHtml(String(data.cost.asOf))}, `
      + `${data.cost.source === 'computed' ? 'computed from the templates' : 'from cost-estimate.json'})</td></tr>`,
    `<tr><td>cdk-nag (${PACKS.join(', ')})</td><td class="${data.findings.length > 0 || !data.packsRan ? 'bad' : 'good'}">${packsLine}</td></tr>`,
    ...data.validators.map((v) => `<tr><td>${v.name}</td><td class="${v.status === 'failed' ? 'bad' : v.status === 'passed' ? 'good' : ''}">`
      + `${escapeHtml(v.summary)}</td></tr>`),
    `<tr><td>first deploy</td><td>about ${formatDuration(cp.seconds)} along ${cp.chain.map((c) => escapeHtml(c.stack)).join(' &rarr; ')}</td></tr>`,
    '</tbody></table>',
    '<table class="environments"><thead><tr><th>environment</th><th class="n">stacks</th><th class="n">resources</th>'
      + '<th class="n">custom resources</th><th class="n">template KB</th><th class="n">USD/month</th><th class="n">unacknowledged</th></tr></thead><tbody>',
  ];
  for (const env of data.environments) {
    const rows = data.stacks.filter((s) => s.environment === env);
    const f = data.findings.filter((x) => rows.some((r) => r.stack === x.stack)).length;
    out.push(`<tr data-environment="${escapeHtml(env)}"><td><a href="#${sectionId(env)}">${escapeHtml(env)}</a></td><td class="n">${rows.length}</td>`
      + `<td class="n">${sum(rows, (r) => r.resources)}</td><td class="n">${sum(rows, (r) => r.lambdaBackedCustomResources)}</td>`
      + `<td class="n">${sum(rows, (r) => r.templateKb).toFixed(1)}</td><td class="n">${usd(sum(rows, (r) => r.monthlyUsd ?? 0))}</td>`
      + `<td class="n${f > 0 ? ' bad' : ''}">${f}</td></tr>`);
  }
  out.push('</tbody></table>', '</section>');

  out.push('<section id="architecture">', '<h2>Architecture</h2>');
  if (appViews.length === 0) out.push('<p>No platform environment in this app: no architecture view applies.</p>');
  for (const v of appViews) out.push(figure(v));
  out.push('</section>');

  out.push('<section id="deploy">', '<h2>Deploy critical path</h2>',
    `<p>A first deploy takes about <strong>${formatDuration(cp.seconds)}</strong>: each stack starts once the stacks it depends on are done.</p>`,
    '<ol class="critical-path">');
  for (const c of cp.chain) out.push(`<li><code>${escapeHtml(c.stack)}</code>: ${formatDuration(c.seconds)}</li>`);
  out.push('</ol>');
  if (deployView) out.push(figure(deployView));
  out.push('<details><summary>Every stack: its own time and when it finishes</summary>',
    '<table><thead><tr><th>stack</th><th>waits for</th><th class="n">own</th><th class="n">done at</th><th>longest resource chain</th></tr></thead><tbody>');
  for (const s of cp.perStack) {
    const chain = s.chain.slice(-4).map((l) => `${escapeHtml(l.logicalId)} (${escapeHtml(l.type)}, ${formatDuration(l.seconds)})`);
    out.push(`<tr><td>${escapeHtml(s.stack)}</td><td>${s.dependsOn.map(escapeHtml).join(', ')}</td><td class="n">${formatDuration(s.seconds)}</td>`
      + `<td class="n">${formatDuration(s.finishesAtSeconds)}</td><td>${s.chain.length > 4 ? '&hellip; ' : ''}${chain.join(' &rarr; ')}</td></tr>`);
  }
  out.push('</tbody></table></details>', '</section>');

  for (const env of data.environments) {
    const rows = data.stacks.filter((s) => s.environment === env);
    const findings = data.findings.filter((x) => rows.some((r) => r.stack === x.stack));
    const acks = data.acknowledgments.filter((x) => rows.some((r) => r.stack === x.stack));
    out.push(`<section class="environment" id="${sectionId(env)}" data-environment="${escapeHtml(env)}">`,
      `<h2>${env === UNTAGGED ? 'Stacks without an environment tag' : `Environment: ${escapeHtml(env)}`}</h2>`);
    for (const v of views.filter((x) => x.environment === env)) out.push(figure(v));
    out.push('<h3>Stacks</h3>', stackTable(rows, findings, acks));
    out.push('<h3>Compliance</h3>', complianceBlock(data, findings, acks));
    out.push('</section>');
  }
  const orphans = data.findings.filter((f) => !data.stacks.some((s) => s.stack === f.stack));
  if (orphans.length > 0) {
    out.push('<section id="app-findings">', '<h2>Findings outside any stack</h2>', '<ul class="findings">');
    for (const f of orphans) out.push(`<li class="bad"><code>${escapeHtml(f.rule)}</code> at <code>${escapeHtml(f.path)}</code></li>`);
    out.push('</ul>', '</section>');
  }

  out.push('<section id="validators">', '<h2>Validators</h2>',
    '<p>cfn-lint and checkov over this assembly\'s templates (<code>npx projen validate</code>), read from its '
      + '<code>validators/</code> directory when a run left its output there.</p>',
    '<table><thead><tr><th>validator</th><th>result</th><th>summary</th></tr></thead><tbody>');
  for (const v of data.validators) {
    out.push(`<tr data-validator="${v.name}"><td>${v.name}</td><td class="${v.status === 'failed' ? 'bad' : v.status === 'passed' ? 'good' : ''}">`
      + `${v.status}</td><td>${escapeHtml(v.summary)}</td></tr>`);
  }
  out.push('</tbody></table>');
  for (const v of data.validators.filter((x) => x.details.length > 0)) {
    out.push(`<details><summary>${v.name}: ${v.details.length} line(s)</summary><ul>`);
    for (const d of v.details) out.push(`<li><code>${escapeHtml(d)}</code></li>`);
    out.push('</ul></details>');
  }
  out.push('</section>', '</body>', '</html>', '');
  return out.join('\n');
}
