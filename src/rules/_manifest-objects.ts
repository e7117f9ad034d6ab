/**
 * The objects the manifest rules read: every synthesized object of the app, those that land in a managed namespace
 * grouped by kind, and views of them (NetworkPolicy rules and peers, pod templates) that several rules share, each
 * built once per context.
 */
import { isDeepStrictEqual } from 'util';
import { formatRuleMessage } from './_message';
import { ISTIO_ROOT_NAMESPACE, SUPPRESSION_ANNOTATION_PREFIX, manifestNamespace } from '../model/_constants';
import { isObject } from '../model/_label-selector';
import { POD_TEMPLATES } from '../model/_workload-rules';
import { MeshMode } from '../model/mesh-mode';
import { CidrBlock, cidrInterval, cidrsCover, coveredFamilies, parseCidr, withMappedIpv4 } from '../util/_cidr';
import { addToList } from '../util/_collections';

/** One synthesized object and the path of the ApiObject that emitted it (which may be built only when read). */
export interface ManifestObject {
  readonly manifest: any;
  readonly path: string;
}

/** What the rules know of a namespace that a ZeroTrustNamespace manages. */
export interface ManagedNamespace {
  readonly mesh: `${MeshMode}`;
  /** The SPIFFE trust domain of its identities; `cluster.local` when not given. */
  readonly trustDomain?: string;
  /** The names of the MeshedServices the app declares in it: each is a workload label value and a ServiceAccount name. */
  readonly services?: string[];
}

/** A flow end the app declares beside its MeshedServices, such as a gateway or a platform peer. */
export interface DeclaredEnd {
  /** The namespace of its pods, managed or not. */
  readonly namespace: string;
  /** The labels that select its pods. */
  readonly selector: { readonly [key: string]: string };
  /** Its Istio principal. */
  readonly principal: string;
}

/**
 * Egress to addresses that are not pods, declared for one workload: a MeshedService's external peer, an
 * EgressGateway's host addresses, the Kubernetes API server's (a PlatformPeer).
 */
export interface DeclaredAddresses {
  /** The namespace of the workload that may connect. */
  readonly namespace: string;
  /** The labels its NetworkPolicy selects it by. */
  readonly selector: { readonly [key: string]: string };
  /** The blocks, each the whole `ipBlock` of a peer. */
  readonly ipBlocks: ReadonlyArray<{ readonly cidr: string; readonly except?: readonly string[] }>;
  /** The TCP ports its egress rules name. */
  readonly ports: number[];
  /**
   * Whether the blocks may lie in the private or cluster-internal ranges, which ZT418 then accepts in exactly this
   * rule: the API server's addresses are there, an external peer's are not.
   * @default false
   */
  readonly internal?: boolean;
}

/** The input of the rules: every object of the app, the managed namespaces by name, and the other declared flow ends. */
export interface ManifestContext {
  readonly objects: ManifestObject[];
  readonly managed: Map<string, ManagedNamespace>;
  readonly ends?: DeclaredEnd[];
  readonly addresses?: DeclaredAddresses[];
  /**
   * The gateway objects the app's constructs declare (an IngressGateway's Gateway, routes and policies, an
   * EgressGateway's Gateway and TLSRoutes), rendered from the declarations alone: the rules accept exactly these
   * objects, and no other gateway, route or change to them.
   */
  readonly declared?: any[];
}

/** A broken rule: its id, the ApiObject's path and the full message. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
}

/** An object the rules check, with what the messages need. */
export interface Placed {
  readonly object: ManifestObject;
  readonly manifest: any;
  readonly spec: any;
}

/** An object in a managed namespace, and the namespace's mesh mode. */
export interface Landed extends Placed {
  readonly mesh: `${MeshMode}`;
}

/** `Kind namespace/name`, or `Namespace name`: built for findings only. */
export function whereOf(o: Placed): string {
  const { kind, metadata } = o.manifest;
  return kind === 'Namespace' ? `Namespace ${metadata.name}` : `${kind} ${manifestNamespace(o.manifest)}/${metadata.name}`;
}

