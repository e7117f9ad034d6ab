// ZT416 for egress gateways, host by host: the gateway's authorization must admit each declared client for the server
// names (SNI) of its own hosts only. The pod-level proof sees a port, not a server name, so it cannot tell them apart.
import { IConstruct } from 'constructs';
import { witnesses } from '../analyzer/_http-match';
import { SNI_KEY } from '../analyzer/_sni-condition';
import { Reachability } from '../analyzer/reachability';
import { PodInput } from '../analyzer/reachability-input';
import { DEFAULT_TRUST_DOMAIN, principalOf } from '../model/_identity';
import { ruleMessage } from '../rules/_catalog';
import { list } from '../rules/_manifest-objects';
import { Finding } from '../rules/_manifest-rules';
import { compareStrings } from '../util/_collections';

/** A host an egress gateway routes, and the principals declared for it. */
export interface DeclaredHost {
  readonly hostname: string;
  readonly port: number;
  readonly principals: readonly string[];
}

/** A flow end that admits clients by server name: an EgressGateway. */
export interface HostGateway extends IConstruct {
  readonly namespace: { readonly name: string };
  readonly selector: { readonly [key: string]: string };
  _declaredHosts(): DeclaredHost[];
}

/** Whether a flow end admits clients by server name. */
export function isHostGateway<T extends IConstruct>(end: T): end is T & HostGateway {
  return typeof (end as Partial<HostGateway>)._declaredHosts === 'function';
}

/** The base of the server names no flow declares, so that a rule admitting any name (or none) is caught too. */
export const UNDECLARED_SERVER_NAME = 'undeclared.invalid';

/** Every `connection.sni` value and notValue pattern of the AuthorizationPolicies among `manifests`. */
export function serverNamePatterns(manifests: any[]): string[] {
  return [...new Set(manifests.filter(m => m?.kind === 'AuthorizationPolicy').flatMap(m => list(m.spec?.rules)
    .flatMap(rule => list(rule?.when).filter(c => c?.key === SNI_KEY).flatMap(c => [...list(c.values), ...list(c.notValues)]))
    .filter((v): v is string => typeof v === 'string')))];
}

/**
 * Checks, for each gateway pod and each pod running as a principal declared for one of its hosts, every declared host
 * and the witnesses of every server name pattern the policies name (exact names, and around a fresh name each prefix
 * and suffix pattern, which between them meet every combination of the patterns a name can meet) on each host port:
 * the authorization must admit exactly the declared pairs. `patterns` are the `connection.sni` patterns of the
 * policies (`serverNamePatterns`): with them, checking these names checks every name.
 */
export function verifyGatewayHosts(
  r: Reachability, pods: PodInput[], gateways: HostGateway[], trustDomains: Map<string, string>, patterns: string[],
): Finding[] {
  const findings: Finding[] = [];
  const principal = (p: PodInput) => principalOf(trustDomains.get(p.namespace) ?? DEFAULT_TRUST_DOMAIN, p.namespace, p.serviceAccount ?? 'default');
  for (const gateway of gateways) {
    const hosts = gateway._declaredHosts();
    const declared = new Set(hosts.flatMap(h => h.principals));
    const ports = [...new Set(hosts.map(h => h.port))];
    const names = [...new Set([...hosts.map(h => h.hostname), ...witnesses(patterns, UNDECLARED_SERVER_NAME)])];
    const gatewayPods = pods.filter(p => p.namespace === gateway.namespace.name
      && Object.entries(gateway.selector).every(([k, v]) => p.labels?.[k] === v));
    const clients = pods.filter(p => declared.has(principal(p)));
    for (const gw of gatewayPods) {
      const gwId = `${gw.namespace}/${gw.name}`;
      const differing: string[] = [];
      for (const client of clients) {
        const id = `${client.namespace}/${client.name}`;
        for (const port of ports) {
          for (const name of names) {
            const expected = hosts.some(h => h.hostname === name && h.port === port && h.principals.includes(principal(client)));
            const allowed = r._authorizesServerName(id, gwId, port, name);
            if (allowed !== expected) {
              differing.push(`${allowed ? 'allows' : 'refuses'} ${id} -> ${gwId} on ${port}/TCP for server name ${name}, which ${allowed ? 'no flow declares' : 'a declared flow needs'}`);
            }
          }
        }
      }
      if (differing.length > 0) {
        const path = gateway.node.path;
        findings.push({
          ruleId: 'ZT416',
          path,
          message: ruleMessage('ZT416', path, `the authorization of ${gwId} differs from the declared hosts: it ${differing.sort(compareStrings).join('; ')}`,
            'Remove or fix the object that opens it, declare the flow, or suppress ZT416 on the gateway with a reason'),
        });
      }
    }
  }
  return findings;
}
