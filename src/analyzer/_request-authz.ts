/**
 * Request-level authorization: which requests reach the policies as HTTP, what their token makes of them
 * (RequestAuthentication), and the requests that stand for every request when a question leaves attributes open.
 */
import { HttpRequest, normalizePath, witnesses } from './_http-match';
import { securityHeader } from './_security-manifest';
import { parseTargetRefs } from './_target-refs';
import { LabelMatcher, Labels, checkKeys, compileSelector, isObject } from '../model/_label-selector';
import { addToList, compareStrings } from '../util/_collections';


/** The JWT fields that decide where a token is read and how it is checked, not whose it is: all are accepted. */
const JWT_RULE_FIELDS = [
  'issuer', 'audiences', 'jwksUri', 'jwks', 'fromHeaders', 'fromParams', 'fromCookies', 'outputPayloadToHeader',
  'forwardOriginalToken', 'outputClaimToHeaders', 'timeout',
];

/** What request-level authorization reads of an AuthorizationPolicy (`_istio-authz-eval`'s, which imports this file). */
interface RequestPolicy {
  readonly rules: ReadonlyArray<{
    /** Whether a field exists only for HTTP. */
    readonly http: boolean;
    readonly operations?: ReadonlyArray<{ readonly [field: string]: unknown }>;
    readonly sources?: ReadonlyArray<{ readonly [field: string]: unknown }>;
  }>;
}

/** A parsed RequestAuthentication: the issuers whose tokens the workloads it selects validate. */
export interface RequestAuthentication {
  readonly id: string;
  readonly namespace: string;
  readonly selector?: LabelMatcher;
  readonly issuers: string[];
  /** The Services of its namespace that its targetRefs name: their waypoint validates the tokens, and no workload does. */
  readonly targets?: string[];
}

/** Parses a RequestAuthentication manifest; throws naming the object and field it does not understand. */
export function parseRequestAuthentication(manifest: any): RequestAuthentication {
  const { id, namespace, where, spec } = securityHeader(manifest);
  checkKeys(spec, ['selector', 'jwtRules', 'targetRef', 'targetRefs'], `${where}: spec`);
  const targets = parseTargetRefs(spec, where);
  const rules = spec.jwtRules ?? [];
  if (!Array.isArray(rules)) throw new Error(`${where}: spec.jwtRules: expected a list`);
  const issuers = rules.map((rule: unknown, i: number) => {
    const at = `${where}: spec.jwtRules[${i}]`;
    if (!isObject(rule)) throw new Error(`${at}: expected an object`);
    checkKeys(rule, JWT_RULE_FIELDS, at);
    if (typeof rule.issuer !== 'string' || rule.issuer === '') throw new Error(`${at}.issuer: required`);
    return rule.issuer;
  });
  const selector = spec.selector === undefined ? undefined : compileSelector(spec.selector, `${where}: spec.selector`, true);
  return { id, namespace, selector, issuers, ...targets ? { targets } : {} };
}

/**
 * Which RequestAuthentications apply to a workload: its own, its namespace's, and the root namespace's. Those with
 * targetRefs apply to no workload (`_waypoint-eval` gives them to the waypoint of the Services they name).
 */
export class RequestAuthnIndex {
  private readonly byNamespace = new Map<string, RequestAuthentication[]>();

  constructor(authns: RequestAuthentication[], private readonly rootNamespace: string) {
    for (const a of [...authns].sort((x, y) => compareStrings(x.id, y.id))) addToList(this.byNamespace, a.namespace, a);
  }

  public applying(w: { readonly namespace: string; readonly labels: Labels }): RequestAuthentication[] {
    const applies = (a: RequestAuthentication) => a.targets === undefined && (!a.selector || a.selector(w.labels));
    const root = w.namespace === this.rootNamespace ? [] : this.byNamespace.get(this.rootNamespace) ?? [];
    return [...this.byNamespace.get(w.namespace) ?? [], ...root].filter(applies);
  }
}

