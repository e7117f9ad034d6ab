// ZT416: what the synthesized policies allow, read back by the reachability analyzer, must equal what was declared,
// on each side alone: the client's egress, the server's ingress and, in the mesh, the server's authorization.
import { ruleMessage } from './_catalog';
import { WORKLOAD_LABEL, tunnelledOverHbone } from './_constants';
import { compareStrings } from './_flow';
import { Finding } from './_manifest-rules';
import { Reachability } from './reachability';
import { PodInput } from './reachability-input';

/** A declared service, as the check needs it. */
export interface VerifiedService {
  /** `namespace/name`. */
  readonly key: string;
  readonly path: string;
  /** Declared flows out of the service: server key and ports. */
  readonly flows: Array<{ readonly to: string; readonly ports: number[] }>;
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

/**
 * Checks every managed pod's three sides against the declared flows, at every port and protocol where a verdict can
 * change; candidate peers keep it linear in the flows.
 */
export function verifyDeclaredFlows(
  r: Reachability, pods: PodInput[], services: VerifiedService[], namespaces: Map<string, VerifiedNamespace>,
): Finding[] {
  const podInfo = new Map(pods.map(p => [`${p.namespace}/${p.name}`, p]));
  const serviceOf = new Map<string, string>();
  const podsOf = new Map<string, string[]>();
  for (const [id, pod] of podInfo) {
    const name = pod.labels?.[WORKLOAD_LABEL];
    if (name === undefined) continue;
    const svc = `${pod.namespace}/${name}`;
    serviceOf.set(id, svc);
    const list = podsOf.get(svc);
    if (list) list.push(id);
    else podsOf.set(svc, [id]);
  }
  const declared = new Set<string>();
  const clientsOf = new Map<string, string[]>();
  for (const s of services) {
    for (const f of s.flows) {
      declared.add(`${s.key}>${f.to}`);
      for (const port of f.ports) declared.add(`${s.key}>${f.to}:${port}`);
      const clients = clientsOf.get(f.to);
      if (clients) clients.push(s.key);
      else clientsOf.set(f.to, [s.key]);
    }
  }
  const byKey = new Map(services.map(s => [s.key, s]));
  /** What a layer should allow from `from` to `to`, as a function of the port and protocol. */
  const expectation = (layer: Layer, from: string, to: string): ((port: number, protocol: string) => boolean) => {
    const [a, b] = [serviceOf.get(from), serviceOf.get(to)];
    const infra = (port: number, protocol: string) => infrastructure(namespaces.get(podInfo.get(from)!.namespace), podInfo.get(to)!, port, protocol);
    if (!a || !b) return infra;
    // HBONE hides the app port from NetworkPolicy: there it can only tell which pods may open the tunnel.
    const hbone = layer !== 'authorization' && tunnelledOverHbone(r._mesh(from), r._mesh(to));
    const pair = `${a}>${b}`;
    if (hbone && declared.has(pair)) return (_port, protocol) => protocol === 'TCP' || infra(_port, protocol);
    return (port, protocol) => (protocol === 'TCP' && declared.has(`${pair}:${port}`)) || infra(port, protocol);
  };

  const findings: Finding[] = [];
  for (const [id, pod] of podInfo) {
    const ns = namespaces.get(pod.namespace);
    if (!ns) continue;
    const svc = serviceOf.get(id);
    const path = (svc && byKey.get(svc)?.path) ?? ns.path;
    const servers = (svc && byKey.get(svc)?.flows.flatMap(f => podsOf.get(f.to) ?? [])) || [];
    const clients = (svc && (clientsOf.get(svc) ?? []).flatMap(c => podsOf.get(c) ?? [])) || [];
    const sides: Array<[Layer, string[]]> = [['egress', servers], ['ingress', clients]];
    if (r._mesh(id)) sides.push(['authorization', clients]);
    for (const [layer, declaredPeers] of sides) {
      const candidates = r._candidates(layer, id) ?? new Set(podInfo.keys());
      const peers = declaredPeers.some(p => !candidates.has(p)) ? new Set([...candidates, ...declaredPeers]) : candidates;
      const differing: Array<{ from: string; to: string; port: number; protocol: string; actual: boolean }> = [];
      for (const peer of peers) {
        if (peer === id) continue;
        const [from, to] = layer === 'egress' ? [id, peer] : [peer, id];
        const expected = expectation(layer, from, to);
        for (const { port, protocol } of r._probes(layer, from, to)) {
          const actual = r._allows(layer, from, to, port, protocol);
          if (actual !== expected(port, protocol)) differing.push({ from, to, port, protocol, actual });
        }
      }
      if (differing.length > 0) {
        const text = (d: typeof differing[0]) => `${d.from} -> ${d.to} on ${d.port}/${d.protocol}`;
        const shown = differing.sort((x, y) => compareStrings(text(x), text(y))).slice(0, SHOWN).map(d => {
          const why = r.explain(d)[layer].reasons.join('; ');
          return `${d.actual ? 'allows' : 'refuses'} ${text(d)}, which ${d.actual ? 'no flow declares' : 'a declared flow needs'} (${why})`;
        }).join('; ');
        const more = differing.length > SHOWN ? `; and ${differing.length - SHOWN} more` : '';
        findings.push({
          ruleId: 'ZT416',
          path,
          message: ruleMessage('ZT416', path, `the ${layer} of ${id} differs from the declared flows: it ${shown}${more}`,
            'Remove or fix the object that opens it, declare the flow, or suppress ZT416 on the service with a reason'),
        });
      }
    }
  }
  return findings;
}

/** Flows the namespace's own policies allow every pod: cluster DNS and, for sidecars, istiod. */
function infrastructure(ns: VerifiedNamespace | undefined, to: PodInput, port: number, protocol: string): boolean {
  if (!ns) return false;
  const dns = ns.allowDns && to.namespace === 'kube-system' && to.labels?.['k8s-app'] === 'kube-dns' && port === 53;
  const istiod = ns.sidecar && to.namespace === 'istio-system' && to.labels?.app === 'istiod' && port === 15012 && protocol === 'TCP';
  return dns || istiod;
}
