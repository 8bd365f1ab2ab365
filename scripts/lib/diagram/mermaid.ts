/**
 * Mermaid flowchart text of a view: subgraphs for groups, one class per
 * node kind, dashed arrows for logs and backups, thick ones for the critical
 * path. GitHub renders it in Markdown without any tool.
 */
import { DiagramGroup, DiagramView, EdgeKind, NodeKind } from './graph';

const NODE_STYLE: Record<NodeKind, string> = {
  actor: 'fill:#ffffff,stroke:#232f3e,stroke-width:2px',
  edge: 'fill:#f3e8fd,stroke:#8c4fff',
  network: 'fill:#e8f1fd,stroke:#3f8ae2',
  compute: 'fill:#fdf0e3,stroke:#ed7100',
  addon: 'fill:#fff8e6,stroke:#c9892b',
  database: 'fill:#e8f3fd,stroke:#2e73b8',
  storage: 'fill:#e9f7ec,stroke:#3f8624',
  security: 'fill:#fdeaea,stroke:#dd344c',
  identity: 'fill:#fdeaea,stroke:#bf0816',
  operations: 'fill:#fcebf4,stroke:#e7157b',
  stack: 'fill:#f5f5f5,stroke:#7d8998',
};

const ARROW: Record<EdgeKind, string> = {
  request: '-->',
  data: '-->',
  logs: '-.->',
  backup: '-.->',
  deploy: '-->',
  control: '-->',
  critical: '==>',
};

/** `kind-edge`: clear of Mermaid's own CSS classes (`.edge`, `.node`). */
function className(kind: NodeKind): string {
  return `kind-${kind}`;
}

function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function nodeText(label: string, details: readonly string[]): string {
  return [`<b>${escape(label)}</b>`, ...details.map(escape)].join('<br/>');
}

/** The view as a Mermaid `flowchart`. */
export function renderMermaid(view: DiagramView): string {
  const lines: string[] = [`flowchart ${view.direction}`];
  const children = (parent: string | undefined) => view.groups.filter((g) => g.parent === parent);
  const nodesIn = (group: string | undefined) => view.nodes.filter((n) => n.group === group);
  const emitNodes = (group: string | undefined, indent: string) => {
    for (const n of nodesIn(group)) {
      const text = nodeText(n.label, n.details);
      const shape = n.kind === 'database' ? `[("${text}")]` : n.kind === 'actor' ? `(["${text}"])` : `["${text}"]`;
      lines.push(`${indent}${n.id}${shape}`);
    }
  };
  const emitGroup = (g: DiagramGroup, indent: string) => {
    lines.push(`${indent}subgraph ${g.id}["${escape(g.label)}"]`);
    emitNodes(g.id, `${indent}  `);
    for (const child of children(g.id)) emitGroup(child, `${indent}  `);
    lines.push(`${indent}end`);
  };
  emitNodes(undefined, '  ');
  for (const g of children(undefined)) emitGroup(g, '  ');
  for (const e of view.edges) {
    lines.push(`  ${e.from} ${ARROW[e.kind]}${e.label ? `|"${escape(e.label)}"|` : ''} ${e.to}`);
  }
  const kinds = [...new Set(view.nodes.map((n) => n.kind))];
  for (const kind of kinds) lines.push(`  classDef ${className(kind)} ${NODE_STYLE[kind]}`);
  for (const kind of kinds) lines.push(`  class ${view.nodes.filter((n) => n.kind === kind).map((n) => n.id).join(',')} ${className(kind)}`);
  for (const g of view.groups) lines.push(`  style ${g.id} ${GROUP_STYLE[g.kind]}`);
  return `${lines.join('\n')}\n`;
}

const GROUP_STYLE: Record<DiagramGroup['kind'], string> = {
  organization: 'fill:#ffffff,stroke:#232f3e,stroke-width:2px',
  unit: 'fill:#fafafa,stroke:#7d8998,stroke-dasharray: 4 3',
  account: 'fill:#ffffff,stroke:#e7157b,stroke-width:2px',
  region: 'fill:#ffffff,stroke:#00a4a6,stroke-dasharray: 5 3',
  environment: 'fill:#fbfbfb,stroke:#7d8998',
  vpc: 'fill:#f2f8ee,stroke:#7aa116',
  tier: 'fill:#ffffff,stroke:#7aa116,stroke-dasharray: 3 3',
  cluster: 'fill:#fff8f0,stroke:#ed7100',
  zone: 'fill:#ffffff,stroke:#7d8998,stroke-dasharray: 3 3',
  layer: 'fill:#fff5f5,stroke:#dd344c',
};

export { NODE_STYLE, GROUP_STYLE };
