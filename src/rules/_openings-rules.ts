/**
 * The rules that close the ZT416 proof's blind spot: the proof compares policies against the pods the app declares,
 * so anything in a managed namespace that can admit a pod, a workload or a client the app does not know is an opening
 * it cannot see. These rules refuse that whole class: selectors and sources that reach past the managed namespaces and
 * the declared identities, addresses, mesh-wide policies, and entry points from outside the cluster.
 */
import { isDeepStrictEqual } from 'util';
import { ManifestContext, Finding, Placed, Landed, view, landed, namespaceOf, rootObjects, authorizationPolicies, sourceEntries, sourceField, finding, list, NetworkPolicyRule, networkPolicyRules, NetworkPolicyPeer, networkPolicyPeers, peerField, emptySelector, allowPolicy, podTemplates, positiveSourceFields, linkLocal, internalRangesOf, blocksLeftByZt403, weakMtlsModes, meshHost, declaredObject } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { WORKLOAD_LABEL, AMBIENT_PROBE_SOURCE, DNS_EGRESS, ISTIOD_EGRESS, InfrastructureEgress, NAMESPACE_NAME_LABEL, infrastructurePeer } from '../model/_constants';
import { DEFAULT_TRUST_DOMAIN, SPIFFE_SCHEME, principalOf } from '../model/_identity';
import { isObject } from '../model/_label-selector';
import { serviceAccountOf } from '../model/_workload-rules';
import { coveredFamilies, parseCidr, withMappedIpv4 } from '../util/_cidr';
import { addToList } from '../util/_collections';

/**
 * The values a selector pins `key` to (matchLabels and `In` expressions, intersected), or undefined when it pins none.
 * Only `kubernetes.io/metadata.name` names a namespace, as the API server sets it to the name; only
 * `zero-trust.cdk8s.io/workload` names a workload the app declares.
 */
function pinnedValues(selector: unknown, key: string): string[] | undefined {
  if (!isObject(selector)) return undefined;
  // No closure or list for a selector without expressions: ZT419, ZT420 and ZT428 ask this of every peer.
  const label = isObject(selector.matchLabels) ? selector.matchLabels[key] : undefined;
  let values: string[] | undefined = typeof label === 'string' ? [label] : undefined;
  if (!Array.isArray(selector.matchExpressions)) return values;
  for (const e of selector.matchExpressions) {
    if (e?.key !== key || e.operator !== 'In') continue;
    const next = list(e.values).filter(v => typeof v === 'string');
    values = values === undefined ? next : values.filter(v => next.includes(v));
  }
  return values;
}

/** Peers with a non-empty namespaceSelector (an empty one is ZT402's), and the names it pins. */
function namespacePeers(ctx: ManifestContext): Array<NetworkPolicyPeer & { pinned?: string[] }> {
  return view(ctx, 'namespacePeers', () => networkPolicyPeers(ctx)
    .filter(p => isObject(p.peer?.namespaceSelector) && !emptySelector(p.peer.namespaceSelector))
    .map(p => ({ ...p, pinned: pinnedValues(p.peer.namespaceSelector, NAMESPACE_NAME_LABEL) })));
}

/** Whether a peer and its rule are exactly the DNS or istiod egress that ZeroTrustNamespace emits (ports may be fewer). */
function infrastructureEgress(p: NetworkPolicyPeer): boolean {
  const ports = list(p.rule.rule?.ports);
  const exact = (e: InfrastructureEgress) => isDeepStrictEqual(p.peer, infrastructurePeer(e)) && ports.length > 0
    && ports.every(port => isObject(port) && e.ports.some(q => isDeepStrictEqual({ protocol: 'TCP', ...port }, q)));
  return p.rule.peersField === 'to' && (exact(DNS_EGRESS) || exact(ISTIOD_EGRESS));
}

/** Whether a selector is exactly `matchLabels` of a declared flow end's selector in `namespace`. */
function endSelector(ctx: ManifestContext, namespace: string, selector: unknown): boolean {
  return (ctx.ends ?? []).some(e => e.namespace === namespace && isDeepStrictEqual(selector, { matchLabels: e.selector }));
}

