/**
 * The zero-trust rules that inspect synthesized objects (ZT4xx errors, ZT5xx warnings), and the split of their
 * findings into errors, warnings and suppressed ones.
 * They check every object that lands in a managed namespace, whoever emitted it: they guard against the
 * library's bugs as much as the user's.
 */
import { IConstruct } from 'constructs';
import { ruleInfo, ruleMessage } from './_catalog';
import { CidrBlock, parseCidr } from './_cidr';
import { addToList } from './_collections';
import { WORKLOAD_LABEL } from './_constants';
import { compareStrings } from './_flow';
import { isObject } from './_label-selector';
import { POD_TEMPLATES, meshOptOuts, serviceAccountOf } from './_workload-rules';
import { MeshMode } from './mesh-mode';
import { RuleSeverity } from './rule-info';
import { ZeroTrustRules } from './zero-trust-rules';

/** One synthesized object and the path of the ApiObject that emitted it (which may be built only when read). */
export interface ManifestObject {
  readonly manifest: any;
  readonly path: string;
}

/** What the rules know of a namespace that a ZeroTrustNamespace manages. */
export interface ManagedNamespace {
  readonly mesh: `${MeshMode}`;
}

/** The input of the rules: every object of the app, and the managed namespaces by name. */
export interface ManifestContext {
  readonly objects: ManifestObject[];
  readonly managed: Map<string, ManagedNamespace>;
}

/** A broken rule: its id, the ApiObject's path and the full message. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
}

/** An object in a managed namespace, with what the messages need. */
interface Landed {
  readonly object: ManifestObject;
  readonly manifest: any;
  readonly spec: any;
  readonly mesh: `${MeshMode}`;
}

/** `Kind namespace/name`, or `Namespace name`: built for findings only. */
function whereOf(o: Landed): string {
  const { kind, metadata } = o.manifest;
  return kind === 'Namespace' ? `Namespace ${metadata.name}` : `${kind} ${metadata.namespace}/${metadata.name}`;
}

const ENROLMENT_LABELS: Record<string, [string, string]> = {
  sidecar: ['istio-injection', 'enabled'],
  ambient: ['istio.io/dataplane-mode', 'ambient'],
};

const OPT_OUT_LABELS: Array<[string, string]> = [['istio-injection', 'disabled'], ['istio.io/dataplane-mode', 'none']];

/** Views of a context that several rules read, each built once per context. */
const views = new WeakMap<ManifestContext, Map<string, unknown>>();

function view<T>(ctx: ManifestContext, name: string, build: () => T): T {
  let cache = views.get(ctx);
  if (!cache) {
    cache = new Map();
    views.set(ctx, cache);
  }
  if (!cache.has(name)) cache.set(name, build());
  return cache.get(name) as T;
}

/** The objects of each kind in managed namespaces: every rule reads a few kinds. */
function landed(ctx: ManifestContext, kinds: string[]): Landed[] {
  const byKind = view(ctx, 'landed', () => {
    const groups = new Map<string, Landed[]>();
    for (const object of ctx.objects) {
      const manifest = object.manifest;
      if (!isObject(manifest) || typeof manifest.kind !== 'string') continue;
      const name = manifest.metadata?.name;
      const ns = manifest.kind === 'Namespace' ? name : manifest.metadata?.namespace;
      const managed = typeof ns === 'string' ? ctx.managed.get(ns) : undefined;
      if (!managed) continue;
      const o = { object, manifest, spec: isObject(manifest.spec) ? manifest.spec : {}, mesh: managed.mesh };
      addToList(groups, manifest.kind, o);
    }
    return groups;
  });
  return kinds.length === 1 ? byKind.get(kinds[0]) ?? [] : kinds.flatMap(kind => byKind.get(kind) ?? []);
}

function meshed(o: Landed): boolean {
  return o.mesh !== MeshMode.NONE;
}

