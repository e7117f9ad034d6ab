/**
 * The rules that close the ZT416 proof's blind spot: the proof compares policies against the pods the app declares,
 * so anything in a managed namespace that can admit a pod, a workload or a client the app does not know is an opening
 * it cannot see. These rules refuse that whole class: selectors and sources that reach past the managed namespaces and
 * the declared identities, addresses, mesh-wide policies, and entry points from outside the cluster.
 */
import { isDeepStrictEqual } from 'util';
import {
  Finding, Landed, ManifestContext, NetworkPolicyPeer, NetworkPolicyRule, Placed, allowPolicy, authorizationPolicies, blocksLeftByZt403,
  emptySelector, finding, internalRangesOf, landed, linkLocal, list, meshHost, namespaceOf, networkPolicyPeers, networkPolicyRules, peerField,
  podTemplates, positiveSourceFields, rootObjects, sourceEntries, sourceField, view, weakMtlsModes,
} from './_manifest-objects';
import {
  AMBIENT_PROBE_SOURCE, DNS_EGRESS, ISTIOD_EGRESS, InfrastructureEgress, NAMESPACE_NAME_LABEL, WORKLOAD_LABEL, infrastructurePeer,
} from '../model/_constants';
import { SPIFFE_SCHEME, principalOf } from '../model/_identity';
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
  let values: string[] | undefined;
  const narrow = (next: string[]) => { values = values === undefined ? next : values.filter(v => next.includes(v)); };
  const label = isObject(selector.matchLabels) ? selector.matchLabels[key] : undefined;
  if (typeof label === 'string') narrow([label]);
  for (const e of list(selector.matchExpressions)) {
    if (e?.key === key && e.operator === 'In') narrow(list(e.values).filter(v => typeof v === 'string'));
  }
  return values;
}

/** Peers with a non-empty namespaceSelector (an empty one is ZT402's), and the names it pins. */
function namespacePeers(ctx: ManifestContext): Array<NetworkPolicyPeer & { pinned?: string[] }> {
  return view(ctx, 'namespacePeers', () => networkPolicyPeers(ctx)
    .filter(p => isObject(p.peer?.namespaceSelector) && !emptySelector(p.peer.namespaceSelector))
    .map(p => ({ ...p, pinned: pinnedValues(p.peer.namespaceSelector, NAMESPACE_NAME_LABEL) })));
}

function zt419(ctx: ManifestContext): Finding[] {
  return namespacePeers(ctx).filter(p => p.pinned === undefined).map(p => finding('ZT419', p.rule.o, `${peerField(p)}.namespaceSelector`,
    `the namespaceSelector does not pin \`${NAMESPACE_NAME_LABEL}\` to namespace names, so it selects every namespace whose labels match, `
    + 'managed by the app or not, and the proof cannot see their pods',
    `Select the namespace by \`${NAMESPACE_NAME_LABEL}\` in matchLabels, naming a managed namespace.`));
}

/** Whether a peer and its rule are exactly the DNS or istiod egress that ZeroTrustNamespace emits (ports may be fewer). */
function infrastructureEgress(p: NetworkPolicyPeer): boolean {
  const ports = list(p.rule.rule?.ports);
  const exact = (e: InfrastructureEgress) => isDeepStrictEqual(p.peer, infrastructurePeer(e)) && ports.length > 0
    && ports.every(port => isObject(port) && e.ports.some(q => isDeepStrictEqual({ protocol: 'TCP', ...port }, q)));
  return p.rule.peersField === 'to' && (exact(DNS_EGRESS) || exact(ISTIOD_EGRESS));
}

function zt420(ctx: ManifestContext): Finding[] {
  return namespacePeers(ctx).flatMap(p => {
    const outside = (p.pinned ?? []).filter(name => !ctx.managed.has(name));
    if (outside.length === 0 || infrastructureEgress(p)) return [];
    return [finding('ZT420', p.rule.o, peerField(p),
      `the peer selects pods of ${outside.map(n => `"${n}"`).join(', ')}, which the app does not manage, so the proof cannot see them`,
      'Declare the peer as a MeshedService in a ZeroTrustNamespace and allow the flow (cluster DNS and istiod only in the exact rules '
      + 'ZeroTrustNamespace emits), or suppress ZT420 with a reason.')];
  });
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
        d.principals.add(principalOf(ctx.managed.get(namespace)!.trustDomain ?? 'cluster.local', namespace, account));
      }
    };
    for (const [name, ns] of ctx.managed) for (const service of ns.services ?? []) add(name, service, service);
    for (const { o, template } of podTemplates(ctx)) add(namespaceOf(o), template.metadata?.labels?.[WORKLOAD_LABEL], serviceAccountOf(template));
    return byNamespace;
  });
}