/** Whether a peer is exactly the one the generator writes for a declared flow end: its namespace by name AND its pods. */
function endPeer(ctx: ManifestContext, peer: unknown): boolean {
  return (ctx.ends ?? []).some(e => isDeepStrictEqual(peer, {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: e.namespace } }, podSelector: { matchLabels: e.selector },
  }));
}

/** A source of a rule of an ALLOW AuthorizationPolicy: `spec.rules[i].from[j].source`. */
interface AllowSource {
  readonly o: Placed;
  readonly field: string;
  readonly source: Record<string, any>;
}

function allowSources(ctx: ManifestContext): AllowSource[] {
  return view(ctx, 'allowSources', () => authorizationPolicies(ctx).filter(allowPolicy).flatMap(o => list(o.spec.rules).flatMap((rule, i) =>
    list(rule?.from).flatMap((from, j) => isObject(from?.source) ? [{ o, field: `spec.rules[${i}].from[${j}].source`, source: from.source }] : []))));
}

/** What the app declares in each managed namespace: its MeshedServices, and the workloads whose pod templates it emits. */
interface Declared {
  /** The values of the workload label. */
  readonly workloads: Set<string>;
  /** The principals of the ServiceAccounts the pods run as, never `default`. */
  readonly principals: Set<string>;
}

function declared(ctx: ManifestContext): Map<string, Declared> {
  return view(ctx, 'declared', () => {
    const byNamespace = new Map<string, Declared>();
    for (const name of ctx.managed.keys()) byNamespace.set(name, { workloads: new Set(), principals: new Set() });
    const add = (namespace: string, workload: unknown, account: unknown) => {
      const d = byNamespace.get(namespace)!;
      if (typeof workload === 'string') d.workloads.add(workload);
      if (typeof account === 'string' && account !== 'default') {
        d.principals.add(principalOf(ctx.managed.get(namespace)!.trustDomain ?? DEFAULT_TRUST_DOMAIN, namespace, account));
      }
    };
    for (const [name, ns] of ctx.managed) for (const service of ns.services ?? []) add(name, service, service);
    for (const { o, template } of podTemplates(ctx)) add(namespaceOf(o), template.metadata?.labels?.[WORKLOAD_LABEL], serviceAccountOf(template));
    return byNamespace;
  });
}

const EXPOSED_SERVICE_TYPES = ['LoadBalancer', 'NodePort'];

const ENTRY_KINDS = ['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute', 'ReferenceGrant'];

/** What each kind brings that the proof does not see, and the fix. */
const OUTSIDE_WORKLOADS: Record<string, [string, string]> = {
  WorkloadEntry: ['adds a workload outside Kubernetes to the mesh, with an identity of the namespace', 'Run the workload as a pod of a MeshedService'],
  WorkloadGroup: ['adds workloads outside Kubernetes to the mesh, with an identity of the namespace', 'Run the workloads as pods of a MeshedService'],
  Endpoints: ['points a Service\'s name at addresses written by hand rather than at the app\'s pods', 'Let the Service select the app\'s pods'],
  EndpointSlice: ['points a Service\'s name at addresses written by hand rather than at the app\'s pods', 'Let the Service select the app\'s pods'],
  ServiceEntry: ['adds mesh-internal endpoints to a host', 'Keep ServiceEntries for hosts outside the mesh (location MESH_EXTERNAL, no workloadSelector)'],
};

/** Whether a host names a service inside the cluster: a mesh host (`*.svc`, `*.local`, a short name) or `<service>.<managed namespace>`. */
function clusterHost(ctx: ManifestContext, host: unknown): boolean {
  return meshHost(host) || (typeof host === 'string' && host.split('.').length === 2 && ctx.managed.has(host.split('.')[1]));
}

/** What an external ServiceEntry (the default location) does beyond naming hosts outside the mesh by DNS. */
function externalEntryOpenings(ctx: ManifestContext, o: Landed): Finding[] {
  return [
    ...list(o.spec.hosts).map((h, k) => [h, k] as const).filter(([h]) => clusterHost(ctx, h)).map(([h, k]) => finding('ZT426', o, `spec.hosts[${k}]`,
      `host "${h}" names a service inside the cluster, which the entry declares outside the mesh, beyond what the proof sees`,
      'Keep ServiceEntries for hosts outside the cluster, or suppress ZT426 with a reason.')),
    ...list(o.spec.endpoints).length === 0 ? [] : [finding('ZT426', o, 'spec.endpoints',
      'the endpoints point the hosts at addresses written by hand, which the proof does not see',
      'Let the hosts resolve by DNS (no endpoints), or suppress ZT426 with a reason.')],
  ];
}