function finding(ruleId: string, o: Landed, field: string, problem: string, fix: string): Finding {
  const place = field ? `${whereOf(o)}, ${field}` : whereOf(o);
  const path = o.object.path;
  return { ruleId, path, message: ruleMessage(ruleId, path, `${place}: ${problem}`, fix) };
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** A rule of a NetworkPolicy, with its field name, its peers (undefined when absent) and their ipBlocks. */
interface NetworkPolicyRule {
  readonly o: Landed;
  readonly field: string;
  readonly peersField: string;
  readonly rule: any;
  readonly peers: unknown;
  readonly blocks: RuleBlock[];
}

/** Every rule of every NetworkPolicy. */
function networkPolicyRules(ctx: ManifestContext): NetworkPolicyRule[] {
  return view(ctx, 'networkPolicyRules', () => landed(ctx, ['NetworkPolicy']).flatMap(o =>
    [['ingress', 'from'], ['egress', 'to']].flatMap(([direction, peersField]) => list(o.spec[direction]).map((rule, i) => {
      const peers = rule?.[peersField];
      return { o, field: `spec.${direction}[${i}]`, peersField, rule, peers, blocks: ruleBlocks(peers) };
    }))));
}

/** A peer of a NetworkPolicy rule: `<rule field>.<peers field>[j]`. */
interface NetworkPolicyPeer {
  readonly rule: NetworkPolicyRule;
  readonly j: number;
  readonly peer: any;
}

/** Every peer of every NetworkPolicy rule. */
function networkPolicyPeers(ctx: ManifestContext): NetworkPolicyPeer[] {
  return view(ctx, 'networkPolicyPeers', () => networkPolicyRules(ctx).flatMap(rule => list(rule.peers).map((peer, j) => ({ rule, j, peer }))));
}

function peerField({ rule, j }: NetworkPolicyPeer): string {
  return `${rule.field}.${rule.peersField}[${j}]`;
}

function emptySelector(selector: unknown): boolean {
  return isObject(selector) && Object.keys(selector.matchLabels ?? {}).length === 0 && list(selector.matchExpressions).length === 0;
}

function everyAddress(cidr: unknown): boolean {
  return typeof cidr === 'string' && parseCidr(cidr)?.prefix === 0;
}

function emptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

/** Whether a peer selects a bounded set: not empty, no empty selector, no ipBlock of every address. */
function narrowPeer(peer: unknown): boolean {
  return isObject(peer) && !emptyObject(peer) && !emptySelector(peer.namespaceSelector)
    && !emptySelector(peer.podSelector) && !everyAddress(peer.ipBlock?.cidr);
}

/** Whether a CIDR block lies in the link-local ranges (169.254.0.0/16, fe80::/10), where node-local probes come from. */
function linkLocal(cidr: unknown): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
  if (!block) return false;
  const [prefix, network] = block.family === 4 ? [16, 0xa9fen] : [10, 0x3fan];
  return block.prefix >= prefix && block.network / 2n ** BigInt(block.prefix - prefix) === network;
}

function zt401(ctx: ManifestContext): Finding[] {
  const noPeers = networkPolicyRules(ctx).filter(r => list(r.peers).length === 0).map(({ o, field, peersField }) =>
    finding('ZT401', o, field, `the rule has no \`${peersField}\`, so it admits every peer`,
      `List the peers in \`${peersField}\`, or drop the rule.`));
  const emptyPeers = networkPolicyPeers(ctx).filter(({ peer }) => emptyObject(peer)).map(p =>
    finding('ZT401', p.rule.o, peerField(p), 'the peer is empty ({}), so it admits every pod of every namespace and every address',
      'Select the peer\'s namespace and pods in one peer.'));
  return [...noPeers, ...emptyPeers];
}

function zt402(ctx: ManifestContext): Finding[] {
  const problems: Record<string, string> = {
    namespaceSelector: 'an empty namespaceSelector selects every namespace',
    podSelector: 'an empty podSelector selects every pod of the selected namespaces',
  };
  const findings: Finding[] = [];
  for (const p of networkPolicyPeers(ctx)) {
    for (const s of ['namespaceSelector', 'podSelector']) {
      if (emptySelector(p.peer?.[s])) {
        findings.push(finding('ZT402', p.rule.o, `${peerField(p)}.${s}`, problems[s], 'Give the selector matchLabels that name the peer (namespaces by `kubernetes.io/metadata.name`).'));
      }
    }
  }
  return findings;
}

/** A block as the half-open interval of its addresses. */
function interval(b: CidrBlock): [bigint, bigint] {
  const size = 2n ** BigInt((b.family === 4 ? 32 : 128) - b.prefix);
  return [b.network * size, (b.network + 1n) * size];
}

