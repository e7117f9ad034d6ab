/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics: which policies isolate a pod, per direction,
 * and whether some rule of those policies admits a connection.
 */
import { NAMESPACE_NAME_LABEL, manifestNamespace } from '../model/_constants';
import { LabelMatcher, Labels, checkKeys, compileSelector, isObject } from '../model/_label-selector';
import { isPortNumber } from '../model/_ports';
import { CidrBlock, IpAddress, cidrContains, parseCidr } from '../util/_cidr';
import { compareStrings } from '../util/_collections';

/** The direction a policy isolates. */
export type Direction = 'ingress' | 'egress';

/** A container port of a pod. */
export interface EndpointPort {
  readonly port: number;
  readonly protocol: string;
  readonly name?: string;
}

/** One end of a connection: a pod (namespace, labels) or an external address. */
export interface Endpoint {
  /** `namespace/pod` or the external address. */
  readonly id: string;
  readonly pod?: {
    readonly namespace: string;
    readonly namespaceLabels: Labels;
    readonly labels: Labels;
    readonly ports: EndpointPort[];
  };
  readonly ip?: IpAddress;
}

/** The protocols a NetworkPolicy port may name. */
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** What a pod peer's selectors pin down, so that candidate pods can be looked up instead of scanned. */
export interface PeerHint {
  /** The one namespace the peer can match, when its selectors pin it down. */
  readonly namespace?: string;
  /** Labels every matching pod carries (the podSelector's matchLabels). */
  readonly labels: Labels;
}

/** A peer of a rule; ipBlock peers have no hint. */
export interface Peer {
  readonly hint?: PeerHint;
  matches(endpoint: Endpoint): boolean;
}

