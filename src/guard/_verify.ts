// ZT416: what the synthesized policies allow, read back by the reachability analyzer, must equal what was declared,
// on each side alone: the client's egress, the server's ingress and, in the mesh, the server's authorization.
import { requestDifferences } from './_verify-requests';
import type { HttpRequest } from '../analyzer/_http-match';
import type { Rule } from '../analyzer/_network-policy-eval';
import { describeRequest } from '../analyzer/_request-authz';
import { Reachability } from '../analyzer/reachability';
import { PodInput } from '../analyzer/reachability-input';
import { DNS_EGRESS, ISTIOD_EGRESS, InfrastructureEgress, tunnelledOverHbone } from '../model/_constants';
import { FlowGraph } from '../model/_flow-graph';
import { outsideIstioAuthorization } from '../model/_sidecar-ports';
import { ruleMessage } from '../rules/_catalog';
import { Finding } from '../rules/_manifest-rules';
import { compareStrings, addToList } from '../util/_collections';

/** A flow end (a service, a gateway, a platform peer), as the check needs it. */
export interface VerifiedEnd {
  /** `namespace/name`, its key in the flow graph. */
  readonly key: string;
  readonly namespace: string;
  /** The labels that select its pods in its namespace. */
  readonly selector: { readonly [key: string]: string };
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
  /** The key of the flow end whose selector it matches. */
  readonly service?: string;
  readonly mesh?: 'sidecar' | 'ambient';
}

interface Difference {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly actual: boolean;
  /** The request, when the verdict differs for some requests only. */
  readonly request?: HttpRequest;
}

/**
 * Checks every managed pod's three sides against the declared flows, at every port and protocol where a verdict can
 * change; candidate peers keep it linear in the flows.
 */
export function verifyDeclaredFlows(
  r: Reachability, pods: PodInput[], ends: VerifiedEnd[], flows: FlowGraph, namespaces: Map<string, VerifiedNamespace>,
): Finding[] {
  const findings: Finding[] = [];
  const endOf = endFinder(ends);
  const facts = new Map<string, PodFacts>();
  const podsOf = new Map<string, string[]>();
  for (const input of pods) {
    const id = `${input.namespace}/${input.name}`;
    const matched = endOf(input);
    if (matched.length > 1) {
      const path = matched[0].path;
      findings.push({
        ruleId: 'ZT416',
        path,
        message: ruleMessage('ZT416', path, `pod ${id} is selected by ${matched.map(e => e.key).join(' and ')}, so the flows it may take are ambiguous`,
          'Give each flow end a selector that no pod of another end carries'),
      });
    }
    const service = matched.length === 1 ? matched[0].key : undefined;
    facts.set(id, { id, input, ns: namespaces.get(input.namespace), service, mesh: r._mesh(id) });
    if (service !== undefined) addToList(podsOf, service, id);
  }
  const byKey = new Map(ends.map(e => [e.key, e]));

  /** The differences between what one layer allows from `a` to `b` and what the flows declare. */
  const compare = (layer: Layer, a: PodFacts, b: PodFacts, differing: Difference[], matching?: Rule[]): void => {
    const ports = a.service === undefined || b.service === undefined ? undefined : flows.ports(a.service, b.service);
    // HBONE hides the app port from NetworkPolicy: there it can only tell which pods may open the tunnel.
    const anyTcp = ports !== undefined && layer !== 'authorization' && tunnelledOverHbone(a.mesh, b.mesh);
    for (const { port, protocol, allowed } of r._verdicts(layer, a.id, b.id, matching)) {
      // No Istio policy governs a sidecar's uncaptured ports (such as 15020): NetworkPolicy alone proves who reaches them.
      if (layer === 'authorization' && outsideIstioAuthorization(b.mesh, port, protocol, a.mesh)) continue;
      const expected = (protocol === 'TCP' && (anyTcp || ports?.includes(port) === true)) || infrastructure(a.ns, a.input, b.input, port, protocol);
      if (allowed !== expected) {
        differing.push({ from: a.id, to: b.id, port, protocol, actual: allowed });
      } else if (allowed && layer === 'authorization' && ports?.includes(port)) {
        for (const d of requestDifferences(r, a.id, b.id, port, flows, a.service!, b.service!)) {
          differing.push({ from: a.id, to: b.id, port, protocol, ...d });
        }
      }
    }
  };

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
        const text = (d: Difference) => `${d.from} -> ${d.to} on ${d.port}/${d.protocol}${d.request ? ` for ${describeRequest(d.request)}` : ''}`;
        const shown = differing.sort((x, y) => compareStrings(text(x), text(y))).slice(0, SHOWN).map(d => {
          const why = r.explain({ ...d, ...d.request })[layer].reasons.join('; ');
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

/**
 * Finds the ends whose selector a pod's labels match, by an index on each end's first selector label: a pod is
 * looked up by its own labels, so the cost does not grow with the number of ends in its namespace.
 */
function endFinder(ends: VerifiedEnd[]): (pod: PodInput) => VerifiedEnd[] {
  const index = new Map<string, VerifiedEnd[]>();
  const labelKey = (namespace: string, key: string, value: string) => `${namespace}\n${key}\n${value}`;
  for (const end of ends) {
    const [first] = Object.keys(end.selector).sort(compareStrings);
    if (first !== undefined) addToList(index, labelKey(end.namespace, first, end.selector[first]), end);
  }
  return pod => {
    const labels = pod.labels ?? {};
    const matched: VerifiedEnd[] = [];
    for (const [key, value] of Object.entries(labels)) {
      for (const end of index.get(labelKey(pod.namespace, key, value)) ?? []) {
        if (Object.entries(end.selector).every(([k, v]) => labels[k] === v)) matched.push(end);
      }
    }
    return matched;
  };
}

/** Infrastructure flows a pod may take: cluster DNS and, for sidecars, istiod (the namespace's policies); istiod for a gateway or a waypoint in any mode (its own). */
function infrastructure(ns: VerifiedNamespace | undefined, from: PodInput, to: PodInput, port: number, protocol: string): boolean {
  const reaches = (e: InfrastructureEgress) => to.namespace === e.namespace && Object.entries(e.podLabels).every(([k, v]) => to.labels?.[k] === v)
    && e.ports.some(p => p.port === port && (p.protocol ?? 'TCP') === protocol);
  const ownIstiod = ns?.sidecar === true || from.gateway === true || from.waypoint === true;
  return ns !== undefined && ((ns.allowDns && reaches(DNS_EGRESS)) || (ownIstiod && reaches(ISTIOD_EGRESS)));
}