/** Whether the blocks together cover the interval [start, end). */
function covers(blocks: CidrBlock[], [start, end]: [bigint, bigint]): boolean {
  let reached = start;
  for (const [s, e] of blocks.map(interval).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (s > reached) break;
    if (e > reached) reached = e;
  }
  return reached >= end;
}

function cidrs(values: unknown): CidrBlock[] {
  return list(values).flatMap(v => (typeof v === 'string' ? parseCidr(v) : undefined) ?? []);
}

/** An ipBlock of a rule, with the index of its peer. */
interface RuleBlock {
  readonly j: number;
  readonly block: CidrBlock;
  readonly except: CidrBlock[];
}

/** The ipBlocks of a rule's peers. */
function ruleBlocks(peers: unknown): RuleBlock[] {
  return list(peers).flatMap((peer, j) => typeof peer?.ipBlock?.cidr !== 'string' ? []
    : cidrs([peer.ipBlock.cidr]).map(block => ({ j, block, except: cidrs(peer.ipBlock.except) })));
}

/** The families whose whole space the blocks cover together; `except` is ignored, as it only removes part. */
function everyAddressFamilies(blocks: Array<{ block: CidrBlock }>): Array<4 | 6> {
  if (blocks.length === 0) return [];
  return ([4, 6] as const).filter(f => covers(blocks.map(b => b.block).filter(b => b.family === f), [0n, 2n ** (f === 4 ? 32n : 128n)]));
}

function zt403(ctx: ManifestContext): Finding[] {
  const fix = 'Name the smallest CIDR block that holds the peer.';
  return networkPolicyRules(ctx).flatMap(({ o, field, peersField, blocks }) => {
    return everyAddressFamilies(blocks).map(family => {
      const own = blocks.filter(b => b.block.family === family);
      const whole = own.find(b => b.block.prefix === 0);
      return whole
        ? finding('ZT403', o, `${field}.${peersField}[${whole.j}].ipBlock`, `the ipBlock ${whole.block.text} covers every address`, fix)
        : finding('ZT403', o, `${field}.${peersField}`, `the ipBlocks ${own.map(b => b.block.text).join(', ')} together cover every IPv${family} address`, fix);
    });
  });
}

function zt404(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['NetworkPolicy']).filter(o => list(o.spec.policyTypes).length === 0).map(o =>
    finding('ZT404', o, 'spec.policyTypes', 'policyTypes is missing or empty, so Kubernetes guesses the directions from the rules present',
      'Set policyTypes to the directions the policy isolates, such as ["Ingress", "Egress"].'));
}

function allowPolicy(o: Landed): boolean {
  return (o.spec.action ?? 'ALLOW') === 'ALLOW';
}

/** A string in a source field of an AuthorizationPolicy: `spec.rules[i].from[j].source.<key>[k]`. */
interface SourceEntry {
  readonly o: Landed;
  readonly i: number;
  readonly j: number;
  readonly key: string;
  readonly k: number;
  readonly value: string;
}

const SOURCE_STRING_FIELDS = ['principals', 'notPrincipals', 'namespaces'];

/** Every string in the identity fields of every AuthorizationPolicy. */
function sourceEntries(ctx: ManifestContext): SourceEntry[] {
  return view(ctx, 'sourceEntries', () => {
    const entries: SourceEntry[] = [];
    for (const o of landed(ctx, ['AuthorizationPolicy'])) {
      list(o.spec.rules).forEach((rule, i) => list(rule?.from).forEach((from, j) => SOURCE_STRING_FIELDS.forEach(key =>
        list(from?.source?.[key]).forEach((value, k) => {
          if (typeof value === 'string') entries.push({ o, i, j, key, k, value });
        }))));
    }
    return entries;
  });
}

function sourceField(e: SourceEntry): string {
  return `spec.rules[${e.i}].from[${e.j}].source.${e.key}[${e.k}]`;
}

function zt405(ctx: ManifestContext): Finding[] {
  return sourceEntries(ctx).filter(e => e.key !== 'namespaces' && e.value.startsWith('spiffe://')).map(e =>
    finding('ZT405', e.o, sourceField(e), `principal "${e.value}" has the spiffe:// scheme, which Istio principals never carry, so it never matches`,
      `Write it without the scheme: "${e.value.slice('spiffe://'.length)}".`));
}