interface RulePort {
  readonly protocol: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** A rule of a policy. */
export interface Rule {
  /** Identifies equal rules (same policy namespace, same text), which many policies repeat; built on first use. */
  readonly key: string;
  /** A hash of the peer count and the ports: rules of different shapes differ, so only rules of one shape need `key`. */
  readonly shape: number;
  /** Undefined: every peer. */
  readonly peers?: Peer[];
  /** Undefined: every port. */
  readonly ports?: RulePort[];
}

/** A parsed NetworkPolicy. */
export interface NetworkPolicy {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly selects: LabelMatcher;
  /** Rules per direction; absent when the policy does not isolate that direction. */
  readonly ingress?: Rule[];
  readonly egress?: Rule[];
}

/**
 * Parsed peers by namespace and text: policies repeat the same peers (each flow names its server on the client and its
 * client on the server), and a peer is immutable once parsed, so one analysis parses each text once.
 */
export type PeerCache = Map<string, Peer>;

/**
 * Parses and validates one NetworkPolicy manifest; throws naming the object and field it does not understand.
 * @param peers parsed peers to reuse and add to, shared by the policies of one analysis
 */
export function parseNetworkPolicy(manifest: any, peers: PeerCache = new Map()): NetworkPolicy {
  const namespace = manifestNamespace(manifest);
  const id = `${namespace}/${manifest.metadata?.name}`;
  const where = `NetworkPolicy ${id}`;
  if (manifest.apiVersion !== 'networking.k8s.io/v1') {
    throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(manifest.apiVersion)} (expected networking.k8s.io/v1)`);
  }
  const spec = manifest.spec;
  if (!isObject(spec)) throw new Error(`${where}: spec is required`);
  checkKeys(spec, ['egress', 'ingress', 'podSelector', 'policyTypes'], `${where}: spec`);
  const types = policyTypes(spec, where);
  const rules = (dir: Direction) => types.includes(dir) ? parseRules(spec[dir], dir, namespace, `${where}: spec.${dir}`, peers) : undefined;
  return {
    id,
    namespace,
    // An absent podSelector is the empty one, which selects every pod of the namespace (the API's Go type has no
    // pointer, and kubernetes/kubernetes#131354 documents it as optional).
    selects: compileSelector(spec.podSelector ?? {}, `${where}: spec.podSelector`),
    ingress: rules('ingress'),
    egress: rules('egress'),
  };
}

// Absent or empty policyTypes default to Ingress, plus Egress when there is at least one egress rule (as the API server does).
function policyTypes(spec: any, where: string): Direction[] {
  const types = spec.policyTypes ?? [];
  if (!Array.isArray(types)) throw new Error(`${where}: spec.policyTypes: expected a list`);
  if (types.length === 0) return Array.isArray(spec.egress) && spec.egress.length > 0 ? ['ingress', 'egress'] : ['ingress'];
  return types.map((t: unknown, i: number) => {
    if (t !== 'Ingress' && t !== 'Egress') throw new Error(`${where}: spec.policyTypes[${i}]: unknown policy type ${JSON.stringify(t)}`);
    return t === 'Ingress' ? 'ingress' : 'egress';
  });
}

function parseRules(rules: unknown, dir: Direction, namespace: string, where: string, cache: PeerCache): Rule[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) throw new Error(`${where}: expected a list`);
  const peersKey = dir === 'ingress' ? 'from' : 'to';
  return rules.map((rule: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(rule)) throw new Error(`${at}: expected an object`);
    checkKeys(rule, [peersKey, 'ports'], at);
    const peers = optionalList(rule[peersKey], `${at}.${peersKey}`)?.map((p, j) => {
      const key = peerKey(namespace, p);
      let peer = cache.get(key);
      if (!peer) {
        peer = parsePeer(p, namespace, `${at}.${peersKey}[${j}]`);
        cache.set(key, peer);
      }
      return peer;
    });
    const ports = optionalList(rule.ports, `${at}.ports`)?.map((p, j) => parsePort(p, `${at}.ports[${j}]`));
    return new ParsedRule(namespace, rule, peers, ports);
  });
}

/**
 * A key equal for peers that parse alike: the namespace, then the peer's selectors when they are matchLabels of strings
 * (nearly every peer; cheaper than JSON), else its JSON. Strings carry their length, so no two peers share a key.
 */
function peerKey(namespace: string, peer: unknown): string {
  const prefix = `${namespace.length}:${namespace}`;
  if (!isObject(peer)) return `${prefix} ${JSON.stringify(peer)}`;
  let key = `${prefix}|`;
  for (const field in peer) {
    const selector = peer[field];
    if ((field !== 'podSelector' && field !== 'namespaceSelector') || !isObject(selector)) return `${prefix} ${JSON.stringify(peer)}`;
    key += field === 'podSelector' ? 'p' : 'n';
    for (const part in selector) {
      const labels = selector[part];
      if (part !== 'matchLabels' || !isObject(labels)) return `${prefix} ${JSON.stringify(peer)}`;
      key += 'm';
      for (const k in labels) {
        const v = labels[k];
        if (typeof v !== 'string') return `${prefix} ${JSON.stringify(peer)}`;
        key += `${k.length}:${k}${v.length}:${v}`;
      }
    }
  }
  return key;
}

/** A rule, keeping its text for `key`; a class rather than a closure, so that it holds on to nothing else. */
class ParsedRule implements Rule {
  public readonly shape: number;
  private text?: string;

  constructor(private readonly namespace: string, private readonly raw: unknown, public readonly peers?: Peer[], public readonly ports?: RulePort[]) {
    let shape = peers?.length ?? -1;
    for (const p of ports ?? []) {
      const port = typeof p.port === 'number' ? p.port : p.port?.length ?? 0;
      shape = Math.imul(shape, 31) + port * 4 + PROTOCOLS.indexOf(p.protocol) + (p.endPort ?? 0) * 7;
    }
    this.shape = shape;
  }

  public get key(): string {
    this.text ??= `${this.namespace} ${JSON.stringify(this.raw)}`;
    return this.text;
  }
}

// Absent and empty lists both mean "no restriction".
function optionalList(value: unknown, where: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value.length === 0 ? undefined : value;
}

function parsePeer(peer: unknown, namespace: string, where: string): Peer {
  if (!isObject(peer)) throw new Error(`${where}: expected an object`);
  checkKeys(peer, ['ipBlock', 'namespaceSelector', 'podSelector'], where);
  if (peer.ipBlock !== undefined) {
    if (Object.keys(peer).length > 1) throw new Error(`${where}: ipBlock cannot be combined with a selector`);
    return parseIpBlock(peer.ipBlock, `${where}.ipBlock`);
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined) {
    throw new Error(`${where}: a peer needs podSelector, namespaceSelector or ipBlock`);
  }
  const pods = peer.podSelector === undefined ? undefined : compileSelector(peer.podSelector, `${where}.podSelector`);
  const namespaces = peer.namespaceSelector === undefined ? undefined : compileSelector(peer.namespaceSelector, `${where}.namespaceSelector`);
  const pinned = peer.namespaceSelector === undefined ? namespace : peer.namespaceSelector.matchLabels?.[NAMESPACE_NAME_LABEL];
  return {
    hint: { namespace: pinned, labels: { ...peer.podSelector?.matchLabels } },
    // Without namespaceSelector the peer is in the policy's namespace; both selectors in one peer must match.
    // A namespace's name label is its name, so a pinned name rules out every other namespace before any selector runs.
    matches: ep => ep.pod !== undefined
      && (pinned === undefined || ep.pod.namespace === pinned)
      && (namespaces ? namespaces(ep.pod.namespaceLabels) : true)
      && (pods ? pods(ep.pod.labels) : true),
  };
}

function parseIpBlock(block: unknown, where: string): Peer {
  if (!isObject(block)) throw new Error(`${where}: expected an object`);
  checkKeys(block, ['cidr', 'except'], where);
  const cidr = parseCidrOrThrow(block.cidr, `${where}.cidr`);
  const except = (optionalList(block.except, `${where}.except`) ?? []).map((e, i) => parseCidrOrThrow(e, `${where}.except[${i}]`));
  return ipBlockPeer(cidr, except);
}

// Built apart from parseIpBlock so that the peer holds on to its blocks only, not to the error texts.
function ipBlockPeer(cidr: CidrBlock, except: CidrBlock[]): Peer {
  // An endpoint without a known address (a pod given no ip) never matches an ipBlock.
  return { matches: ep => ep.ip !== undefined && cidrContains(cidr, ep.ip) && !except.some(e => cidrContains(e, ep.ip!)) };
}

function parseCidrOrThrow(text: unknown, where: string): CidrBlock {
  const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
  if (!cidr) throw new Error(`${where}: invalid CIDR ${JSON.stringify(text)}`);
  return cidr;
}

function parsePort(port: unknown, where: string): RulePort {
  if (!isObject(port)) throw new Error(`${where}: expected an object`);
  checkKeys(port, ['endPort', 'port', 'protocol'], where);
  const protocol = protocolOf(port.protocol, `${where}.protocol`);
  const value: unknown = port.port;
  if (typeof value === 'string' && (/^\d+$/.test(value) || value === '')) throw new Error(`${where}.port: invalid port name ${JSON.stringify(value)}`);
  if (value !== undefined && typeof value !== 'string' && !isPortNumber(value)) throw new Error(`${where}.port: invalid port ${JSON.stringify(value)}`);
  if (port.endPort !== undefined) {
    if (typeof value !== 'number') throw new Error(`${where}.endPort: requires a numeric port`);
    if (!isPortNumber(port.endPort) || port.endPort < value) throw new Error(`${where}.endPort: must be a port number >= port`);
  }
  return { protocol, port: value as number | string | undefined, endPort: port.endPort };
}

/** The protocol, TCP when absent; throws, naming `where`, for one Kubernetes does not know. */
export function protocolOf(value: unknown, where: string): string {
  const protocol = value ?? 'TCP';
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol)) throw new Error(`${where}: unsupported protocol ${JSON.stringify(protocol)}`);
  return protocol;
}

/** The policies that select a pod, per direction, sorted by id. */
export class NetworkPolicyIndex {
  private readonly byNamespace = new Map<string, NetworkPolicy[]>();

  constructor(policies: NetworkPolicy[]) {
    for (const policy of [...policies].sort((a, b) => compareStrings(a.id, b.id))) {
      const list = this.byNamespace.get(policy.namespace) ?? [];
      list.push(policy);
      this.byNamespace.set(policy.namespace, list);
    }
  }

  /** The policies in the pod's namespace that select it, per direction they isolate. */
  public isolating(namespace: string, labels: Labels): { [dir in Direction]: NetworkPolicy[] } {
    const selecting = (this.byNamespace.get(namespace) ?? []).filter(p => p.selects(labels));
    return { ingress: selecting.filter(p => p.ingress), egress: selecting.filter(p => p.egress) };
  }
}

/** The distinct rules of the policies for `dir`; undefined when no policy isolates (all admitted). */
export function distinctRules(policies: NetworkPolicy[], dir: Direction): Rule[] | undefined {
  if (policies.length === 0) return undefined;
  const rules: Rule[] = [];
  const byShape = new Map<number, Rule[]>();
  for (const policy of policies) {
    for (const rule of policy[dir]!) {
      const same = byShape.get(rule.shape);
      if (!same) {
        byShape.set(rule.shape, [rule]);
      } else if (same.some(r => r.key === rule.key)) {
        continue;
      } else {
        same.push(rule);
      }
      rules.push(rule);
    }
  }
  return rules;
}

/** Whether some rule admits the connection (`rules` from distinctRules: undefined admits all). */
export function rulesAdmit(rules: Rule[] | undefined, peer: Endpoint, destination: Endpoint, port: number, protocol: string): boolean {
  return rules === undefined || rules.some(rule => peerMatches(rule, peer) && portsMatch(rule, port, protocol, destination));
}

/** Whether the rule's peers admit `peer`. */
export function peerMatches(rule: Rule, peer: Endpoint): boolean {
  return rule.peers === undefined || rule.peers.some(p => p.matches(peer));
}

/** Whether the rule's ports admit `port`/`protocol` on `destination`. */
export function portsMatch(rule: Rule, port: number, protocol: string, destination: Endpoint): boolean {
  return rule.ports === undefined || rule.ports.some(p => portMatches(p, port, protocol, destination));
}

function portMatches(rulePort: RulePort, port: number, protocol: string, destination: Endpoint): boolean {
  if (rulePort.protocol !== protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'number') return port >= rulePort.port && port <= (rulePort.endPort ?? rulePort.port);
  // A named port resolves against the destination pod's container ports, for ingress and egress alike.
  const name = rulePort.port;
  return destination.pod?.ports.some(p => p.name === name && p.port === port && p.protocol === protocol) ?? false;
}

/**
 * Whether the policies isolating `subject` in `dir` admit a connection with `peer` to `destination` on `port`.
 * Not isolated (no policy) = admitted; isolated = admitted iff some rule of some policy admits it.
 * Explanations are appended to `reasons` when given.
 */
export function admits(
  dir: Direction, subject: string, policies: NetworkPolicy[], peer: Endpoint, destination: Endpoint,
  port: number, protocol: string, reasons?: string[],
): boolean {
  if (policies.length === 0) {
    reasons?.push(`${subject} is not isolated for ${dir}: no NetworkPolicy with ${capital(dir)} in policyTypes selects it`);
    return true;
  }
  const misses: string[] = [];
  for (const policy of policies) {
    const rules = policy[dir]!;
    if (rules.length === 0) misses.push(`${policy.id} has no ${dir} rules`);
    for (const [i, rule] of rules.entries()) {
      const peerOk = peerMatches(rule, peer);
      const portOk = portsMatch(rule, port, protocol, destination);
      if (peerOk && portOk) {
        reasons?.push(`${subject} is isolated for ${dir} by ${policies.map(p => p.id).join(', ')}; ${policy.id} spec.${dir}[${i}] admits ${peer.id} on ${port}/${protocol}`);
        return true;
      }
      if (reasons) misses.push(`${policy.id} spec.${dir}[${i}]: ${peerOk ? '' : `${dir === 'ingress' ? 'from' : 'to'} does not match ${peer.id}`}${peerOk || portOk ? '' : ', '}${portOk ? '' : `ports do not match ${port}/${protocol}`}`);
    }
  }
  reasons?.push(`${subject} is isolated for ${dir} by ${policies.map(p => p.id).join(', ')} and no rule admits ${peer.id} on ${port}/${protocol} (${misses.join('; ')})`);
  return false;
}

function capital(dir: Direction): string {
  return dir === 'ingress' ? 'Ingress' : 'Egress';
}
