import { IConstruct } from 'constructs';
import type { AllowToOptions } from './allow-flow';
import type { MeshedService } from './meshed-service';
import { HBONE_PORT, tunnelledOverHbone } from '../model/_constants';
import { ruleMessage } from '../rules/_catalog';
import { addToList } from '../util/_collections';

/** One declared flow: `from` may open TCP connections to `to` on `ports`. */
export interface Flow {
  readonly from: MeshedService;
  readonly to: MeshedService;
  /** Sorted, distinct app ports. */
  readonly ports: number[];
}

/** Merges a second declaration of the same flow: the union of both port lists, sorted. */
export function mergeFlows(a: Flow, b: Flow): Flow {
  return { from: a.from, to: a.to, ports: sortedUnique([...a.ports, ...b.ports]) };
}

/**
 * The ports a NetworkPolicy must open for a flow: its app ports, plus HBONE 15008 when ambient mode tunnels it.
 * Ambient traffic between meshed pods reaches the server on 15008 and is then proxied to the app port inside
 * the pod, while NetworkPolicy is enforced outside the pod; Istio's guide says to allow both.
 * Ambient is involved when either end is ambient and both ends are in the mesh.
 */
export function networkPorts(flow: Flow): number[] {
  const hbone = tunnelledOverHbone(flow.from.namespace.mesh, flow.to.namespace.mesh);
  return hbone ? sortedUnique([...flow.ports, HBONE_PORT]) : flow.ports;
}

export function sortedUnique(ports: number[]): number[] {
  return [...new Set(ports)].sort((x, y) => x - y);
}

/** Groups items by a string key, returning the groups sorted by key. */
export function groupSorted<T>(items: T[], key: (item: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    addToList(groups, key(item), item);
  }
  return [...groups.entries()].sort(([x], [y]) => compareStrings(x, y));
}

/** Byte-order string comparison, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks one flow declaration against both ends and returns its ports; throws a rule message naming `declaredBy()`,
 * which is built only then: construct paths are costly to build for every flow of a large app.
 */
export function validateFlow(declaredBy: () => string, from: MeshedService, to: MeshedService, options: AllowToOptions): number[] {
  if (from === to && !options.allowSelf) {
    throw new Error(ruleMessage('ZT101', declaredBy(), `a flow from ${from.name} to itself`, 'Pass `allowSelf: true` if its replicas must call each other, or fix the target.'));
  }
  if (rootOf(from) !== rootOf(to)) {
    throw new Error(ruleMessage('ZT103', declaredBy(), `${to.node.path} belongs to another app`, 'Declare both services in the same cdk8s App.'));
  }
  if (from.namespace.trustDomain !== to.namespace.trustDomain) {
    throw new Error(ruleMessage('ZT106', declaredBy(),
      `${from.name} is in trust domain "${from.namespace.trustDomain}" and ${to.name} in "${to.namespace.trustDomain}"`,
      'Put both namespaces in the same trust domain.'));
  }
  if (!from.namespace.meshed && to.namespace.meshed) {
    throw new Error(ruleMessage('ZT107', declaredBy(),
      `${from.name} is in namespace "${from.namespace.name}", which is outside the mesh, so it has no mTLS identity and ${to.name}'s STRICT mTLS would refuse it`,
      `Put namespace "${from.namespace.name}" in the mesh (MeshMode.SIDECAR or AMBIENT).`));
  }
  const exposed = to.ports.map(p => p.port);
  const ports = options.ports ?? exposed;
  if (ports.length === 0) {
    throw new Error(ruleMessage('ZT105', declaredBy(), 'the flow has no ports', `Give at least one of ${to.name}'s ports (${exposed.join(', ')}), or omit \`ports\` for all of them.`));
  }
  for (const port of ports) {
    if (!exposed.includes(port)) {
      throw new Error(ruleMessage('ZT104', declaredBy(), `port ${port} is not a port of ${to.name} (ports: ${exposed.join(', ')})`, 'Declare it on the MeshedService or drop it from the flow.'));
    }
  }
  return ports;
}

/** The root of a construct's tree, without building the list of its scopes. */
function rootOf(c: IConstruct): IConstruct {
  let root = c;
  while (root.node.scope) root = root.node.scope;
  return root;
}