function zt406(ctx: ManifestContext): Finding[] {
  return sourceEntries(ctx).filter(e => e.key !== 'notPrincipals' && allowPolicy(e.o) && e.value.includes('*')).map(e =>
    finding('ZT406', e.o, sourceField(e), `"${e.value}" is a wildcard, which admits identities nobody declared`, 'Name each client principal exactly.'));
}

const POSITIVE_SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks'];

/** Why an ALLOW source admits everyone, or undefined when it names someone. */
function openSource(source: unknown): string | undefined {
  if (!isObject(source) || emptyObject(source)) return 'the source is empty, so it admits every client';
  const positive = POSITIVE_SOURCE_FIELDS.filter(key => list(source[key]).length > 0);
  if (positive.length === 0) return 'the source has only not-forms, so it admits every client but those';
  if (positive.every(key => key.endsWith('pBlocks') && list(source[key]).every(everyAddress))) return 'the source\'s ipBlocks cover every address';
  return undefined;
}

function zt407(ctx: ManifestContext): Finding[] {
  const fix = 'Name the clients in `from[].source.principals`.';
  return landed(ctx, ['AuthorizationPolicy']).filter(allowPolicy).flatMap(o => list(o.spec.rules).flatMap((rule, i) => {
    if (list(rule?.from).length === 0) {
      return [finding('ZT407', o, `spec.rules[${i}]`, 'the ALLOW rule has no `from`, so it admits every client', fix)];
    }
    return list(rule.from).flatMap((from, j) => {
      const problem = openSource(from?.source);
      return problem ? [finding('ZT407', o, `spec.rules[${i}].from[${j}].source`, problem, fix)] : [];
    });
  }));
}

function zt408(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['PeerAuthentication']).filter(meshed).flatMap(o => {
    const modes: Array<[string, unknown]> = [['spec.mtls.mode', o.spec.mtls?.mode]];
    const ports = isObject(o.spec.portLevelMtls) ? o.spec.portLevelMtls : {};
    for (const port of Object.keys(ports).sort()) modes.push([`spec.portLevelMtls.${port}.mode`, ports[port]?.mode]);
    return modes.filter(([, mode]) => mode === 'PERMISSIVE' || mode === 'DISABLE').map(([field, mode]) =>
      finding('ZT408', o, field, `mTLS mode ${mode} admits plaintext clients without an identity`,
        'Use STRICT, or drop the mode to inherit the namespace\'s STRICT.'));
  });
}

function zt409(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['Namespace']).filter(meshed).flatMap(o => {
    const labels = isObject(o.manifest.metadata?.labels) ? o.manifest.metadata.labels : {};
    const [key, value] = ENROLMENT_LABELS[o.mesh];
    const found: Finding[] = [];
    if (labels[key] !== value) {
      const now = labels[key] === undefined ? 'missing' : `"${labels[key]}"`;
      found.push(finding('ZT409', o, `metadata.labels["${key}"]`, `the ${o.mesh} namespace's enrolment label is ${now}, so its pods join no mesh`,
        `Keep the label "${key}: ${value}" that ZeroTrustNamespace sets.`));
    }
    for (const [optKey, optValue] of OPT_OUT_LABELS) {
      if (optKey !== key && labels[optKey] === optValue) {
        found.push(finding('ZT409', o, `metadata.labels["${optKey}"]`,
          `the label "${optKey}: ${optValue}" opts the namespace out of the mesh`, 'Drop the label.'));
      }
    }
    return found;
  });
}

/** The pod templates of workloads (Pods and the kinds that own pods), with the field that holds them. */
function podTemplates(ctx: ManifestContext): Array<{ o: Landed; at: string; template: any }> {
  return view(ctx, 'podTemplates', () => landed(ctx, Object.keys(POD_TEMPLATES)).flatMap(o => {
    const { at, template } = POD_TEMPLATES[o.manifest.kind];
    const t = template(o.manifest);
    return isObject(t) ? [{ o, at, template: t }] : [];
  }));
}

function zt410(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ o }) => meshed(o)).flatMap(({ o, at, template }) =>
    meshOptOuts(template.metadata, o.mesh).map(({ field, problem }) => finding('ZT410', o, `${at}metadata.${field}`, problem,
      'Drop it: every pod of a meshed zero-trust namespace needs a mesh identity, on all its traffic.')));
}

function zt411(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ template }) => serviceAccountOf(template) === 'default').map(({ o, at }) =>
    finding('ZT411', o, `${at}spec.serviceAccountName`,
      'the pods run as the namespace\'s shared `default` ServiceAccount, so they have no identity of their own',
      'Run them as a MeshedService\'s ServiceAccount and enrol them with `service.enrol()`.'));
}

