/**
 * SVG of a view through Graphviz compiled to WebAssembly (@viz-js/viz): no
 * native binary, no browser, no fonts read from the machine (Graphviz's
 * built-in metrics size the text), so the same view gives the same bytes
 * on every machine. See docs/decisions/0029.
 */
import { DiagramGroup, DiagramView, EdgeKind, NodeKind } from './graph';

const FILL: Record<NodeKind, [string, string]> = {
  actor: ['#ffffff', '#232f3e'],
  edge: ['#f3e8fd', '#8c4fff'],
  network: ['#e8f1fd', '#3f8ae2'],
  compute: ['#fdf0e3', '#ed7100'],
  addon: ['#fff8e6', '#c9892b'],
  database: ['#e8f3fd', '#2e73b8'],
  storage: ['#e9f7ec', '#3f8624'],
  security: ['#fdeaea', '#dd344c'],
  identity: ['#fdeaea', '#bf0816'],
  operations: ['#fcebf4', '#e7157b'],
  stack: ['#f5f5f5', '#7d8998'],
};

const GROUP_COLOR: Record<DiagramGroup['kind'], [string, string]> = {
  organization: ['#232f3e', 'solid'],
  unit: ['#7d8998', 'dashed'],
  account: ['#e7157b', 'solid'],
  region: ['#00a4a6', 'dashed'],
  environment: ['#7d8998', 'solid'],
  vpc: ['#7aa116', 'solid'],
  tier: ['#7aa116', 'dashed'],
  cluster: ['#ed7100', 'solid'],
  zone: ['#7d8998', 'dashed'],
  layer: ['#dd344c', 'solid'],
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  request: 'color="#232f3e"',
  data: 'color="#2e73b8"',
  logs: 'color="#e7157b", style=dashed',
  backup: 'color="#3f8624", style=dashed',
  deploy: 'color="#8c4fff"',
  control: 'color="#7d8998"',
  critical: 'color="#dd344c", penwidth=3',
};

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * One screen (1920 x 1080 px, 1440 x 810 pt) in Graphviz's inches: a larger
 * drawing is scaled down to fit, so every view reads without scrolling.
 */
export const SCREEN_INCHES = '20,11.25';

/** The view as Graphviz DOT. */
export function renderDot(view: DiagramView): string {
  const lines = [
    `digraph "${view.id}" {`,
    `  graph [rankdir=${view.direction}, compound=true, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.5, size="${SCREEN_INCHES}", `
      + `label=<<b>${html(view.title)}</b>>, labelloc=t];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.2,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const emitNodes = (group: string | undefined, indent: string) => {
    for (const n of view.nodes.filter((x) => x.group === group)) {
      const [fill, stroke] = FILL[n.kind];
      const label = [`<b>${html(n.label)}</b>`, ...n.details.map(html)].join('<br/>');
      const shape = n.kind === 'database' ? ', shape=cylinder, style=filled' : n.kind === 'actor' ? ', shape=ellipse, style=filled' : '';
      lines.push(`${indent}"${n.id}" [id="node_${n.id}", label=<${label}>, fillcolor="${fill}", color="${stroke}"${shape}];`);
    }
  };
  const emitGroup = (g: DiagramGroup, indent: string) => {
    const [color, style] = GROUP_COLOR[g.kind];
    lines.push(`${indent}subgraph "cluster_${g.id}" {`);
    lines.push(`${indent}  id="group_${g.id}"; label=<${html(g.label)}>; color="${color}"; style="${style},rounded"; fontsize=11;`);
    emitNodes(g.id, `${indent}  `);
    const children = view.groups.filter((c) => c.parent === g.id);
    // Graphviz drops an empty cluster; an invisible point keeps the box (a tier with nothing drawn in it).
    if (children.length === 0 && !view.nodes.some((n) => n.group === g.id)) lines.push(`${indent}  "${g.id}_empty" [label="", shape=point, style=invis];`);
    for (const child of children) emitGroup(child, `${indent}  `);
    lines.push(`${indent}}`);
  };
  emitNodes(undefined, '  ');
  for (const g of view.groups.filter((x) => x.parent === undefined)) emitGroup(g, '  ');
  for (const e of view.edges) {
    lines.push(`  "${e.from}" -> "${e.to}" [${EDGE_STYLE[e.kind]}${e.label ? `, label=<${html(e.label)}>` : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The view as SVG (Graphviz `dot` layout in WebAssembly). */
export async function renderSvg(view: DiagramView): Promise<string> {
  // The package's CommonJS build (its types describe the ES module only).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { instance } = require('@viz-js/viz') as { instance: () => Promise<{ renderString(dot: string, options: object): string }> };
  const viz = await instance();
  return viz.renderString(renderDot(view), { format: 'svg', engine: 'dot' });
}