/** Views of a context that several rules read, each built once per context. */
const views = new WeakMap<ManifestContext, Map<string, unknown>>();

export function view<T>(ctx: ManifestContext, name: string, build: () => T): T {
  let cache = views.get(ctx);
  if (!cache) {
    cache = new Map();
    views.set(ctx, cache);
  }
  let value = cache.get(name);
  if (value === undefined && !cache.has(name)) {
    value = build();
    cache.set(name, value);
  }
  return value as T;
}

/** The objects of each kind in managed namespaces: every rule reads a few kinds. */
export function landed(ctx: ManifestContext, kinds: string[]): Landed[] {
  const byKind = view(ctx, 'landed', () => {
    const groups = new Map<string, Landed[]>();
    for (const object of ctx.objects) {
      const manifest = object.manifest;
      if (!isObject(manifest) || typeof manifest.kind !== 'string') continue;
      const name = manifest.metadata?.name;
      const ns = manifest.kind === 'Namespace' ? name : manifestNamespace(manifest);
      const managed = typeof ns === 'string' ? ctx.managed.get(ns) : undefined;
      if (!managed) continue;
      const o = { object, manifest, spec: isObject(manifest.spec) ? manifest.spec : {}, mesh: managed.mesh };
      addToList(groups, manifest.kind, o);
    }
    return groups;
  });
  return kinds.length === 1 ? byKind.get(kinds[0]) ?? [] : kinds.flatMap(kind => byKind.get(kind) ?? []);
}

/** `apiVersion kind namespace/name` of a manifest: how a declared entry point is found. */
function declaredKey(m: any): string {
  return `${m.apiVersion} ${m.kind} ${manifestNamespace(m)}/${m.metadata?.name}`;
}

/** The labels and annotations of a manifest, but the suppressions' annotations, which only record reasons. */
function declaredMetadata(m: any): { labels: unknown; annotations: unknown } {
  const annotations = Object.entries(isObject(m.metadata?.annotations) ? m.metadata.annotations : {})
    .filter(([key]) => !key.startsWith(SUPPRESSION_ANNOTATION_PREFIX));
  return { labels: m.metadata?.labels ?? {}, annotations: Object.fromEntries(annotations) };
}

/**
 * Whether an object is exactly one the app declares as a gateway object: same apiVersion, kind, place and spec, and,
 * where the declared one gives labels or annotations (a Gateway whose labels and annotations Istio copies to the
 * resources it deploys), the same labels and annotations too.
 */
export function declaredObject(ctx: ManifestContext, o: Placed): boolean {
  const byKey = view(ctx, 'declaredObjects', () => new Map((ctx.declared ?? []).map(m => [declaredKey(m), m])));
  const twin = byKey.get(declaredKey(o.manifest));
  if (twin === undefined || !isDeepStrictEqual(twin.spec, o.manifest.spec)) return false;
  return twin.metadata?.labels === undefined && twin.metadata?.annotations === undefined
    || isDeepStrictEqual(declaredMetadata(twin), declaredMetadata(o.manifest));
}

/** The namespace an object lands in. */
export function namespaceOf(o: Placed): string {
  return manifestNamespace(o.manifest);
}

export function meshed(o: Landed): boolean {
  return o.mesh !== MeshMode.NONE;
}

/** The objects of the given kinds in the mesh's root namespace, whose Istio policies apply to every namespace. */
export function rootObjects(ctx: ManifestContext, kinds: string[]): Placed[] {
  const all = view(ctx, 'rootObjects', () => ctx.objects.filter(({ manifest }) => isObject(manifest) && manifestNamespace(manifest) === ISTIO_ROOT_NAMESPACE)
    .map(object => ({ object, manifest: object.manifest, spec: isObject(object.manifest.spec) ? object.manifest.spec : {} })));
  return all.filter(o => kinds.includes(o.manifest.kind));
}

