// ZT416 per request: on a declared port where Istio evaluates requests, the requests the server's authorization
// admits must be the ones the flow declares (its HTTP rules) that carry a token the server requires.
import { HttpRequest, istioStringMatch } from '../analyzer/_http-match';
import type { Reachability } from '../analyzer/reachability';
import type { FlowGraph } from '../model/_flow-graph';
import type { RequestRule } from '../model/_request-rules';

/** A request whose verdict differs from the declaration. */
export interface RequestDifference {
  readonly request: HttpRequest;
  readonly actual: boolean;
}

/** Whether the declaration admits a request: one of the rules matches (none: any request), with a required token. */
function declared(rules: readonly RequestRule[] | undefined, issuers: readonly string[], r: HttpRequest): boolean {
  const matches = (rule: RequestRule) => (rule.methods === undefined || rule.methods.includes(r.method))
    && (rule.paths === undefined || rule.paths.some(p => istioStringMatch(p, r.path)));
  return (rules === undefined || rules.some(matches)) && (issuers.length === 0 || issuers.some(i => r.requestPrincipal.startsWith(`${i}/`)));
}

/**
 * The requests from pod `from` (of service `client`) to pod `to` (of `server`) on a declared `port` that Istio
 * decides otherwise than declared, over witness requests that cover every pattern of the policies and the declaration.
 * Requests whose token a RequestAuthentication rejects are left out: no client is declared to send invalid tokens.
 */
export function requestDifferences(
  r: Reachability, from: string, to: string, port: number, flows: FlowGraph, client: string, server: string,
): RequestDifference[] {
  const rules = flows.flow(client, server)?.requests?.get(port);
  const issuers = flows.tokenIssuers(server);
  const extra = { methods: rules?.flatMap(x => x.methods ?? []), paths: rules?.flatMap(x => x.paths ?? []), issuers: [...issuers] };
  return (r._requestVerdicts(from, to, port, extra) ?? [])
    .filter(v => !v.rejected && v.allowed !== declared(rules, issuers, v.request))
    .map(v => ({ request: v.request, actual: v.allowed }));
}
