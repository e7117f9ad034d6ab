// The zero-trust rule catalog: every rule with its stable id. The rule table of docs/rules.md is written from it.
import { RuleInfo, RuleSeverity } from './rule-info';

const E = RuleSeverity.ERROR;
const W = RuleSeverity.WARNING;

function rule(id: string, severity: RuleSeverity, suppressible: boolean, title: string, rationale: string): RuleInfo {
  return { id, title, severity, rationale, suppressible };
}

/** Every rule, in id order. */
export const RULE_CATALOG: RuleInfo[] = [
  rule('ZT101', E, true, 'Flow from a service to itself', 'A service calling itself is rare; declaring it by accident widens its policies. Set `allowSelf: true` when it is meant.'),
  rule('ZT103', E, false, 'Flow to or from a service this app does not manage', 'Policies can only be written for namespaces in the same app; an outside peer would be selected by labels nobody controls.'),
  rule('ZT104', E, false, 'Flow port that the target does not expose', 'A port outside the target\'s ports would open a hole that no Service port documents.'),
  rule('ZT105', E, false, 'Flow with no ports', 'An empty port list would read as "all ports" in a NetworkPolicy.'),
  rule('ZT106', E, false, 'Flow between different trust domains', 'Principals from another trust domain never match without federation; the flow could never work as declared.'),
  rule('ZT107', E, false, 'Flow from a namespace outside the mesh into a meshed service', 'A client without a sidecar or ztunnel has no mTLS identity, so the server\'s STRICT mTLS and principal check refuse it.'),
  rule('ZT108', E, false, 'Invalid external peer', 'An external peer must be a CIDR block; every address (prefix length 0) must be named with ExternalPeer.anyAddressUnsafe(), which ZT403 then refuses unless suppressed with a reason.'),
  rule('ZT201', E, false, 'Invalid namespace or service name', 'Namespaces must be DNS-1123 labels and services DNS-1035 labels (at most 63 characters), or the API server rejects them.'),
  rule('ZT202', E, false, 'Derived object names collide', 'Two generated objects with the same kind, namespace and name would overwrite each other. Generated names are the service name itself, so they never exceed its 63 characters; only the namespace-wide `zt-*` names can collide.'),
  rule('ZT203', E, false, 'Invalid label key or value', 'The API server rejects labels that are not qualified names or are over 63 characters.'),
  rule('ZT204', E, false, 'Two services with the same name in one namespace', 'They would share a ServiceAccount, and so one identity and one set of policies.'),
  rule('ZT205', E, false, 'Service named `default`', 'Its ServiceAccount would be the namespace\'s shared `default` identity, which every unconfigured pod runs as.'),
  rule('ZT206', E, false, 'Workload enrolled with another ServiceAccount', 'The workload would not carry the identity that the policies name.'),
  rule('ZT207', E, false, 'Workload enrolled from another namespace', 'The namespace\'s policies would not select it.'),
  rule('ZT208', E, false, 'Namespace declared twice', 'Two ZeroTrustNamespaces of one name would emit two Namespace objects and two sets of policies; whichever is applied last would win.'),
  rule('ZT209', E, false, 'Namespace of the cluster or the mesh managed', 'kube-system, kube-public, kube-node-lease and istio-system hold the cluster DNS, the control plane and the mesh; a deny-all there cuts every namespace off from them, and the DNS and istiod egress rules of managed namespaces are written for them as unmanaged namespaces.'),
  rule('ZT301', E, false, 'Port outside 1-65535', 'The API server rejects it.'),
  rule('ZT302', E, false, 'Duplicate port number or name on one service', 'The API server rejects duplicate Service ports, and a flow port would be ambiguous.'),
  rule('ZT303', E, false, 'Port name that is not an IANA service name', 'Port names must be lowercase, at most 15 characters, with at least one letter, or the API server rejects them.'),
  rule('ZT304', E, false, 'Service with no ports', 'A Service needs at least one port, and a flow needs a port to name.'),
  rule('ZT305', E, false, 'Invalid replica count', 'A Deployment needs a whole, non-negative number of replicas.'),
  rule('ZT401', E, true, 'NetworkPolicy rule or peer that admits every peer', 'A rule without `from`/`to`, or an empty peer `{}`, admits every pod of every namespace and every address.'),
  rule('ZT402', E, true, 'NetworkPolicy peer with an empty selector', 'An empty namespaceSelector selects every namespace and an empty podSelector every pod of the selected namespaces.'),
  rule('ZT403', E, true, 'NetworkPolicy ipBlock of every address', 'A CIDR block of prefix length 0 (`0.0.0.0/0`, `::/0`), or blocks of one rule that together cover a whole address family (`0.0.0.0/1` and `128.0.0.0/1`), admit the whole network, inside and outside the cluster; `except` does not help, as it only removes part. IPv4-mapped IPv6 blocks read as the IPv4 blocks they map, as Go\'s net.IPNet reads them (`::ffff:0:0/96` is `0.0.0.0/0`, `::ffff:10.0.0.0/104` is `10.0.0.0/8`, for this rule, ZT418, ZT422 and ZT427), and a wider IPv6 block that holds `::ffff:0:0/96` covers every IPv4 address. ZT418 does not report that family\'s blocks again.'),
  rule('ZT404', E, true, 'NetworkPolicy without policyTypes', 'Without policyTypes Kubernetes isolates egress only when egress rules are present, so a policy may isolate less than it reads.'),
  rule('ZT405', E, true, 'AuthorizationPolicy principal with a `spiffe://` prefix', 'Istio principals are SPIFFE ids without the scheme; a principal with it never matches, so the rule silently does nothing.'),
  rule('ZT406', E, true, 'Wildcard principal, request principal or namespace in an ALLOW AuthorizationPolicy', 'A `*` in `principals`, `requestPrincipals` or `namespaces` admits identities that no flow declared. ZT405, ZT406, ZT407, ZT421 and ZT422 also check the ALLOW policies of the mesh\'s root namespace.'),
  rule('ZT407', E, true, 'ALLOW AuthorizationPolicy rule that admits every client', 'A rule without `from`, an empty source or a source of not-forms only (`notPrincipals`, `notRequestPrincipals`, `notNamespaces`, `notIpBlocks`...) matches any client (`rules: [{}]` allows everything).'),
  rule('ZT408', E, true, 'PeerAuthentication weaker than STRICT in a meshed namespace', 'PERMISSIVE or DISABLE mTLS admits plaintext clients, which carry no identity for the AuthorizationPolicies to check.'),
  rule('ZT409', E, true, 'Meshed namespace not enrolled in the mesh', 'Without its enrolment label (or with an opt-out label) the namespace\'s pods get no sidecar or ztunnel, so no mTLS identity.'),
  rule('ZT410', E, true, 'Workload opted out of the mesh', 'Pods that opt out of injection or ambient mode have no mTLS identity and bypass the AuthorizationPolicies. Istio injects for a `sidecar.istio.io/inject` label (or, without it, annotation) of y, yes, true or on in any case, and opts out for any other non-empty value. Sidecar pods whose annotations take ports, address ranges or interfaces out of the capture (`traffic.sidecar.istio.io/exclude*`, `includeInboundPorts` other than `*`, `sidecar.istio.io/interceptionMode` other than REDIRECT) send and receive that traffic outside the mesh.'),
  rule('ZT411', E, true, 'Workload running as the `default` ServiceAccount', 'Every unconfigured pod of the namespace shares the `default` identity; zero trust needs one identity per workload.'),
  rule('ZT412', E, true, 'DestinationRule with TLS other than ISTIO_MUTUAL', 'Another TLS mode (or DISABLE) to a mesh service replaces Istio mTLS, so the server sees no client identity.'),
  rule('ZT413', E, true, 'Workload on the host network', 'Host-network pods are not isolated by NetworkPolicies and not captured by the mesh.'),
  rule('ZT414', E, true, 'Second namespace-wide PeerAuthentication', 'Istio applies only the oldest namespace-wide PeerAuthentication, so which mTLS mode holds would depend on creation order.'),
  rule('ZT415', E, true, 'Sidecar that allows any outbound host', 'A Sidecar with `outboundTrafficPolicy: ALLOW_ANY` lets its proxies pass traffic to hosts outside the mesh registry.'),
  rule('ZT416', E, true, 'Allowed flows differ from declared flows', 'The reachability analyzer reads the synthesized policies back with the Kubernetes and Istio semantics; on each side alone (client egress, server ingress, server authorization) they must allow exactly the declared flows. Extra objects, patches or bugs that open more, or refuse a declared flow, show here.'),
  rule('ZT417', E, true, 'Policies the analyzer cannot read', 'Without reading every policy the analyzer cannot prove what the app allows; it never guesses. Suppress only for policy features it does not model (L7 fields), and review those by hand.'),
  rule('ZT418', E, true, 'NetworkPolicy ipBlock in a private or cluster-internal range', 'Pods and Services get their addresses from the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) or the carrier-grade NAT range 100.64.0.0/10; an ipBlock there can match them by address, bypassing their label-based identity. `except` blocks that remove the whole overlap count; link-local addresses (node-local probes) are not in these ranges.'),
  rule('ZT419', E, true, 'NetworkPolicy namespaceSelector not pinned to namespace names', 'The ZT416 proof knows only the app\'s pods. A namespaceSelector that does not require `kubernetes.io/metadata.name` to be managed names (by matchLabels or an `In` expression) selects, by labels or by NotIn, Exists or DoesNotExist expressions, any namespace that matches, including namespaces created later by others.'),
  rule('ZT420', E, true, 'NetworkPolicy peer in a namespace the app does not manage', 'Pods of a namespace the app does not manage are invisible to the ZT416 proof. Only the egress that ZeroTrustNamespace emits to cluster DNS (kube-system `k8s-app: kube-dns`, 53 TCP/UDP) and istiod (istio-system `app: istiod`, TCP 15012) is exempt, in exactly that shape.'),
  rule('ZT421', E, true, 'ALLOW AuthorizationPolicy source naming an identity or namespace the app does not declare', 'A principal other than `<trust domain>/ns/<managed namespace>/sa/<ServiceAccount>` of a MeshedService or of a pod template the app emits (never `default`), or a namespace the app does not manage, admits pods the ZT416 proof cannot see; so does a source that names no principals but namespaces or requestPrincipals, which admit any ServiceAccount, including ones created later. Wildcards are ZT406\'s and `spiffe://` principals ZT405\'s.'),
  rule('ZT422', E, true, 'ALLOW AuthorizationPolicy source that admits clients by address', 'A source of ipBlocks or remoteIpBlocks alone admits whoever has those addresses; no pod has an address at synth, so the ZT416 proof cannot tell which pods those are. Blocks that together cover an address family (`0.0.0.0/1` and `128.0.0.0/1`) admit everyone.'),
  rule('ZT423', E, true, 'Istio policy in the mesh\'s root namespace that opens every namespace', 'A PeerAuthentication in istio-system with a PERMISSIVE or DISABLE mode (whole or per port), or a Sidecar there with `outboundTrafficPolicy: ALLOW_ANY`, applies to every namespace of the mesh, managed or not. Mesh-wide hardening (STRICT mTLS, allow-nothing or DENY AuthorizationPolicies, RequestAuthentications) passes; the root\'s ALLOW AuthorizationPolicies meet the source rules (ZT406, ZT407, ZT421, ZT422) and the ZT416 proof reads them.'),
  rule('ZT424', E, true, 'Service or pod port exposed on node or external addresses', 'A Service of type LoadBalancer or NodePort, `externalIPs`, or a container `hostPort` lets clients outside the cluster, or any host that reaches a node, connect; no flow can declare such an entry yet.'),
  rule('ZT425', E, true, 'Ingress, Gateway, route, gateway-bound VirtualService or ReferenceGrant in a managed namespace', 'Ingresses, Gateways (Gateway API or Istio), Gateway API routes and VirtualServices bound to a gateway (`gateways` naming anything but `mesh`) bring traffic from outside the cluster, through gateway pods the app does not declare (Istio deploys a Gateway\'s own pods and LoadBalancer Service), into the namespace; a ReferenceGrant lets routes of other namespaces do so.'),
  rule('ZT426', E, true, 'Workloads or endpoints outside the pods the proof reads', 'WorkloadEntries and WorkloadGroups add workloads outside Kubernetes to the mesh with an identity of the namespace; hand-written Endpoints and EndpointSlices, mesh-internal ServiceEntries, and external ones with `endpoints`, point service names at addresses rather than at the app\'s pods; an external ServiceEntry for a cluster-internal host (`*.svc`, `*.local`, a short name or `<service>.<managed namespace>`) takes a service inside the cluster out of the mesh. The ZT416 proof sees none of them.'),
  rule('ZT427', E, true, 'NetworkPolicy ingress from addresses outside the cluster', 'An ingress ipBlock outside the private, cluster-internal and link-local ranges admits clients outside the cluster by address; no flow declares such a client (ExternalPeer admits nothing inbound), so the ZT416 proof cannot see them. Blocks that ZT403 or ZT418 report are not reported again.'),
  rule('ZT428', E, true, 'NetworkPolicy pod selector not pinned to workloads the app declares', 'A pod selector that lands in a managed namespace (a peer\'s podSelector, a peer\'s namespaceSelector without one, which selects every pod, or the podSelector of a policy with rules) must pin `zero-trust.cdk8s.io/workload` (by matchLabels or an `In` expression) to workloads the app declares there; any other selector also matches pods created later, such as `kubectl run -l role=debug`, which the ZT416 proof cannot see. The `{}` podSelector of the DNS, istiod and probe policies ZeroTrustNamespace emits is exempt, in exactly their shapes.'),
  rule('ZT501', W, true, 'Managed namespace outside the mesh', 'With `MeshMode.NONE` only NetworkPolicies protect the namespace: no mTLS, no principals.'),
  rule('ZT502', W, true, 'Workloads sharing a ServiceAccount', 'Workloads with one identity cannot be told apart by AuthorizationPolicies; workloads enrolled into the same MeshedService are exempt.'),
  rule('ZT503', W, true, 'NetworkPolicy rule without ports', 'A rule without ports admits its peers on every port; rules whose peers are only link-local addresses (node-local probes) are exempt.'),
];

/**
 * Looks a rule up by id.
 */
export function ruleInfo(id: string): RuleInfo {
  const found = RULE_CATALOG.find(r => r.id === id);
  if (!found) {
    throw new Error(`unknown zero-trust rule id ${id}`);
  }
  return found;
}

/**
 * Formats a rule's message: `[ZT104] shop/web-to-api: what is wrong. How to fix it.`
 */
export function ruleMessage(id: string, path: string, problem: string, fix: string): string {
  ruleInfo(id);
  return `[${id}] ${path}: ${problem}. ${fix}`;
}

/** The catalog as the Markdown table of docs/rules.md. */
export function ruleTableMarkdown(): string {
  const rows = RULE_CATALOG.map(r => `| ${r.id} | ${r.severity} | ${r.suppressible ? 'yes' : 'no'} | ${r.title} | ${r.rationale} |`);
  return ['| id | severity | suppressible | rule | why |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