/** What the authorization of requests to a workload needs beside its AuthorizationPolicies. */
export interface RequestContext {
  /** Whether the workload is in ambient mode: ztunnel authorizes connections, and evaluates no HTTP field. */
  readonly ambient: boolean;
  /** The ports Istio treats as opaque TCP, from the protocol of the Services that select the workload. */
  readonly opaquePorts: ReadonlySet<number>;
  /** The RequestAuthentications that apply to the workload. */
  readonly authns: RequestAuthentication[];
  readonly policies: readonly RequestPolicy[];
}

/** The attributes of the requests a question is about; an absent attribute is any value. */
export interface RequestQuery {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly requestPrincipal?: string;
}

/** Patterns a caller compares the verdicts against, so that the witnesses cover them too. */
export interface RequestPatterns {
  readonly methods?: string[];
  readonly paths?: string[];
  readonly issuers?: string[];
}

/** Whether a question names request attributes. */
export function isRequestQuery(q: RequestQuery): boolean {
  return q.method !== undefined || q.path !== undefined || q.host !== undefined || q.requestPrincipal !== undefined;
}

/** Throws for request attributes no HTTP request can have. */
export function checkRequestQuery(q: RequestQuery): void {
  if (q.path !== undefined && !q.path.startsWith('/')) throw new Error(`invalid path ${JSON.stringify(q.path)} (expected one starting with /)`);
  if (q.method === '') throw new Error('invalid method "" (expected an HTTP method such as GET)');
}

/**
 * The request context when Istio evaluates HTTP on `port`, or undefined when it sees plain TCP there: in ambient mode
 * (ztunnel) and on ports whose Service protocol is not HTTP, gRPC or unset (then Istio sniffs HTTP).
 */
export function httpHandling(
  q: { readonly requests?: RequestContext }, port: number, reasons?: string[], request?: RequestQuery,
): RequestContext | undefined {
  const ctx = q.requests;
  if (!ctx) return undefined;
  const tell = reasons !== undefined && (request !== undefined || ctx.policies.some(p => p.rules.some(r => r.http)));
  if (ctx.ambient) {
    if (tell) reasons!.push('ambient mode: ztunnel authorizes connections and evaluates no HTTP field, so ALLOW rules with HTTP-only fields never match and DENY rules ignore them');
    return undefined;
  }
  if (ctx.opaquePorts.has(port)) {
    if (tell) reasons!.push(`port ${port} is opaque TCP to Istio (its Service protocol): ALLOW rules with HTTP-only fields never match and DENY rules ignore them`);
    return undefined;
  }
  return ctx;
}

/** What a token makes of a request: its request principal, or a rejection. */
export function tokenOf(authns: RequestAuthentication[], principal: string): { principal: string; rejected?: string; reason?: string } {
  if (principal === '') return { principal };
  if (authns.length === 0) {
    return { principal: '', reason: 'no RequestAuthentication applies to the workload, so its proxy does not validate the token: the request has no request principal' };
  }
  const accepting = authns.find(a => a.issuers.some(i => principal.startsWith(`${i}/`)));
  if (!accepting) {
    return { principal: '', rejected: `no RequestAuthentication that applies (${authns.map(a => a.id).join(', ')}) accepts the token's issuer: Istio rejects the request (401)` };
  }
  return { principal, reason: `the token is validated by RequestAuthentication ${accepting.id}: request principal ${principal}` };
}

function patterns(ctx: RequestContext, kind: 'operations' | 'sources', fields: string[]): string[] {
  const entries = ctx.policies.flatMap(p => p.rules.flatMap(r => (r[kind] ?? []) as Array<Record<string, unknown>>));
  return entries.flatMap(e => fields.flatMap(f => (e[f] ?? []) as string[]));
}

/**
 * Requests that stand for every request the question leaves open: for each open attribute, witnesses of every way
 * the policies' and `extra`'s patterns can match it (a token of each accepted issuer, and none).
 */
