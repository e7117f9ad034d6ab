// ZT416: what the synthesized policies allow, read back by the reachability analyzer, must equal what was declared,
// on each side alone: the client's egress, the server's ingress and, in the mesh, the server's authorization.
import type { Rule } from '../analyzer/_network-policy-eval';
import { Reachability } from '../analyzer/reachability';
import { PodInput } from '../analyzer/reachability-input';
import { DNS_EGRESS, ISTIOD_EGRESS, InfrastructureEgress, WORKLOAD_LABEL, tunnelledOverHbone } from '../model/_constants';
import { FlowGraph } from '../model/_flow-graph';
import { ruleMessage } from '../rules/_catalog';
import { Finding } from '../rules/_manifest-rules';
import { compareStrings, addToList } from '../util/_collections';

/** A declared service, as the check needs it. */
export interface VerifiedService {
  /** `namespace/name`. */
  readonly key: string;
  readonly path: string;
}

/** A managed namespace: the infrastructure flows its own policies allow. */
export interface VerifiedNamespace {
  readonly path: string;
  readonly allowDns: boolean;
  readonly sidecar: boolean;
}

type Layer = 'egress' | 'ingress' | 'authorization';

/** At most this many differences are spelled out per side, so a broad hole gives a readable error. */
const SHOWN = 5;

/** What the check needs of a pod, looked up once. */
interface PodFacts {
  readonly id: string;
  readonly input: PodInput;
  /** Its namespace, when the library manages it. */
  readonly ns?: VerifiedNamespace;
  /** `namespace/name` of the service whose label it carries. */
  readonly service?: string;
  readonly mesh?: 'sidecar' | 'ambient';
}

interface Difference {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly actual: boolean;
}

/**
 * Checks every managed pod's three sides against the declared flows, at every port and protocol where a verdict can
 * change; candidate peers keep it linear in the flows.
 */
export function verifyDeclaredFlows(
  r: Reachability, pods: PodInput[], services: VerifiedService[], flows: FlowGraph, namespaces: Map<string, VerifiedNamespace>,
): Finding[] {
  const facts = new Map<string, PodFacts>();
  const podsOf = new Map<string, string[]>();
  for (const input of pods) {
    const id = `${input.namespace}/${input.name}`;
    const name = input.labels?.[WORKLOAD_LABEL];
    const service = name === undefined ? undefined : `${input.namespace}/${name}`;
    facts.set(id, { id, input, ns: namespaces.get(input.namespace), service, mesh: r._mesh(id) });
    if (service !== undefined) addToList(podsOf, service, id);
  }
  const byKey = new Map(services.map(s => [s.key, s]));

  /** The differences between what one layer allows from `a` to `b` and what the flows declare. */
  const compare = (layer: Layer, a: PodFacts, b: PodFacts, differing: Difference[], matching?: Rule[]): void => {
    const ports = a.service === undefined || b.service === undefined ? undefined : flows.ports(a.service, b.service);
    // HBONE hides the app port from NetworkPolicy: there it can only tell which pods may open the tunnel.
    const anyTcp = ports !== undefined && layer !== 'authorization' && tunnelledOverHbone(a.mesh, b.mesh);
    for (const { port, protocol, allowed } of r._verdicts(layer, a.id, b.id, matching)) {
      const expected = (protocol === 'TCP' && (anyTcp || ports?.includes(port) === true)) || infrastructure(a.ns, b.input, port, protocol);
      if (allowed !== expected) differing.push({ from: a.id, to: b.id, port, protocol, actual: allowed });
    }
  };

  const findings: Finding[] = [];
  for (const pod of facts.values()) {
    if (!pod.ns) continue;
    const service = pod.service === undefined ? undefined : byKey.get(pod.service);
    const servers = service === undefined ? [] : flows.servers(service.key).flatMap(s => podsOf.get(s) ?? []);
    const clients = pod.service === undefined ? [] : flows.clients(pod.service).flatMap(c => podsOf.get(c) ?? []);
    const sides: Array<[Layer, string[]]> = [['egress', servers], ['ingress', clients]];
    if (pod.mesh) sides.push(['authorization', clients]);
    for (const [layer, declaredPeers] of sides) {
      // The peers the layer may admit, found from its rules: every other pod is refused on every port.
      const matched = layer === 'authorization' ? undefined : r._peerRules(layer, pod.id);
      const candidates: Set<string> = (layer === 'authorization' ? r._principalPeers(pod.id) : matched && new Set(matched.keys()))
        ?? new Set(facts.keys());
      for (const p of declaredPeers) candidates.add(p);
      const differing: Difference[] = [];
      for (const id of candidates) {
        if (id === pod.id) continue;
        const peer = facts.get(id)!;
        const matching = matched && (matched.get(id) ?? []);
        if (layer === 'egress') compare(layer, pod, peer, differing, matching);
        else compare(layer, peer, pod, differing, matching);
      }
      if (differing.length > 0) {
        const path = service?.path ?? pod.ns.path;
        const text = (d: Difference) => `${d.from} -> ${d.to} on ${d.port}/${d.protocol}`;
        const shown = differing.sort((x, y) => compareStrings(text(x), text(y))).slice(0, SHOWN).map(d => {
          const why = r.explain(d)[layer].reasons.join('; ');
          return `${d.actual ? 'allows' : 'refuses'} ${text(d)}, which ${d.actual ? 'no flow declares' : 'a declared flow needs'} (${why})`;
        }).join('; ');
        const more = differing.length > SHOWN ? `; and ${differing.length - SHOWN} more` : '';
        findings.push({
          ruleId: 'ZT416',
          path,
          message: ruleMessage('ZT416', path, `the ${layer} of ${pod.id} differs from the declared flows: it ${shown}${more}`,
            'Remove or fix the object that opens it, declare the flow, or suppress ZT416 on the service with a reason'),
        });
      }
    }
  }
  return findings;
}

/** Flows the namespace's own policies allow every pod: cluster DNS and, for sidecars, istiod. */
function infrastructure(ns: VerifiedNamespace | undefined, to: PodInput, port: number, protocol: string): boolean {
  const reaches = (e: InfrastructureEgress) => to.namespace === e.namespace && Object.entries(e.podLabels).every(([k, v]) => to.labels?.[k] === v)
    && e.ports.some(p => p.port === port && (p.protocol ?? 'TCP') === protocol);
  return ns !== undefined && ((ns.allowDns && reaches(DNS_EGRESS)) || (ns.sidecar && reaches(ISTIOD_EGRESS)));
}