/** The AuthorizationPolicies that apply to managed namespaces: theirs, and the mesh-wide ones of the root namespace. */
export function authorizationPolicies(ctx: ManifestContext): Placed[] {
  return view(ctx, 'authorizationPolicies', () => [...landed(ctx, ['AuthorizationPolicy']), ...rootObjects(ctx, ['AuthorizationPolicy'])]);
}

/** A string in a source field of an AuthorizationPolicy: `spec.rules[i].from[j].source.<key>[k]`. */
export interface SourceEntry {
  readonly o: Placed;
  readonly i: number;
  readonly j: number;
  readonly key: string;
  readonly k: number;
  readonly value: string;
}

const SOURCE_STRING_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces'];

/** Every string in the identity fields of every AuthorizationPolicy. */
export function sourceEntries(ctx: ManifestContext): SourceEntry[] {
  return view(ctx, 'sourceEntries', () => {
    const entries: SourceEntry[] = [];
    for (const o of authorizationPolicies(ctx)) {
      list(o.spec.rules).forEach((rule, i) => list(rule?.from).forEach((from, j) => SOURCE_STRING_FIELDS.forEach(key =>
        list(from?.source?.[key]).forEach((value, k) => {
          if (typeof value === 'string') entries.push({ o, i, j, key, k, value });
        }))));
    }
    return entries;
  });
}

export function sourceField(e: SourceEntry): string {
  return `spec.rules[${e.i}].from[${e.j}].source.${e.key}[${e.k}]`;
}

export function finding(ruleId: string, o: Placed, field: string, problem: string, fix: string): Finding {
  const place = field ? `${whereOf(o)}, ${field}` : whereOf(o);
  const path = o.object.path;
  return { ruleId, path, message: formatRuleMessage(ruleId, path, `${place}: ${problem}`, fix) };
}

export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** A rule of a NetworkPolicy, with its field name, its peers (undefined when absent) and their ipBlocks. */
export interface NetworkPolicyRule {
  readonly o: Landed;
  readonly field: string;
  readonly peersField: string;
  readonly rule: any;
  readonly peers: unknown;
  readonly blocks: RuleBlock[];
}

/** Every rule of every NetworkPolicy. */
export function networkPolicyRules(ctx: ManifestContext): NetworkPolicyRule[] {
  return view(ctx, 'networkPolicyRules', () => landed(ctx, ['NetworkPolicy']).flatMap(o =>
    [['ingress', 'from'], ['egress', 'to']].flatMap(([direction, peersField]) => list(o.spec[direction]).map((rule, i) => {
      const peers = rule?.[peersField];
      return { o, field: `spec.${direction}[${i}]`, peersField, rule, peers, blocks: ruleBlocks(peers) };
    }))));
}

/** A peer of a NetworkPolicy rule: `<rule field>.<peers field>[j]`. */
export interface NetworkPolicyPeer {
  readonly rule: NetworkPolicyRule;
  readonly j: number;
  readonly peer: any;
}

/** Every peer of every NetworkPolicy rule. */
export function networkPolicyPeers(ctx: ManifestContext): NetworkPolicyPeer[] {
  return view(ctx, 'networkPolicyPeers', () => networkPolicyRules(ctx).flatMap(rule => list(rule.peers).map((peer, j) => ({ rule, j, peer }))));
}

export function peerField({ rule, j }: NetworkPolicyPeer): string {
  return `${rule.field}.${rule.peersField}[${j}]`;
}

export function emptySelector(selector: unknown): boolean {
  return isObject(selector) && Object.keys(selector.matchLabels ?? {}).length === 0 && list(selector.matchExpressions).length === 0;
}

export function everyAddress(cidr: unknown): boolean {
  return typeof cidr === 'string' && parseCidr(cidr)?.prefix === 0;
}

export function emptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

export function cidrs(values: unknown): CidrBlock[] {
  return list(values).flatMap(v => (typeof v === 'string' ? parseCidr(v) : undefined) ?? []);
}

/** An ipBlock of a rule, with the index of its peer. */
export interface RuleBlock {
  readonly j: number;
  readonly block: CidrBlock;
  readonly except: CidrBlock[];
}

