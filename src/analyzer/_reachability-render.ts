// The allowed-flow matrix and Mermaid diagram of a reachability analysis.
import { addToList } from '../util/_collections';

/** One allowed connection, as the renderers need it. */
interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
}

/** Allowed ports per (client, server), in flow order. */
function portsByPair(flows: Flow[]): Map<string, string[]> {
  const cells = new Map<string, string[]>();
  for (const f of flows) {
    const key = `${f.from} ${f.to}`;
    addToList(cells, key, `${f.port}/${f.protocol}`);
  }
  return cells;
}

/** A table: one row per client, one column per server, cells list the allowed ports. */
export function renderMatrix(pods: string[], flows: Flow[]): string {
  const cells = portsByPair(flows);
  const header = ['from \\ to', ...pods];
  const rows = pods.map(from => [from, ...pods.map(to => from === to ? '(self)' : cells.get(`${from} ${to}`)?.join(',') ?? '.')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A Mermaid flowchart: one node per pod, grouped by namespace, edges labelled `80/TCP`. */
export function renderMermaid(pods: string[], flows: Flow[]): string {
  const node = new Map(pods.map((id, i) => [id, `p${i}`]));
  const lines = ['flowchart LR'];
  const namespaces = [...new Set(pods.map(id => id.split('/')[0]))];
  namespaces.forEach((ns, i) => {
    lines.push(`  subgraph ns${i}["${ns}"]`);
    for (const id of pods.filter(p => p.startsWith(`${ns}/`))) lines.push(`    ${node.get(id)}["${id}"]`);
    lines.push('  end');
  });
  for (const [key, ports] of portsByPair(flows)) {
    const [from, to] = key.split(' ');
    lines.push(`  ${node.get(from)} -->|${ports.join(', ')}| ${node.get(to)}`);
  }
  return lines.join('\n') + '\n';
}
