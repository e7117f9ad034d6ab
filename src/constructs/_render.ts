// Builds the per-workload NetworkPolicy and AuthorizationPolicy specs from the declared flows.
import type { ExternalPeer } from './external-peer';
import { NAMESPACE_NAME_LABEL } from '../model/_constants';
import { Flow, FlowEnd, networkPorts } from '../model/_flow';
import { AuthorizationPolicySpec, AuthorizationRuleSpec } from '../model/_istio-spec';
import { NetworkPolicyEgressRuleSpec, NetworkPolicyPeerSpec, NetworkPolicyPortSpec, NetworkPolicySpec } from '../model/_network-policy-spec';
import { operationsOf } from '../model/_request-rules';
import { outsideIstioAuthorization } from '../model/_sidecar-ports';
import { compareStrings, groupSorted } from '../util/_collections';

/** The peer that selects `other`'s pods, seen from a policy in `self`'s namespace. */
function peerOf(self: FlowEnd, other: FlowEnd): NetworkPolicyPeerSpec {
  const podSelector = { matchLabels: other.selector };
  if (other.namespace === self.namespace) {
    return { podSelector };
  }
  // Namespace AND pods, in one peer: two peers would admit every pod of the namespace.
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: other.namespace.name } }, podSelector };
}

function tcpPorts(ports: number[]): NetworkPolicyPortSpec[] {
  return ports.map(port => ({ protocol: 'TCP', port }));
}

/** Rules of one direction: flows with the same ports share a rule; peers and rules are sorted. */
function rules(self: FlowEnd, flows: Flow[], other: (f: Flow) => FlowEnd) {
  return groupSorted(flows, f => networkPorts(f).join(',')).map(([, group]) => ({
    peers: group.map(other).sort((a, b) => compareStrings(peerOrder(self, a), peerOrder(self, b))).map(o => peerOf(self, o)),
    ports: tcpPorts(networkPorts(group[0])),
  }));
}

/**
 * Sorts peers as their JSON text would sort, without writing it: namespace-and-pod peers (`{"namespaceSelector"...`)
 * before pod-only ones (`{"podSelector"...`), then by namespace and name, which are DNS labels, whose characters all
 * sort after the `"` that ends them in JSON.
 */
function peerOrder(self: FlowEnd, other: FlowEnd): string {
  return other.namespace === self.namespace ? `1 ${other.name}` : `0 ${other.namespace.name} ${other.name}`;
}

/**
 * The workload's NetworkPolicy: isolated both ways, with one ingress rule per group of inbound flows
 * sharing the same ports, one egress rule per group of outbound flows, then one per external peer.
 */
export function renderNetworkPolicy(
  self: FlowEnd, inbound: Flow[], outbound: Flow[], external: Array<{ readonly peer: ExternalPeer; readonly ports: number[] }>,
): NetworkPolicySpec {
  const externalRules = [...external].sort((a, b) => compareStrings(a.peer._key, b.peer._key))
    .map(e => ({ to: e.peer._ipBlocks.map(ipBlock => ({ ipBlock })), ports: tcpPorts(e.ports) }));
  return {
    podSelector: { matchLabels: self.selector },
    policyTypes: ['Ingress', 'Egress'],
    ingress: rules(self, inbound, f => f.from).map(r => ({ from: r.peers, ports: r.ports })),
    egress: rules(self, outbound, f => f.to).map((r): NetworkPolicyEgressRuleSpec => ({ to: r.peers, ports: r.ports })).concat(externalRules),
  };
}

/**
 * The server's AuthorizationPolicy: ALLOW the declared clients' principals on the declared ports (and requests), each
 * request also needing a token whose principal matches one of `requestPrincipals` when given.
 * With no inbound flow it has no rules, which in an ALLOW policy admits nothing.
 */
export function renderAuthorizationPolicy(self: FlowEnd, inbound: Flow[], requestPrincipals: string[] = []): AuthorizationPolicySpec {
  // A sidecar's uncaptured ports (a scrape of 15020) pass no Istio policy, unless tunnelled from an ambient client:
  // a rule for them would only mislead.
  const authorized = inbound.map(f => ({ ...f, ports: f.ports.filter(p => !outsideIstioAuthorization(self.namespace.mesh, p, 'TCP', f.from.namespace.mesh)) }))
    .filter(f => f.ports.length > 0);
  // Each client has one flow to a server, and a flow at most one part per key, so the principals of a group are distinct.
  const parts = authorized.flatMap(f => operationsOf(f.ports, f.requests).map(part => ({ principal: f.from.principal, ...part })));
  const ruleList: AuthorizationRuleSpec[] = groupSorted(parts, p => p.key).map(([, group]) => ({
    from: [{
      source: {
        principals: group.map(p => p.principal).sort(compareStrings),
        ...requestPrincipals.length > 0 ? { requestPrincipals } : {},
      },
    }],
    to: group[0].operations.map(operation => ({ operation })),
  }));
  const selector = { matchLabels: self.selector };
  return ruleList.length > 0 ? { selector, action: 'ALLOW', rules: ruleList } : { selector, action: 'ALLOW' };
}
