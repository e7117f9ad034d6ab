/**
 * Istio semantics for one connection to a meshed workload: the PeerAuthentication mode in force (workload over
 * namespace over mesh-wide root namespace) and AuthorizationPolicy evaluation (CUSTOM, then DENY, then ALLOW).
 */
import { HTTP_OPERATION_FIELDS, HTTP_SOURCE_FIELDS, HttpRequest, hostMatch, istioStringMatch } from './_http-match';
import { RequestContext, RequestPatterns, RequestQuery, authorizeRequests, candidateRequests, httpHandling, tokenOf } from './_request-authz';
import { securityHeader } from './_security-manifest';
import { SniCondition, parseSniConditions, sniConditionsHold } from './_sni-condition';
import { parseTargetRefs } from './_target-refs';
import { principalOf } from '../model/_identity';
import { DRY_RUN_ANNOTATION } from '../model/_istio-spec';
import { LabelMatcher, Labels, checkKeys, compileSelector, isObject } from '../model/_label-selector';
import { DATAPLANE_MODE_LABEL, ISTIO_INJECTION_LABEL, ISTIO_REVISION_LABEL } from '../model/_mesh-labels';
import { SIDECAR_INJECT, sidecarInject } from '../model/_workload-rules';
import { CidrBlock, IpAddress, cidrContains, parseCidr } from '../util/_cidr';
import { compareStrings, addToList } from '../util/_collections';

const MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', ...HTTP_SOURCE_FIELDS];
const OPERATION_FIELDS = ['ports', 'notPorts', ...HTTP_OPERATION_FIELDS];
const MTLS_ONLY_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'];
const IP_FIELDS = ['ipBlocks', 'notIpBlocks'];

/** The workload receiving the connection. */
export interface IstioWorkload {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
}

/** The client of the connection; `meshed` clients speak mTLS with their service account's identity. */
export interface IstioSource {
  readonly id: string;
  readonly meshed: boolean;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly ip?: IpAddress;
}

/**
 * How a pod joins the mesh: sidecar when injected (namespace `istio-injection=enabled` or a revision label `istio.io/rev`,
 * or pod `sidecar.istio.io/inject=true`), else ambient when enrolled (`istio.io/dataplane-mode=ambient` on the namespace
 * or pod; pod `none` opts out). A pod `sidecar.istio.io/inject` of any non-empty value but y, yes, true or on opts out, as
 * Istio's injector reads it; in a namespace without injection labels only exactly `true` opts in, as the injector's
 * webhook is called for that label value alone. `meshed` overrides both.
 */
export function meshMode(labels: Labels, ns: Labels, meshed?: boolean): 'sidecar' | 'ambient' | undefined {
  const inject = sidecarInject(labels[SIDECAR_INJECT]);
  const nsInjection = ns[ISTIO_INJECTION_LABEL];
  const sidecar = inject !== false && (nsInjection === 'enabled'
    || (nsInjection === undefined && ns[ISTIO_REVISION_LABEL] !== undefined)
    || (labels[SIDECAR_INJECT] === 'true' && nsInjection !== 'disabled'));
  const podMode = labels[DATAPLANE_MODE_LABEL];
  const ambient = podMode !== 'none' && (podMode === 'ambient' || ns[DATAPLANE_MODE_LABEL] === 'ambient');
  const derived = sidecar ? 'sidecar' : ambient ? 'ambient' : undefined;
  if (meshed === undefined) return derived;
  return meshed ? derived ?? 'sidecar' : undefined;
}

/** A parsed PeerAuthentication; an undefined mode is UNSET (inherit). */
export interface PeerAuthentication {
  readonly id: string;
  readonly namespace: string;
  readonly selector?: LabelMatcher;
  readonly mode?: string;
  readonly portLevel: ReadonlyMap<number, string | undefined>;
  readonly created?: string;
  /** Identifies the settings, to tell real conflicts from duplicates. */
  readonly settings: string;
}

type StringList = readonly string[];

interface Source { readonly [field: string]: StringList | CidrBlock[] | undefined }

type Operation = { readonly [field: string]: StringList | undefined };

/** Undefined sources or operations: any. */
interface Rule {
  readonly sources?: Source[];
  readonly operations?: Operation[];
  /** Whether a field exists only for HTTP (methods, paths, hosts, request principals and their not-forms). */
  readonly http: boolean;
  /** `connection.sni` conditions, which Istio applies to TCP and HTTP alike. */
  readonly sni?: SniCondition[];
}