function zt421(ctx: ManifestContext): Finding[] {
  const principals = new Set([...declared(ctx).values()].flatMap(d => [...d.principals]));
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
}

function zt422(ctx: ManifestContext): Finding[] {
  return allowSources(ctx).flatMap(({ o, field, source }) => {
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
}

function zt423(ctx: ManifestContext): Finding[] {
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
}

const EXPOSED_SERVICE_TYPES = ['LoadBalancer', 'NodePort'];

function zt424(ctx: ManifestContext): Finding[] {
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
}

const ENTRY_KINDS = ['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute', 'ReferenceGrant'];

function zt425(ctx: ManifestContext): Finding[] {
  const fix = 'Remove it, or suppress ZT425 with a reason and review the gateway\'s access by hand.';
  // `mesh` names the sidecars of the mesh; any other name is a gateway.
  const boundToGateways = landed(ctx, ['VirtualService']).flatMap(o => list(o.spec.gateways).map((g, k) => [g, k] as const)
    .filter(([g]) => g !== 'mesh').map(([g, k]) => finding('ZT425', o, `spec.gateways[${k}]`,
      `gateway "${g}" brings traffic from outside the cluster, through gateway pods the app does not declare, to the VirtualService's hosts`, fix)));
  return [...boundToGateways, ...landed(ctx, ENTRY_KINDS).map(o => finding('ZT425', o, '', o.manifest.kind === 'ReferenceGrant'
    ? 'it lets routes of other namespaces send traffic from their gateways, whose pods the app does not declare, into the namespace'
    : 'it brings traffic from outside the cluster, through gateway pods the app does not declare, into the namespace', fix))];
}

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

function zt426(ctx: ManifestContext): Finding[] {
  // An external ServiceEntry names hosts outside the mesh, as ZT415's fix asks; an internal one adds endpoints to it.
  const internal = (o: Landed) => o.manifest.kind !== 'ServiceEntry' || o.spec.location === 'MESH_INTERNAL' || o.spec.workloadSelector !== undefined;
  return landed(ctx, Object.keys(OUTSIDE_WORKLOADS)).flatMap(o => {
    if (!internal(o)) return externalEntryOpenings(ctx, o);
    const [problem, fix] = OUTSIDE_WORKLOADS[o.manifest.kind];
    return [finding('ZT426', o, '', `it ${problem}, which the proof does not see`, `${fix}, or suppress ZT426 with a reason.`)];
  });
}

function zt427(ctx: ManifestContext): Finding[] {
  // Every address is ZT403's and the internal ranges ZT418's; link-local blocks are node-local probes.
  return networkPolicyRules(ctx).filter(r => r.peersField === 'from').flatMap(({ o, field, blocks }) =>
    blocksLeftByZt403(blocks).filter(b => !linkLocal(b.block.text) && internalRangesOf(b).length === 0).map(({ j, block }) =>
      finding('ZT427', o, `${field}.from[${j}].ipBlock`,
        `the ipBlock ${block.text} admits clients outside the cluster by address, which no flow declares (ExternalPeer admits nothing inbound)`,
        'Drop the peer, or suppress ZT427 with a reason.')));
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
  const names = pinnedValues(selector, WORKLOAD_LABEL);
  if (names === undefined) return `does not pin \`${WORKLOAD_LABEL}\` to workload names, so it selects any pod of "${namespace}" whose labels match`;
  const unknown = names.filter(n => !declared(ctx).get(namespace)!.workloads.has(n));
  if (unknown.length > 0) return `selects ${unknown.map(n => `"${n}"`).join(', ')}, which the app does not declare in "${namespace}"`;
  return undefined;
}

function zt428(ctx: ManifestContext): Finding[] {
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
}

/** The rules of this file, by id. */
export const OPENING_RULES: Array<{ id: string; check: (ctx: ManifestContext) => Finding[] }> = [
  { id: 'ZT419', check: zt419 },
  { id: 'ZT420', check: zt420 },
  { id: 'ZT421', check: zt421 },
  { id: 'ZT422', check: zt422 },
  { id: 'ZT423', check: zt423 },
  { id: 'ZT424', check: zt424 },
  { id: 'ZT425', check: zt425 },
  { id: 'ZT426', check: zt426 },
  { id: 'ZT427', check: zt427 },
  { id: 'ZT428', check: zt428 },
];