/** Whether a DestinationRule host may name a service of the mesh: a short name, a `svc` name, `*.local` or a bare `*`. */
function meshHost(host: unknown): boolean {
  if (typeof host !== 'string') return false;
  const name = host.replace(/^\*\.?/, '');
  const labels = name.split('.');
  return name === '' || labels.length === 1 || labels.includes('svc') || labels[labels.length - 1] === 'local';
}

function zt412(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['DestinationRule']).filter(o => meshed(o) && meshHost(o.spec.host)).flatMap(o => {
    const policies: Array<[string, any]> = [['spec.trafficPolicy', o.spec.trafficPolicy]];
    list(o.spec.subsets).forEach((s, i) => policies.push([`spec.subsets[${i}].trafficPolicy`, s?.trafficPolicy]));
    const modes = policies.flatMap(([field, policy]) => [[`${field}.tls.mode`, policy?.tls?.mode],
      ...list(policy?.portLevelSettings).map((p, i) => [`${field}.portLevelSettings[${i}].tls.mode`, p?.tls?.mode])]);
    return modes.filter(([, mode]) => mode !== undefined && mode !== 'ISTIO_MUTUAL').map(([field, mode]) =>
      finding('ZT412', o, field, `TLS mode ${mode} for host "${o.spec.host}" replaces Istio mTLS, so the server sees no client identity`,
        'Use ISTIO_MUTUAL, or drop the tls setting.'));
  });
}

function zt413(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ template }) => template.spec?.hostNetwork === true).map(({ o, at }) =>
    finding('ZT413', o, `${at}spec.hostNetwork`,
      'the pods share the node\'s network, which NetworkPolicies do not isolate and the mesh does not capture', 'Drop hostNetwork.'));
}

function zt414(ctx: ManifestContext): Finding[] {
  const namespaceWide = (o: Landed) => o.spec.selector === undefined || emptySelector(o.spec.selector);
  return landed(ctx, ['PeerAuthentication']).filter(o => meshed(o) && namespaceWide(o) && o.manifest.metadata?.name !== 'default').map(o =>
    finding('ZT414', o, 'spec.selector',
      'a second namespace-wide PeerAuthentication competes with the namespace\'s `default` one, and Istio applies the oldest',
      'Give it a selector, or change the namespace\'s `default` PeerAuthentication instead.'));
}

function zt415(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['Sidecar']).filter(o => meshed(o) && o.spec.outboundTrafficPolicy?.mode === 'ALLOW_ANY').map(o =>
    finding('ZT415', o, 'spec.outboundTrafficPolicy.mode', 'ALLOW_ANY lets the proxies pass traffic to any host outside the mesh registry',
      'Use REGISTRY_ONLY and declare outside hosts as ServiceEntries.'));
}

/** Where pods and Services get their addresses: the private ranges and the carrier-grade NAT range. */
const INTERNAL_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'].map(c => parseCidr(c)!);

function zt418(ctx: ManifestContext): Finding[] {
  return networkPolicyRules(ctx).flatMap(({ o, field, peersField, blocks }) => {
    const reported = everyAddressFamilies(blocks); // by ZT403
    return blocks.filter(b => !reported.includes(b.block.family)).flatMap(({ j, block, except }) => {
      const [start, end] = interval(block);
      const hit = INTERNAL_RANGES.filter(r => r.family === block.family).filter(r => {
        const [s, e] = interval(r);
        const overlap: [bigint, bigint] = [s > start ? s : start, e < end ? e : end];
        return overlap[0] < overlap[1] && !covers(except.filter(x => x.family === r.family), overlap);
      });
      return hit.length === 0 ? [] : [finding('ZT418', o, `${field}.${peersField}[${j}].ipBlock`,
        `the ipBlock ${block.text} overlaps the private or cluster-internal ${hit.map(r => r.text).join(', ')}, where pods and Services `
        + 'get their addresses, so it can admit them by address, bypassing their label-based identity',
        'Name a narrower external range, or suppress ZT418 with a reason.')];
    });
  });
}

function zt501(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['Namespace']).filter(o => !meshed(o)).map(o =>
    finding('ZT501', o, '', 'the namespace is outside the mesh: no mTLS and no principals, only NetworkPolicies',
      'Use MeshMode.SIDECAR or MeshMode.AMBIENT.'));
}