/** Whether a NetworkPolicy is one of the shapes a ZeroTrustNamespace emits for all its pods: DNS, istiod or probes. */
function namespaceWide(o: Landed, rules: NetworkPolicyRule[]): boolean {
  return emptySelector(o.spec.podSelector) && rules.every(r => r.peersField === 'to'
    ? list(r.peers).length > 0 && list(r.peers).every((peer, j) => infrastructureEgress({ rule: r, j, peer }))
    : isDeepStrictEqual(r.rule, { from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }] }));
}

/** Why a pod selector in a managed namespace may select pods the app does not declare there, or undefined. */
function unknownPods(ctx: ManifestContext, namespace: string, selector: unknown): string | undefined {
  if (selector === undefined) return `selects every pod of "${namespace}"`;
  if (endSelector(ctx, namespace, selector)) return undefined;
  const names = pinnedValues(selector, WORKLOAD_LABEL);
  if (names === undefined) return `does not pin \`${WORKLOAD_LABEL}\` to workload names, so it selects any pod of "${namespace}" whose labels match`;
  const workloads = declared(ctx).get(namespace)!.workloads;
  const unknown = names.filter(n => !workloads.has(n));
  if (unknown.length > 0) return `selects ${unknown.map(n => `"${n}"`).join(', ')}, which the app does not declare in "${namespace}"`;
  return undefined;
}