/** A parsed AuthorizationPolicy; without rules it matches nothing. */
export interface AuthorizationPolicy {
  readonly id: string;
  readonly namespace: string;
  readonly selector?: LabelMatcher;
  readonly action: string;
  readonly provider?: string;
  readonly rules: Rule[];
  /** The Services of its namespace that its targetRefs name: a waypoint applies it to their traffic, and no workload does. */
  readonly targets?: string[];
  /** Whether `istio.io/dry-run` makes Istio log the policy's verdict instead of enforcing it. */
  readonly dryRun: boolean;
}

function selectorOf(spec: Record<string, any>, where: string): LabelMatcher | undefined {
  return spec.selector === undefined ? undefined : compileSelector(spec.selector, `${where}: spec.selector`, true);
}

function parseMode(mtls: unknown, where: string): string | undefined {
  if (mtls === undefined || mtls === null) return undefined;
  if (!isObject(mtls)) throw new Error(`${where}: expected an object`);
  checkKeys(mtls, ['mode'], where);
  const mode = mtls.mode ?? 'UNSET';
  if (!MODES.includes(mode)) throw new Error(`${where}.mode: unknown mode ${JSON.stringify(mode)}`);
  return mode === 'UNSET' ? undefined : mode;
}

/** Parses a PeerAuthentication manifest; throws naming the object and field it does not understand. */
export function parsePeerAuthentication(manifest: any): PeerAuthentication {
  const { id, namespace, where, spec } = securityHeader(manifest);
  checkKeys(spec, ['mtls', 'portLevelMtls', 'selector'], `${where}: spec`);
  // Istio reads a selector without matchLabels as namespace-wide, like no selector.
  const matcher = selectorOf(spec, where);
  const selector = Object.keys(spec.selector?.matchLabels ?? {}).length > 0 ? matcher : undefined;
  const portLevel = new Map<number, string | undefined>();
  if (spec.portLevelMtls !== undefined) {
    if (!isObject(spec.portLevelMtls)) throw new Error(`${where}: spec.portLevelMtls: expected a map`);
    if (!selector) throw new Error(`${where}: spec.portLevelMtls requires spec.selector with matchLabels (Istio rejects it otherwise)`);
    for (const [port, mtls] of Object.entries(spec.portLevelMtls)) {
      if (!/^\d+$/.test(port)) throw new Error(`${where}: spec.portLevelMtls.${port}: expected a port number`);
      portLevel.set(Number(port), parseMode(mtls, `${where}: spec.portLevelMtls.${port}`));
    }
  }
  const mode = parseMode(spec.mtls, `${where}: spec.mtls`);
  return {
    id,
    namespace,
    selector,
    mode,
    portLevel,
    created: manifest.metadata?.creationTimestamp,
    settings: JSON.stringify([mode ?? 'UNSET', [...portLevel.entries()].sort((a, b) => a[0] - b[0])]),
  };
}

/** Parses an AuthorizationPolicy manifest; throws naming the object and field it does not understand. */
export function parseAuthorizationPolicy(manifest: any): AuthorizationPolicy {
  const { id, namespace, where, spec } = securityHeader(manifest);
  checkKeys(spec, ['action', 'provider', 'rules', 'selector', 'targetRef', 'targetRefs'], `${where}: spec`);
  const targets = parseTargetRefs(spec, where);
  const action = spec.action ?? 'ALLOW';
  if (!ACTIONS.includes(action)) throw new Error(`${where}: spec.action: unknown action ${JSON.stringify(action)}`);
  if (spec.provider !== undefined && action !== 'CUSTOM') throw new Error(`${where}: spec.provider: only valid with action CUSTOM`);
  const rules = spec.rules ?? [];
  if (!Array.isArray(rules)) throw new Error(`${where}: spec.rules: expected a list`);
  return {
    id,
    namespace,
    selector: selectorOf(spec, where),
    action,
    provider: spec.provider?.name,
    rules: rules.map((rule: unknown, i: number) => parseRule(rule, `${where}: spec.rules[${i}]`)),
    ...targets ? { targets } : {},
    dryRun: isDryRun(manifest.metadata?.annotations?.[DRY_RUN_ANNOTATION]),
  };
}

// Istio reads the annotation with Go's strconv.ParseBool and treats a value it cannot parse as false.
function isDryRun(value: unknown): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value as string);
}

