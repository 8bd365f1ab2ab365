/**
 * The diagram model: groups (nested boxes), nodes and edges. Views build one
 * from the assembly's facts; renderers turn it into Mermaid or Graphviz.
 * Order is meaningful: renderers emit in insertion order, so the same facts
 * always give the same text.
 */

/** What a node stands for; renderers pick its shape and colour from this. */
export type NodeKind = 'actor' | 'edge' | 'network' | 'compute' | 'addon' | 'database' | 'storage' | 'security' | 'identity' | 'operations' | 'stack';

/** What a group stands for. */
export type GroupKind = 'organization' | 'unit' | 'account' | 'region' | 'environment' | 'vpc' | 'tier' | 'cluster' | 'zone' | 'layer';

/** What an edge carries. */
export type EdgeKind = 'request' | 'data' | 'logs' | 'backup' | 'deploy' | 'control' | 'critical';

export interface DiagramGroup {
  readonly id: string;
  readonly label: string;
  readonly kind: GroupKind;
  readonly parent?: string;
}

export interface DiagramNode {
  readonly id: string;
  /** First line: what it is. */
  readonly label: string;
  /** Further lines: its settings. */
  readonly details: readonly string[];
  readonly kind: NodeKind;
  readonly group?: string;
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly kind: EdgeKind;
}

/** One picture. */
export interface DiagramView {
  /** File name stem (`phase1-account`). */
  readonly id: string;
  readonly title: string;
  /** Left to right or top to bottom. */
  readonly direction: 'LR' | 'TB';
  readonly groups: readonly DiagramGroup[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

/** Builds a view, refusing dangling references and duplicate IDs. */
export class ViewBuilder {
  private readonly groups: DiagramGroup[] = [];
  private readonly nodes: DiagramNode[] = [];
  private readonly edges: DiagramEdge[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly id: string, private readonly title: string, private readonly direction: 'LR' | 'TB' = 'LR') {}

  group(id: string, label: string, kind: GroupKind, parent?: string): string {
    this.claim(id);
    if (parent !== undefined && !this.groups.some((g) => g.id === parent)) throw new Error(`${this.id}: group ${id} has unknown parent ${parent}`);
    this.groups.push({ id, label, kind, parent });
    return id;
  }

  node(id: string, kind: NodeKind, label: string, details: readonly string[] = [], group?: string): string {
    this.claim(id);
    if (group !== undefined && !this.groups.some((g) => g.id === group)) throw new Error(`${this.id}: node ${id} has unknown group ${group}`);
    this.nodes.push({ id, label, details: details.filter((d) => d.length > 0), kind, group });
    return id;
  }

  edge(from: string, to: string, kind: EdgeKind, label?: string): void {
    for (const end of [from, to]) {
      if (!this.nodes.some((n) => n.id === end)) throw new Error(`${this.id}: edge ${from} -> ${to} names unknown node ${end}`);
    }
    this.edges.push({ from, to, kind, label });
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  build(): DiagramView {
    return { id: this.id, title: this.title, direction: this.direction, groups: [...this.groups], nodes: [...this.nodes], edges: [...this.edges] };
  }

  private claim(id: string): void {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(id)) throw new Error(`${this.id}: ID ${id} must be alphanumeric (Mermaid and DOT IDs)`);
    if (this.ids.has(id)) throw new Error(`${this.id}: duplicate ID ${id}`);
    this.ids.add(id);
  }
}