/** The rules of this file, each rule one object. */
export const OPENING_RULES: Rule[] = [
  {
    id: 'ZT419',
    title: 'NetworkPolicy namespaceSelector not pinned to namespace names',
    severity: RuleSeverity.ERROR,
    rationale: 'The ZT416 proof knows only the app\'s pods. A namespaceSelector that does not require `kubernetes.io/metadata.name` to be managed names (by matchLabels or an `In` expression) selects, by labels or by NotIn, Exists or DoesNotExist expressions, any namespace that matches, including namespaces created later by others.',
    suppressible: true,
    check(ctx) {
      return namespacePeers(ctx).filter(p => p.pinned === undefined).map(p => finding('ZT419', p.rule.o, `${peerField(p)}.namespaceSelector`,
        `the namespaceSelector does not pin \`${NAMESPACE_NAME_LABEL}\` to namespace names, so it selects every namespace whose labels match, `
        + 'managed by the app or not, and the proof cannot see their pods',
        `Select the namespace by \`${NAMESPACE_NAME_LABEL}\` in matchLabels, naming a managed namespace.`));
    },
  },
  {
    id: 'ZT420',
    title: 'NetworkPolicy peer in a namespace the app does not manage',
    severity: RuleSeverity.ERROR,
    rationale: 'Pods of a namespace the app does not manage are invisible to the ZT416 proof. Only the egress that ZeroTrustNamespace emits to cluster DNS (kube-system `k8s-app: kube-dns`, 53 TCP/UDP) and istiod (istio-system `app: istiod`, TCP 15012), and the peer of a flow end the app declares there (its namespace by name AND exactly its pod labels), are exempt, in exactly those shapes.',
    suppressible: true,
    check(ctx) {
      return namespacePeers(ctx).flatMap(p => {
        const outside = (p.pinned ?? []).filter(name => !ctx.managed.has(name));
        if (outside.length === 0 || infrastructureEgress(p) || endPeer(ctx, p.peer)) return [];
        return [finding('ZT420', p.rule.o, peerField(p),
          `the peer selects pods of ${outside.map(n => `"${n}"`).join(', ')}, which the app does not manage, so the proof cannot see them`,
          'Declare the peer as a MeshedService in a ZeroTrustNamespace and allow the flow (cluster DNS and istiod only in the exact rules '
          + 'ZeroTrustNamespace emits), or suppress ZT420 with a reason.')];
      });
    },
  },
  {
    id: 'ZT421',
    title: 'ALLOW AuthorizationPolicy source naming an identity or namespace the app does not declare',
    severity: RuleSeverity.ERROR,
    rationale: 'A principal other than `<trust domain>/ns/<managed namespace>/sa/<ServiceAccount>` of a MeshedService or of a pod template the app emits (never `default`), or the principal of a flow end the app declares (a gateway, a platform peer), or a namespace the app does not manage, admits pods the ZT416 proof cannot see; so does a source that names no principals but namespaces or requestPrincipals, which admit any ServiceAccount, including ones created later. Wildcards are ZT406\'s and `spiffe://` principals ZT405\'s.',
    suppressible: true,
    check(ctx) {
      const principals = new Set([...[...declared(ctx).values()].flatMap(d => [...d.principals]), ...(ctx.ends ?? []).map(e => e.principal)]);
      const unnamed = allowSources(ctx).flatMap(({ o, field, source }) => {
        const positive = positiveSourceFields(source);
        const keys = positive.filter(key => key === 'namespaces' || key === 'requestPrincipals');
        return keys.length === 0 || positive.includes('principals') ? [] : [finding('ZT421', o, field,
          `the source names no principals, only ${keys.join(' and ')}, which admit pods of any ServiceAccount, including ones created later that the proof cannot see`,
          'Name the clients in `from[].source.principals`, or suppress ZT421 with a reason.')];
      });
      // Wildcards are ZT406's, and a spiffe:// principal never matches (ZT405).
      const entries = sourceEntries(ctx).filter(e => allowPolicy(e.o) && !e.value.includes('*') && !e.value.startsWith(SPIFFE_SCHEME));
      return [
        ...unnamed,
        ...entries.filter(e => e.key === 'principals' && !principals.has(e.value)).map(e => finding('ZT421', e.o, sourceField(e),
          `principal "${e.value}" is not the identity of a workload the app declares in a managed namespace, so it admits pods the proof cannot see`,
          'Name the principal of a MeshedService (`service.principal`), or suppress ZT421 with a reason.')),
        ...entries.filter(e => e.key === 'namespaces' && !ctx.managed.has(e.value)).map(e => finding('ZT421', e.o, sourceField(e),
          `namespace "${e.value}" is not managed by the app, so it admits pods the proof cannot see`,
          'Name the clients\' principals, or manage the namespace with a ZeroTrustNamespace.')),
      ];
    },
  },
  {
    id: 'ZT422',
    title: 'ALLOW AuthorizationPolicy source that admits clients by address',
    severity: RuleSeverity.ERROR,
    rationale: 'A source of ipBlocks or remoteIpBlocks alone admits whoever has those addresses; no pod has an address at synth, so the ZT416 proof cannot tell which pods those are. Blocks that together cover an address family (`0.0.0.0/1` and `128.0.0.0/1`) admit everyone. The AuthorizationPolicy of an IngressGateway, exactly as declared, is exempt: its sources are the clients outside the mesh that it declares.',
    suppressible: true,
    check(ctx) {
      // A declared gateway admits its declared sources by address: they are its clients, outside the mesh.
      return allowSources(ctx).filter(({ o }) => !declaredObject(ctx, o)).flatMap(({ o, field, source }) => {
        const positive = positiveSourceFields(source);
        if (positive.length === 0 || !positive.every(key => key === 'ipBlocks' || key === 'remoteIpBlocks')) return [];
        const values = positive.flatMap(key => list(source[key])).filter(v => typeof v === 'string');
        const families = coveredFamilies(values.flatMap(v => parseCidr(v, true) ?? []).flatMap(withMappedIpv4));
        const extent = families.length > 0
          ? `, which together cover every ${families.map(f => `IPv${f}`).join(' and every ')} address`
          : ', and no pod has an address at synth, so the proof cannot tell which pods those are';
        return [finding('ZT422', o, field, `the source admits clients by address alone (${values.join(', ')})${extent}`,
          'Name the clients in `from[].source.principals`, or suppress ZT422 with a reason.')];
      });
    },
  },
  {
    id: 'ZT423',
    title: 'Istio policy in the mesh\'s root namespace that opens every namespace',
    severity: RuleSeverity.ERROR,
    rationale: 'A PeerAuthentication in istio-system with a PERMISSIVE or DISABLE mode (whole or per port), or a Sidecar there with `outboundTrafficPolicy: ALLOW_ANY`, applies to every namespace of the mesh, managed or not. Mesh-wide hardening (STRICT mTLS, allow-nothing or DENY AuthorizationPolicies, RequestAuthentications) passes; the root\'s ALLOW AuthorizationPolicies meet the source rules (ZT406, ZT407, ZT421, ZT422) and the ZT416 proof reads them.',
    suppressible: true,
    check(ctx) {
      // The root's ALLOW AuthorizationPolicies meet the source rules (ZT406, ZT407, ZT421, ZT422); the analyzer folds them into the proof.
      const where = 'the mesh\'s root namespace applies it to every namespace, managed or not';
      return [
        ...rootObjects(ctx, ['PeerAuthentication']).flatMap(o => weakMtlsModes(o).map(({ field, mode }) => finding('ZT423', o, field,
          `${where}, and mTLS mode ${mode} admits plaintext clients without an identity`,
          'Use STRICT, or write the policy in the namespace it is for, or suppress ZT423 with a reason.'))),
        ...rootObjects(ctx, ['Sidecar']).filter(o => o.spec.outboundTrafficPolicy?.mode === 'ALLOW_ANY').map(o => finding('ZT423', o,
          'spec.outboundTrafficPolicy.mode', `${where}, and ALLOW_ANY lets the proxies pass traffic to any host outside the mesh registry`,
          'Use REGISTRY_ONLY, or suppress ZT423 with a reason.')),
      ];
    },
  },
  {
    id: 'ZT424',
    title: 'Service or pod port exposed on node or external addresses',
    severity: RuleSeverity.ERROR,
    rationale: 'A Service of type LoadBalancer or NodePort, `externalIPs`, or a container `hostPort` lets clients outside the cluster, or any host that reaches a node, connect; no flow can declare such an entry yet.',
    suppressible: true,
    check(ctx) {
      const fix = 'Reach the workload through declared flows from inside the cluster, or suppress ZT424 with a reason.';
      const services = landed(ctx, ['Service']).flatMap(o => [
        ...EXPOSED_SERVICE_TYPES.includes(o.spec.type) ? [finding('ZT424', o, 'spec.type',
          `a Service of type ${o.spec.type} opens the workload to clients outside the cluster, which no flow declares`, fix)] : [],
        ...list(o.spec.externalIPs).length > 0 ? [finding('ZT424', o, 'spec.externalIPs',
          `externalIPs ${list(o.spec.externalIPs).join(', ')} open the workload to whoever reaches those addresses, which no flow declares`, fix)] : [],
      ]);
      const hostPorts = podTemplates(ctx).flatMap(({ o, at, template }) => ['initContainers', 'containers'].flatMap(key =>
        list(template.spec?.[key]).flatMap((c, i) => list(c?.ports).flatMap((port, k) => !port?.hostPort ? [] : [
          finding('ZT424', o, `${at}spec.${key}[${i}].ports[${k}].hostPort`,
            `hostPort ${port.hostPort} opens the pod on its node's addresses to any host that reaches the node, which no flow declares`, fix),
        ]))));
      return [...services, ...hostPorts];
    },
  },
  {
    id: 'ZT425',
    title: 'Ingress, Gateway, route, gateway-bound VirtualService or ReferenceGrant in a managed namespace',
    severity: RuleSeverity.ERROR,
    rationale: 'Ingresses, Gateways (Gateway API or Istio), Gateway API routes and VirtualServices bound to a gateway (`gateways` naming anything but `mesh`) bring traffic from outside the cluster, through gateway pods the app does not declare (Istio deploys a Gateway\'s own pods and LoadBalancer Service), into the namespace; a ReferenceGrant lets routes of other namespaces do so. Only the Gateway and routes of an IngressGateway or an EgressGateway, exactly as it declares them (the Gateway\'s labels and annotations included, which Istio copies to the resources it deploys), pass: the ZT416 proof covers their pods and flows.',
    suppressible: true,
    check(ctx) {
      const fix = 'Remove it, or suppress ZT425 with a reason and review the gateway\'s access by hand.';
      // `mesh` names the sidecars of the mesh; any other name is a gateway.
      const boundToGateways = landed(ctx, ['VirtualService']).flatMap(o => list(o.spec.gateways).map((g, k) => [g, k] as const)
        .filter(([g]) => g !== 'mesh').map(([g, k]) => finding('ZT425', o, `spec.gateways[${k}]`,
          `gateway "${g}" brings traffic from outside the cluster, through gateway pods the app does not declare, to the VirtualService's hosts`, fix)));
      return [...boundToGateways, ...landed(ctx, ENTRY_KINDS).filter(o => !declaredObject(ctx, o)).map(o => finding('ZT425', o, '', o.manifest.kind === 'ReferenceGrant'
        ? 'it lets routes of other namespaces send traffic from their gateways, whose pods the app does not declare, into the namespace'
        : 'it brings traffic from outside the cluster, through gateway pods the app does not declare, into the namespace', fix))];
    },
  },
  {
    id: 'ZT426',
    title: 'Workloads or endpoints outside the pods the proof reads',
    severity: RuleSeverity.ERROR,
    rationale: 'WorkloadEntries and WorkloadGroups add workloads outside Kubernetes to the mesh with an identity of the namespace; hand-written Endpoints and EndpointSlices, mesh-internal ServiceEntries, and external ones with `endpoints`, point service names at addresses rather than at the app\'s pods; an external ServiceEntry for a cluster-internal host (`*.svc`, `*.local`, a short name or `<service>.<managed namespace>`) takes a service inside the cluster out of the mesh. The ZT416 proof sees none of them.',
    suppressible: true,
    check(ctx) {
      // An external ServiceEntry names hosts outside the mesh, as ZT415's fix asks; an internal one adds endpoints to it.
      const internal = (o: Landed) => o.manifest.kind !== 'ServiceEntry' || o.spec.location === 'MESH_INTERNAL' || o.spec.workloadSelector !== undefined;
      return landed(ctx, Object.keys(OUTSIDE_WORKLOADS)).flatMap(o => {
        if (!internal(o)) return externalEntryOpenings(ctx, o);
        const [problem, fix] = OUTSIDE_WORKLOADS[o.manifest.kind];
        return [finding('ZT426', o, '', `it ${problem}, which the proof does not see`, `${fix}, or suppress ZT426 with a reason.`)];
      });
    },
  },
  {
    id: 'ZT427',
    title: 'NetworkPolicy ingress from addresses outside the cluster',
    severity: RuleSeverity.ERROR,
    rationale: 'An ingress ipBlock outside the private, cluster-internal and link-local ranges admits clients outside the cluster by address; no flow declares such a client (ExternalPeer admits nothing inbound), so the ZT416 proof cannot see them. Blocks that ZT403 or ZT418 report are not reported again. The NetworkPolicy of an IngressGateway, exactly as declared, is exempt: its `sources` declare those clients.',
    suppressible: true,
    check(ctx) {
      // Every address is ZT403's and the internal ranges ZT418's; link-local blocks are node-local probes.
      // A declared gateway's NetworkPolicy admits its declared sources.
      return networkPolicyRules(ctx).filter(r => r.peersField === 'from' && !declaredObject(ctx, r.o)).flatMap(({ o, field, blocks }) =>
        blocksLeftByZt403(blocks).filter(b => !linkLocal(b.block.text) && internalRangesOf(b).length === 0).map(({ j, block }) =>
          finding('ZT427', o, `${field}.from[${j}].ipBlock`,
            `the ipBlock ${block.text} admits clients outside the cluster by address, which no flow declares (ExternalPeer admits nothing inbound)`,
            'Drop the peer, or suppress ZT427 with a reason.')));
    },
  },
  {
    id: 'ZT428',
    title: 'NetworkPolicy pod selector not pinned to workloads the app declares',
    severity: RuleSeverity.ERROR,
    rationale: 'A pod selector that lands in a managed namespace (a peer\'s podSelector, a peer\'s namespaceSelector without one, which selects every pod, or the podSelector of a policy with rules) must pin `zero-trust.cdk8s.io/workload` (by matchLabels or an `In` expression) to workloads the app declares there, or be exactly the pod labels of a flow end the app declares there (a gateway); any other selector also matches pods created later, such as `kubectl run -l role=debug`, which the ZT416 proof cannot see. The `{}` podSelector of the DNS, istiod and probe policies ZeroTrustNamespace emits is exempt, in exactly their shapes.',
    suppressible: true,
    check(ctx) {
      const fix = `Select pods by \`${WORKLOAD_LABEL}\`, naming MeshedServices of the namespace, or suppress ZT428 with a reason.`;
      const later = ', including pods created later that the proof cannot see';
      const peers = networkPolicyPeers(ctx).flatMap(p => {
        const { podSelector, namespaceSelector } = isObject(p.peer) ? p.peer : {} as Record<string, unknown>;
        // ipBlock peers select no pods; empty selectors are ZT402's, unpinned namespaceSelectors ZT419's, unmanaged namespaces ZT420's.
        if ((podSelector === undefined && namespaceSelector === undefined) || emptySelector(podSelector)) return [];
        const namespaces = namespaceSelector === undefined ? [namespaceOf(p.rule.o)] : emptySelector(namespaceSelector) ? []
          : (pinnedValues(namespaceSelector, NAMESPACE_NAME_LABEL) ?? []).filter(n => ctx.managed.has(n));
        return namespaces.flatMap(namespace => {
          const problem = unknownPods(ctx, namespace, podSelector);
          if (!problem) return [];
          return [podSelector === undefined ? finding('ZT428', p.rule.o, peerField(p), `the peer ${problem}${later}`, fix)
            : finding('ZT428', p.rule.o, `${peerField(p)}.podSelector`, `the podSelector ${problem}${later}`, fix)];
        });
      });
      const rulesOf = new Map<Landed, NetworkPolicyRule[]>();
      for (const r of networkPolicyRules(ctx)) addToList(rulesOf, r.o, r);
      const targets = [...rulesOf].filter(([o, rules]) => !namespaceWide(o, rules)).flatMap(([o]) => {
        const problem = unknownPods(ctx, namespaceOf(o), o.spec.podSelector ?? {});
        return problem ? [finding('ZT428', o, 'spec.podSelector', `the policy's podSelector ${problem}, and its rules also open pods created later that the proof cannot see`, fix)] : [];
      });
      return [...peers, ...targets];
    },
  },
  {
    id: 'ZT429',
    title: 'AuthorizationPolicy ALLOW rules over pods the app does not declare',
    severity: RuleSeverity.ERROR,
    rationale: 'The twin of ZT428 in Istio\'s layer: an ALLOW AuthorizationPolicy with rules that lands in a managed namespace must select pods by `zero-trust.cdk8s.io/workload` naming workloads the app declares there, or by exactly the pod labels of a flow end the app declares there (a gateway). Without a selector it applies to every pod of the namespace, and any other selector also matches pods created later, such as `kubectl run -l role=debug`: its rules admit their sources to pods the ZT416 proof cannot see, with NetworkPolicy alone left in the way. Policies with `targetRefs` (a waypoint\'s, per Service), DENY, AUDIT and CUSTOM policies, which cannot admit, and ALLOW policies without rules, which admit nothing, are exempt.',
    suppressible: true,
    check(ctx) {
      const fix = `Select pods by \`${WORKLOAD_LABEL}\` in spec.selector.matchLabels, naming a MeshedService of the namespace, or suppress ZT429 with a reason.`;
      return landed(ctx, ['AuthorizationPolicy'])
        .filter(o => (o.spec.action ?? 'ALLOW') === 'ALLOW' && list(o.spec.rules).length > 0 && o.spec.targetRefs === undefined && o.spec.targetRef === undefined)
        .flatMap(o => {
          const selector = o.spec.selector;
          const problem = unknownPods(ctx, namespaceOf(o), selector);
          if (!problem) return [];
          const subject = selector === undefined ? 'the policy has no selector, so it' : 'the selector';
          return [finding('ZT429', o, selector === undefined ? 'spec' : 'spec.selector',
            `${subject} ${problem}, and its rules admit their sources to pods created later that the proof cannot see`, fix)];
        });
    },
  },
];