function parseRule(rule: unknown, where: string): Rule {
  if (!isObject(rule)) throw new Error(`${where}: expected an object`);
  checkKeys(rule, ['from', 'to', 'when'], where);
  const sources = list(rule.from, `${where}.from`)?.map((f, i) => {
    const at = `${where}.from[${i}]`;
    checkKeys(f, ['source'], at);
    return parseFields(f.source, SOURCE_FIELDS, `${at}.source`) as Source;
  });
  const operations = list(rule.to, `${where}.to`)?.map((t, i) => {
    const at = `${where}.to[${i}]`;
    checkKeys(t, ['operation'], at);
    return parseFields(t.operation, OPERATION_FIELDS, `${at}.operation`) as Operation;
  });
  const http = (sources ?? []).some(s => HTTP_SOURCE_FIELDS.some(f => s[f] !== undefined))
    || (operations ?? []).some(o => HTTP_OPERATION_FIELDS.some(f => o[f] !== undefined));
  return { sources, operations, http, sni: parseSniConditions(rule.when, `${where}.when`) };
}

function list(value: unknown, where: string): Record<string, any>[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => !isObject(v))) throw new Error(`${where}: expected a list of objects`);
  return value.length === 0 ? undefined : value;
}

function parseFields(value: unknown, allowed: string[], where: string): Record<string, any> {
  if (!isObject(value)) throw new Error(`${where}: expected an object`);
  checkKeys(value, allowed, where);
  if (Object.keys(value).length === 0) throw new Error(`${where}: must not be empty (Istio rejects it)`);
  const out: Record<string, StringList | CidrBlock[]> = {};
  for (const [field, values] of Object.entries(value)) {
    if (!Array.isArray(values) || values.some(v => typeof v !== 'string')) throw new Error(`${where}.${field}: expected a list of strings`);
    out[field] = field.endsWith('pBlocks') ? values.map((v: string) => {
      const cidr = parseCidr(v, true);
      if (!cidr) throw new Error(`${where}.${field}: invalid IP or CIDR ${JSON.stringify(v)}`);
      return cidr;
    }) : values;
  }
  return out;
}

/** What the server knows about the client: its identity only over mTLS. */
export interface PeerInfo {
  readonly principal?: string;
  readonly namespace?: string;
  readonly ip?: IpAddress;
  /** The TLS server name of the connection, when the question names one. */
  readonly sni?: string;
}

function anyString(patterns: StringList, value: string | undefined, match = istioStringMatch): boolean {
  if (value === undefined) return false;
  for (const p of patterns) {
    if (match(p, value)) return true;
  }
  return false;
}

/** A field and its not-form: undefined fields match; `value` undefined is a field Istio does not evaluate (TCP). */
function fieldMatches(
  positive: StringList | undefined, negative: StringList | undefined, value: string | undefined, match = istioStringMatch,
): boolean {
  if (value === undefined) return true;
  return (positive === undefined || anyString(positive, value, match)) && (negative === undefined || !anyString(negative, value, match));
}

function anyBlock(blocks: CidrBlock[], ip: IpAddress | undefined): boolean {
  return ip !== undefined && blocks.some(c => cidrContains(c, ip));
}

function sourceMatches(source: Source, peer: PeerInfo, request: HttpRequest | undefined): boolean {
  // Without mTLS the identity is empty: positive identity fields never match, their not-forms always do; so for a
  // request without a token and requestPrincipals.
  return fieldMatches(source.requestPrincipals as StringList, source.notRequestPrincipals as StringList, request?.requestPrincipal)
    && (source.principals === undefined || anyString(source.principals as StringList, peer.principal))
    && (source.notPrincipals === undefined || !anyString(source.notPrincipals as StringList, peer.principal))
    && (source.namespaces === undefined || anyString(source.namespaces as StringList, peer.namespace))
    && (source.notNamespaces === undefined || !anyString(source.notNamespaces as StringList, peer.namespace))
    && (source.ipBlocks === undefined || anyBlock(source.ipBlocks as CidrBlock[], peer.ip))
    && (source.notIpBlocks === undefined || !anyBlock(source.notIpBlocks as CidrBlock[], peer.ip));
}

function operationMatches(o: Operation, port: string, request: HttpRequest | undefined): boolean {
  return (o.ports === undefined || o.ports.includes(port)) && (o.notPorts === undefined || !o.notPorts.includes(port))
    && fieldMatches(o.methods, o.notMethods, request?.method)
    && fieldMatches(o.paths, o.notPaths, request?.path)
    && fieldMatches(o.hosts, o.notHosts, request?.host, hostMatch);
}