/** The ipBlocks of a rule's peers. */
export function ruleBlocks(peers: unknown): RuleBlock[] {
  return list(peers).flatMap((peer, j) => typeof peer?.ipBlock?.cidr !== 'string' ? []
    : cidrs([peer.ipBlock.cidr]).flatMap(withMappedIpv4).map(block => ({ j, block, except: cidrs(peer.ipBlock.except) })));
}

export function allowPolicy(o: Placed): boolean {
  return (o.spec.action ?? 'ALLOW') === 'ALLOW';
}

/** The pod templates of workloads (Pods and the kinds that own pods), with the field that holds them. */
export function podTemplates(ctx: ManifestContext): Array<{ o: Landed; at: string; template: any }> {
  return view(ctx, 'podTemplates', () => landed(ctx, Object.keys(POD_TEMPLATES)).flatMap(o => {
    const { at, template } = POD_TEMPLATES[o.manifest.kind];
    const t = template(o.manifest);
    return isObject(t) ? [{ o, at, template: t }] : [];
  }));
}

const POSITIVE_SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks'];

/** The fields of an AuthorizationPolicy source that name whom it admits (not the not-forms), non-empty ones only. */
export function positiveSourceFields(source: Record<string, any>): string[] {
  return POSITIVE_SOURCE_FIELDS.filter(key => list(source[key]).length > 0);
}

/** Whether a CIDR block lies in the link-local ranges (169.254.0.0/16, fe80::/10), where node-local probes come from. */
export function linkLocal(cidr: unknown): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
  if (!block) return false;
  const [prefix, network] = block.family === 4 ? [16, 0xa9fen] : [10, 0x3fan];
  return block.prefix >= prefix && block.network / 2n ** BigInt(block.prefix - prefix) === network;
}

/** Where pods and Services get their addresses: the private ranges and the carrier-grade NAT range. */
const INTERNAL_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'].map(c => parseCidr(c)!);

/** The internal ranges a block reaches into, beyond what its `except` blocks remove. */
export function internalRangesOf({ block, except }: RuleBlock): CidrBlock[] {
  const [start, end] = cidrInterval(block);
  return INTERNAL_RANGES.filter(r => r.family === block.family).filter(r => {
    const [s, e] = cidrInterval(r);
    const overlap: [bigint, bigint] = [s > start ? s : start, e < end ? e : end];
    return overlap[0] < overlap[1] && !cidrsCover(except.filter(x => x.family === r.family), overlap);
  });
}

/** The ipBlocks of a rule but those of a family the rule covers whole, which ZT403 reports. */
export function blocksLeftByZt403(blocks: RuleBlock[]): RuleBlock[] {
  if (blocks.length === 0) return blocks;
  const reported = coveredFamilies(blocks.map(b => b.block));
  return blocks.filter(b => !reported.includes(b.block.family));
}

/** The PERMISSIVE and DISABLE modes of a PeerAuthentication, whole or per port, with their fields. */
export function weakMtlsModes(o: Placed): Array<{ field: string; mode: string }> {
  const modes: Array<{ field: string; mode: unknown }> = [{ field: 'spec.mtls.mode', mode: o.spec.mtls?.mode }];
  const ports = isObject(o.spec.portLevelMtls) ? o.spec.portLevelMtls : {};
  for (const port of Object.keys(ports).sort()) modes.push({ field: `spec.portLevelMtls.${port}.mode`, mode: ports[port]?.mode });
  return modes.filter((m): m is { field: string; mode: string } => m.mode === 'PERMISSIVE' || m.mode === 'DISABLE');
}

/** Whether a host may name a service of the mesh: a short name, a `svc` name, `*.local` or a bare `*`. */
export function meshHost(host: unknown): boolean {
  if (typeof host !== 'string') return false;
  const name = host.replace(/^\*\.?/, '');
  const labels = name.split('.');
  return name === '' || labels.length === 1 || labels.includes('svc') || labels[labels.length - 1] === 'local';
}
