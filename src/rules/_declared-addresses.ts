// Egress the app declares to addresses that are not pods (the Kubernetes API server, a PlatformPeer), which ZT418
// accepts in exactly the shape the generator writes, although the addresses are private.
import { isDeepStrictEqual } from 'util';
import { ManifestContext, NetworkPolicyRule, list, namespaceOf } from './_manifest-objects';

/**
 * Whether a rule is an egress rule to addresses declared for the workload its policy selects: each peer exactly
 * `{ ipBlock: { cidr } }` of one declared block, on declared TCP ports only.
 */
export function declaredAddressRule(ctx: ManifestContext, r: NetworkPolicyRule): boolean {
  const peers = list(r.peers);
  const ports = list(r.rule?.ports);
  return r.peersField === 'to' && peers.length > 0 && ports.length > 0 && (ctx.addresses ?? []).some(a =>
    namespaceOf(r.o) === a.namespace && isDeepStrictEqual(r.o.spec.podSelector, { matchLabels: a.selector })
    && peers.every(peer => a.cidrs.some(cidr => isDeepStrictEqual(peer, { ipBlock: { cidr } })))
    && ports.every(port => a.ports.some(p => isDeepStrictEqual(port, { protocol: 'TCP', port: p }) || isDeepStrictEqual(port, { port: p }))));
}