/**
 * The index of the first rule of the policy that matches, or -1. Without `request` the traffic is plain TCP, where
 * Istio cannot evaluate HTTP-only fields and fails closed (its rbac builder): an ALLOW rule with one is left out, so it
 * never matches, and a DENY (or AUDIT, CUSTOM) rule drops them, so it matches more.
 */
export function matchingRule(policy: AuthorizationPolicy, peer: PeerInfo, port: number, request?: HttpRequest): number {
  const p = String(port);
  return policy.rules.findIndex(rule => (request !== undefined || !rule.http || policy.action !== 'ALLOW')
    && sniConditionsHold(rule.sni, policy.action, peer.sni, istioStringMatch)
    && (rule.sources === undefined || rule.sources.some(s => sourceMatches(s, peer, request)))
    && (rule.operations === undefined || rule.operations.some(o => operationMatches(o, p, request))));
}

/** Whether some rule of the policy uses one of the source fields. */
export function usesSourceFields(policy: AuthorizationPolicy, fields: string[]): boolean {
  return policy.rules.some(r => r.sources?.some(s => fields.some(f => s[f] !== undefined)));
}

/** The PeerAuthentications in force for a workload, one per level. */
export interface PeerAuthChain {
  /** Set for an Istio gateway, whose listeners no PeerAuthentication governs: connections to it carry no peer identity. */
  readonly gateway?: boolean;
  readonly workload?: PeerAuthentication;
  readonly namespace?: PeerAuthentication;
  readonly root?: PeerAuthentication;
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return compareStrings(a.id, b.id);
}

/** Which Istio policies apply to a workload; policies in the root namespace apply mesh-wide. */
export class IstioPolicyIndex {
  private readonly peerAuths = new Map<string, PeerAuthentication[]>();
  private readonly authzPolicies = new Map<string, AuthorizationPolicy[]>();

  constructor(peerAuths: PeerAuthentication[], authz: AuthorizationPolicy[], private readonly rootNamespace: string) {
    for (const pa of [...peerAuths].sort(byId)) addToList(this.peerAuths, pa.namespace, pa);
    for (const ap of [...authz].sort(byId)) addToList(this.authzPolicies, ap.namespace, ap);
  }

  /** The PeerAuthentication chain of a workload; throws when two policies at one level conflict and cannot be ordered. */
  public peerAuthChain(w: IstioWorkload): PeerAuthChain {
    const own = this.peerAuths.get(w.namespace) ?? [];
    return {
      workload: pick(own.filter(p => p.selector?.(w.labels)), 'workload-level', w),
      namespace: pick(own.filter(p => !p.selector), 'namespace-level', w),
      root: pick((this.peerAuths.get(this.rootNamespace) ?? []).filter(p => !p.selector), 'mesh-wide', w),
    };
  }

  /** The AuthorizationPolicies that apply to a workload, sorted by id. */
  public authorizationPolicies(w: IstioWorkload): AuthorizationPolicy[] {
    const applies = (p: AuthorizationPolicy) => !p.targets && (!p.selector || p.selector(w.labels));
    const own = (this.authzPolicies.get(w.namespace) ?? []).filter(applies);
    if (w.namespace === this.rootNamespace) return own;
    return [...own, ...(this.authzPolicies.get(this.rootNamespace) ?? []).filter(applies)].sort(byId);
  }
}

// Istio uses the oldest policy when several apply at one level; without creation times that order is unknown.
function pick(candidates: PeerAuthentication[], level: string, w: IstioWorkload): PeerAuthentication | undefined {
  if (candidates.length <= 1 || candidates.every(c => c.settings === candidates[0].settings)) return candidates[0];
  if (candidates.some(c => c.created === undefined)) {
    throw new Error(`PeerAuthentications ${candidates.map(c => c.id).join(', ')} all apply to ${w.id} at ${level} level with different settings; `
      + 'Istio uses the oldest, so give them metadata.creationTimestamp or keep one');
  }
  return [...candidates].sort((a, b) => Date.parse(a.created!) - Date.parse(b.created!) || byId(a, b))[0];
}

/** The mTLS mode in force on a port: workload port-level, workload, namespace, mesh-wide; UNSET inherits; PERMISSIVE by default. */
function mtlsMode(chain: PeerAuthChain, port: number): string {
  if (chain.gateway) return 'DISABLE';
  return chain.workload?.portLevel.get(port) ?? chain.workload?.mode ?? chain.namespace?.mode ?? chain.root?.mode ?? 'PERMISSIVE';
}