function others(group: Array<{ o: Landed }>, self: Landed): string {
  return group.filter(w => w.o !== self).map(w => whereOf(w.o)).sort().join(', ');
}

function zt502(ctx: ManifestContext): Finding[] {
  const bySa = new Map<string, Array<{ o: Landed; at: string; template: any }>>();
  for (const w of podTemplates(ctx)) {
    const sa = serviceAccountOf(w.template);
    if (sa === 'default') continue;
    const key = `${w.o.manifest.metadata.namespace}/${sa}`;
    addToList(bySa, key, w);
  }
  // Workloads enrolled into a MeshedService (its label names their ServiceAccount) share its identity on purpose.
  return [...bySa.values()].filter(group => group.length > 1).flatMap(group => group
    .filter(({ template }) => template.metadata?.labels?.[WORKLOAD_LABEL] !== serviceAccountOf(template))
    .map(({ o, at, template }) => finding('ZT502', o, `${at}spec.serviceAccountName`,
      `the pods share ServiceAccount "${serviceAccountOf(template)}" with ${others(group, o)}, so their policies cannot tell them apart`,
      'Give each workload its own ServiceAccount, or enrol it into the MeshedService whose identity it shares.')));
}

function zt503(ctx: ManifestContext): Finding[] {
  return networkPolicyRules(ctx).filter(({ rule, peers }) => list(rule?.ports).length === 0 && list(peers).length > 0
    && list(peers).every(narrowPeer)
    // Node-local probes (ambient mode SNATs them to 169.254.7.127) reach whatever port a probe names.
    && !list(peers).every(p => Object.keys(p).length === 1 && linkLocal(p.ipBlock?.cidr))).map(({ o, field }) =>
    finding('ZT503', o, `${field}.ports`, 'the rule has no ports, so it admits its peers on every port', 'List the ports the peers use.'));
}

/** Every manifest rule, in id order. */
export const MANIFEST_RULES: Array<{ id: string; check: (ctx: ManifestContext) => Finding[] }> = [
  { id: 'ZT401', check: zt401 },
  { id: 'ZT402', check: zt402 },
  { id: 'ZT403', check: zt403 },
  { id: 'ZT404', check: zt404 },
  { id: 'ZT405', check: zt405 },
  { id: 'ZT406', check: zt406 },
  { id: 'ZT407', check: zt407 },
  { id: 'ZT408', check: zt408 },
  { id: 'ZT409', check: zt409 },
  { id: 'ZT410', check: zt410 },
  { id: 'ZT411', check: zt411 },
  { id: 'ZT412', check: zt412 },
  { id: 'ZT413', check: zt413 },
  { id: 'ZT414', check: zt414 },
  { id: 'ZT415', check: zt415 },
  { id: 'ZT418', check: zt418 },
  { id: 'ZT501', check: zt501 },
  { id: 'ZT502', check: zt502 },
  { id: 'ZT503', check: zt503 },
];

function compareFindings(a: Finding, b: Finding): number {
  return compareStrings(a.path, b.path) || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message);
}

/** Runs every manifest rule; findings sorted by path, then rule id, then message. */
export function runManifestRules(ctx: ManifestContext): Finding[] {
  return MANIFEST_RULES.flatMap(r => r.check(ctx)).sort(compareFindings);
}

/**
 * Splits findings into errors, warnings and suppressed ones (those under a suppression of their rule), and
 * annotates every ApiObject under a suppression with its reason. Idempotent, so each synth may call it.
 */
export function applySuppressions(findings: Finding[], root: IConstruct): { errors: Finding[]; warnings: Finding[]; suppressed: Finding[] } {
  const suppressions = ZeroTrustRules._suppressions(root);
  ZeroTrustRules._annotate(root, suppressions);
  const result = { errors: [] as Finding[], warnings: [] as Finding[], suppressed: [] as Finding[] };
  for (const f of findings) {
    if (suppressions.some(s => s.ruleId === f.ruleId && ZeroTrustRules._covers(s.path, f.path))) {
      result.suppressed.push(f);
    } else if (ruleInfo(f.ruleId).severity === RuleSeverity.ERROR) {
      result.errors.push(f);
    } else {
      result.warnings.push(f);
    }
  }
  return result;
}
