// Egress the app declares to addresses that are not pods (a MeshedService's external peer, an EgressGateway's host
// addresses, the Kubernetes API server's), which ZT441 accepts in exactly the shape the generator writes, and ZT418
// too for the API server's, although its addresses are private.
import { isDeepStrictEqual } from 'util';
import { ManifestContext, NetworkPolicyRule, list, namespaceOf } from './_manifest-objects';

/**
 * Whether a rule is an egress rule to addresses declared for the workload its policy selects: each peer exactly
 * `{ ipBlock }` of one declared block, on declared TCP ports only. With `internal`, only the addresses declared as
 * lying in the private ranges (the API server's) count.
 */
export function declaredAddressRule(ctx: ManifestContext, r: NetworkPolicyRule, internal = false): boolean {
  const peers = list(r.peers);
  const ports = list(r.rule?.ports);
  return r.peersField === 'to' && peers.length > 0 && ports.length > 0 && (ctx.addresses ?? []).some(a =>
    (!internal || a.internal === true)
    && namespaceOf(r.o) === a.namespace && isDeepStrictEqual(r.o.spec.podSelector, { matchLabels: a.selector })
    && peers.every(peer => a.ipBlocks.some(ipBlock => isDeepStrictEqual(peer, { ipBlock })))
    && ports.every(port => a.ports.some(p => isDeepStrictEqual(port, { protocol: 'TCP', port: p }) || isDeepStrictEqual(port, { port: p }))));
}