/** Where `mtlsMode` found the mode, for explanations. */
function mtlsModeSource(chain: PeerAuthChain, port: number): string {
  if (chain.gateway) return 'an Istio gateway, whose listeners no PeerAuthentication governs';
  if (chain.workload?.portLevel.get(port)) return `${chain.workload.id} (workload-level, portLevelMtls ${port})`;
  const levels: [PeerAuthentication | undefined, string][] = [[chain.workload, 'workload-level'], [chain.namespace, 'namespace-level'], [chain.root, 'mesh-wide']];
  for (const [pa, level] of levels) {
    if (pa?.mode) return `${pa.id} (${level})`;
  }
  return 'no PeerAuthentication sets a mode (default)';
}

/** The two ends of a connection as the authorization layer sees them; the port and protocol are asked apart. */
export interface AuthzQuery {
  readonly destination: IstioWorkload;
  readonly destinationMeshed: boolean;
  readonly source: IstioSource;
  readonly chain: PeerAuthChain;
  readonly policies: AuthorizationPolicy[];
  readonly trustDomain: string;
  /** The TLS server name of the connection, when the question names one. */
  readonly sni?: string;
  /** Where requests are evaluated: HTTP-only fields apply, or plain TCP (ztunnel, or a port not in `opaquePorts`). */
  readonly requests?: RequestContext;
}

/**
 * Whether Istio lets the connection through on `port`/`protocol`; explanations are appended to `reasons` when given.
 * The port is an argument of its own so that the ZT416 proof asks about each port without copying the query.
 * With `request`, a request with those attributes (the others any); without, any request, or plain TCP.
 */
export function authorize(q: AuthzQuery, port: number, protocol: string, reasons?: string[], request?: RequestQuery): boolean {
  const peer = peerOf(q, port, protocol, reasons);
  if (typeof peer === 'boolean') return peer;
  const http = httpHandling(q, port, reasons, request);
  if (!http) return evaluatePolicies(q.policies, peer.peer, port, peer.mtls, reasons);
  return authorizeRequests(http, request ?? {}, (r, why) => evaluatePolicies(q.policies, peer.peer, port, peer.mtls, why, r), reasons);
}

/**
 * Istio's verdict on each request that stands for a class of requests to `port` (see `requestVerdicts`); undefined
 * when the port is not evaluated per request. `extra` adds patterns the caller compares against.
 */
export function requestVerdicts(q: AuthzQuery, port: number, extra: RequestPatterns): RequestVerdict[] | undefined {
  const peer = peerOf(q, port, 'TCP');
  const http = httpHandling(q, port);
  if (typeof peer === 'boolean' || !http) return undefined;
  // Without HTTP fields, tokens or patterns to compare, every request has the connection's verdict.
  const asked = [extra.methods, extra.paths, extra.issuers].some(values => (values?.length ?? 0) > 0);
  if (!asked && http.authns.length === 0 && !q.policies.some(p => p.rules.some(r => r.http))) return undefined;
  return candidateRequests(http, {}, extra).map(request => {
    const token = tokenOf(http.authns, request.requestPrincipal);
    const rejected = token.rejected !== undefined;
    const tokened = { ...request, requestPrincipal: token.principal };
    const allowed = !rejected && evaluatePolicies(q.policies, peer.peer, port, peer.mtls, undefined, tokened);
    return { request, allowed, rejected };
  });
}

/** Istio's verdict on one request; `rejected` when a RequestAuthentication rejects its token. */
export interface RequestVerdict {
  readonly request: HttpRequest;
  readonly allowed: boolean;
  readonly rejected: boolean;
}