export function candidateRequests(ctx: RequestContext, q: RequestQuery, extra: RequestPatterns = {}): HttpRequest[] {
  const methods = q.method !== undefined ? [q.method] : witnesses([...patterns(ctx, 'operations', ['methods', 'notMethods']), ...extra.methods ?? []], 'ZT');
  const paths = q.path !== undefined ? [normalizePath(q.path) ?? q.path] : witnesses([...patterns(ctx, 'operations', ['paths', 'notPaths']), ...extra.paths ?? []], 'zt', '/');
  const hosts = q.host !== undefined ? [q.host] : witnesses(patterns(ctx, 'operations', ['hosts', 'notHosts']).map(h => h.toLowerCase()), 'zt.example');
  let principals = [q.requestPrincipal ?? ''];
  if (q.requestPrincipal === undefined) {
    const issuers = [...ctx.authns.flatMap(a => a.issuers), ...extra.issuers ?? []];
    const named = [...patterns(ctx, 'sources', ['requestPrincipals', 'notRequestPrincipals']), ...issuers.map(i => `${i}/*`)];
    principals = [...new Set(['', ...witnesses(named, 'zt-subject')])];
  }
  return methods.flatMap(method => paths.flatMap(path => hosts.flatMap(host =>
    principals.map(requestPrincipal => ({ method, path, host, requestPrincipal })))));
}

/** The request that stands for every request where no policy looks at requests. */
const ANY_REQUEST: HttpRequest = { method: 'GET', path: '/', host: 'zt.example', requestPrincipal: '' };

/** A request as explanations write it. */
export function describeRequest(r: HttpRequest): string {
  return `${r.method} ${r.path} (host ${r.host}, ${r.requestPrincipal === '' ? 'no token' : `token ${r.requestPrincipal}`})`;
}

/**
 * Whether some request with the question's attributes is allowed, by `evaluate` on each candidate. Reasons tell which
 * request was allowed, or which one stands for the refused ones, when the policies look at requests at all.
 */
export function authorizeRequests(
  ctx: RequestContext, q: RequestQuery, evaluate: (r: HttpRequest, reasons?: string[]) => boolean, reasons?: string[],
): boolean {
  if (q.method !== undefined && q.method !== q.method.toUpperCase()) {
    reasons?.push(`method ${q.method} is not uppercase: Istio rejects the request (400)`);
    return false;
  }
  if (q.path !== undefined && normalizePath(q.path) === undefined) {
    reasons?.push(`path ${q.path} has an encoded NUL (%00): Istio rejects the request (400)`);
    return false;
  }
  if (q.path !== undefined && normalizePath(q.path) !== q.path) reasons?.push(`Istio normalizes path ${q.path} to ${normalizePath(q.path)} before matching`);
  const l7 = ctx.authns.length > 0 || ctx.policies.some(p => p.rules.some(r => r.http));
  // Without HTTP fields or RequestAuthentications the verdict is the same for every request: one stands for all.
  const candidates = l7 || isRequestQuery(q) ? candidateRequests(ctx, q) : [ANY_REQUEST];
  const open = !(q.method !== undefined && q.path !== undefined && q.host !== undefined && q.requestPrincipal !== undefined);
  const explain = (r: HttpRequest, lead: string) => {
    if (!reasons) return;
    const token = tokenOf(ctx.authns, r.requestPrincipal);
    if (l7 || isRequestQuery(q)) reasons.push(`${lead}${describeRequest(r)}`);
    if (token.reason) reasons.push(token.reason);
    if (token.rejected) reasons.push(token.rejected);
    else evaluate({ ...r, requestPrincipal: token.principal }, reasons);
  };
  for (const r of candidates) {
    const token = tokenOf(ctx.authns, r.requestPrincipal);
    if (token.rejected === undefined && evaluate({ ...r, requestPrincipal: token.principal })) {
      explain(r, open ? 'allowed for some requests, such as ' : 'the request ');
      return true;
    }
  }
  explain(candidates[0], open ? 'no such request is allowed, for instance ' : 'the request ');
  return false;
}
