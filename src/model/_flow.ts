// The declared flow graph's vocabulary, shared by the renderer and the ZT416 proof.
import { HBONE_PORT, tunnelledOverHbone } from './_constants';
import { PortRequests, mergeRequests } from './_request-rules';
import { MeshMode } from './mesh-mode';
import { sortedUnique } from '../util/_collections';

/** What the flow model needs of a service's namespace. */
export interface FlowNamespace {
  readonly name: string;
  readonly mesh: MeshMode;
  readonly trustDomain: string;
  /** Whether its workloads are in the mesh. */
  readonly meshed: boolean;
}

/** One end of a flow: a service, by its pods' selector and its identity. MeshedService is one. */
export interface FlowEnd {
  readonly name: string;
  readonly namespace: FlowNamespace;
  /** The labels that select its pods. */
  readonly selector: { readonly [key: string]: string };
  /** Its Istio principal, `<trust-domain>/ns/<ns>/sa/<sa>`. */
  readonly principal: string;
}

/** One declared flow: `from` may open TCP connections to `to` on `ports`. */
export interface Flow {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  /** Sorted, distinct app ports. */
  readonly ports: number[];
  /** The requests admitted on the ports narrowed by HTTP rules; the other ports admit every request. */
  readonly requests?: PortRequests;
}

/** Merges a second declaration of the same flow: the union of both port lists, sorted, and of their request rules. */
export function mergeFlows(a: Flow, b: Flow): Flow {
  const requests = mergeRequests(a.ports, a.requests, b.ports, b.requests);
  return { from: a.from, to: a.to, ports: sortedUnique([...a.ports, ...b.ports]), ...requests ? { requests } : {} };
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