/** The peer as the server's proxy sees it, or the verdict when the connection is decided before any policy. */
function peerOf(q: AuthzQuery, port: number, protocol: string, reasons?: string[]): { peer: PeerInfo; mtls: boolean } | boolean {
  const dest = q.destination.id;
  if (!q.destinationMeshed) {
    reasons?.push(`${dest} is not in the mesh: no proxy enforces PeerAuthentication or AuthorizationPolicy`);
    return true;
  }
  if (protocol !== 'TCP') {
    reasons?.push(`Istio intercepts TCP only: ${protocol} traffic bypasses the proxy`);
    return true;
  }
  const mode = mtlsMode(q.chain, port);
  reasons?.push(`mTLS mode of ${dest} on port ${port}: ${mode}, from ${mtlsModeSource(q.chain, port)}`);
  if (mode === 'STRICT' && !q.source.meshed) {
    reasons?.push(`STRICT mTLS refuses plaintext and ${q.source.id} is not in the mesh`);
    return false;
  }
  const mtls = q.source.meshed && mode !== 'DISABLE';
  // A meshed source is a pod, which has a namespace and a ServiceAccount.
  const peer: PeerInfo = mtls
    ? {
      principal: principalOf(q.trustDomain, q.source.namespace!, q.source.serviceAccount!),
      namespace: q.source.namespace,
      ip: q.source.ip,
      sni: q.sni,
    }
    : { ip: q.source.ip, sni: q.sni };
  if (reasons) {
    reasons.push(mtls
      ? `connection is mTLS: peer principal ${peer.principal}, namespace ${peer.namespace}`
      : `connection is plaintext (${q.source.meshed ? 'mTLS DISABLEd' : `${q.source.id} is not in the mesh`}): no peer identity`);
  }
  return { peer, mtls };
}

function evaluatePolicies(
  policies: AuthorizationPolicy[], peer: PeerInfo, port: number, mtls: boolean, reasons?: string[], request?: HttpRequest,
): boolean {
  const matched = (p: AuthorizationPolicy) => {
    const rule = matchingRule(p, peer, port, request);
    if (reasons && !mtls && usesSourceFields(p, MTLS_ONLY_FIELDS)) {
      reasons.push(`${p.id} uses principals/namespaces, which match only over mTLS: on plaintext they never match and their not-forms always match`);
    }
    if (reasons && !peer.ip && usesSourceFields(p, IP_FIELDS)) {
      reasons.push(`${p.id} uses ipBlocks but the client has no known ip: ipBlocks never match it and notIpBlocks always do`);
    }
    return rule;
  };
  // One pass per action, in Istio's order, without intermediate lists: the ZT416 proof calls this per probe.
  if (reasons) {
    for (const p of policies) {
      if (p.dryRun) reasons.push(`${p.action} policy ${p.id} is dry-run (${DRY_RUN_ANNOTATION}): Istio logs its verdict and does not enforce it`);
    }
    for (const p of policies) if (p.action === 'AUDIT') reasons.push(`AUDIT policy ${p.id} has no effect on access`);
    for (const p of policies) {
      if (p.action !== 'CUSTOM' || p.dryRun) continue;
      const rule = matched(p);
      if (rule >= 0) reasons.push(`CUSTOM policy ${p.id} rules[${rule}] matches: the external authorizer ${p.provider ?? ''} decides; assumed to permit`);
    }
  }
  for (const p of policies) {
    if (p.action !== 'DENY' || p.dryRun) continue;
    const rule = matched(p);
    if (rule >= 0) {
      reasons?.push(`DENY policy ${p.id} rules[${rule}] matches: denied`);
      return false;
    }
  }
  let allows = 0;
  for (const p of policies) {
    if (p.action !== 'ALLOW' || p.dryRun) continue;
    allows++;
    const rule = matched(p);
    if (rule >= 0) {
      reasons?.push(`ALLOW policy ${p.id} rules[${rule}] matches: allowed`);
      return true;
    }
  }
  if (allows === 0) {
    reasons?.push('no ALLOW policy applies: allowed');
    return true;
  }
  reasons?.push(`ALLOW policies ${policies.filter(x => x.action === 'ALLOW' && !x.dryRun).map(p => p.id).join(', ')} apply but none matches: denied`);
  return false;
}

/**
 * The exact principals that the ALLOW policies among `policies` can admit, or undefined when they could admit
 * anyone (no ALLOW policy, a rule without sources, or a source with other fields or wildcards).
 */
export function allowedPrincipals(policies: AuthorizationPolicy[]): string[] | undefined {
  const allow = policies.filter(p => p.action === 'ALLOW' && !p.dryRun);
  if (allow.length === 0) return undefined;
  const principals: string[] = [];
  for (const rule of allow.flatMap(p => p.rules)) {
    if (!rule.sources) return undefined;
    for (const source of rule.sources) {
      const values = source.principals as StringList | undefined;
      // Request principals only narrow whom the principals admit.
      const other = Object.keys(source).some(f => f !== 'principals' && !HTTP_SOURCE_FIELDS.includes(f));
      if (other || !values || values.some(v => v.includes('*'))) return undefined;
      principals.push(...values);
    }
  }
  return principals;
}
