/**
 * What an EgressGateway emits, as the opening rules must see it: its Gateway and TLSRoutes bring no traffic in from
 * outside the cluster (ZT425 exempts exactly their shape), and a ServiceEntry stays in its namespace (ZT440).
 */
import { isDeepStrictEqual } from 'util';
import { Landed, ManifestContext, finding, landed, list, meshHost, namespaceOf } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { WORKLOAD_LABEL } from '../model/_constants';
import { GATEWAY_API, GATEWAY_SERVICE_TYPE_ANNOTATION, ISTIO_GATEWAY_CLASS, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { isObject } from '../model/_label-selector';

const SERVICE_ENTRY_PARENT = { group: 'networking.istio.io', kind: 'ServiceEntry' };
const HOSTNAME_BACKEND = { group: 'networking.istio.io', kind: 'Hostname' };

/**
 * Whether a Gateway has the shape of an EgressGateway's: Istio's class, a ClusterIP Service, no addresses, pods
 * labelled as a flow end the app declares in its namespace (so the ZT416 proof covers who reaches them), and only TLS
 * passthrough listeners for hosts outside the cluster that admit routes of the namespace alone.
 * Its pods are a declared flow end (`ctx.ends`) selected by the workload label alone, as EgressGateway registers them.
 */
function egressGateway(ctx: ManifestContext, o: Landed): boolean {
  const { manifest, spec } = o;
  const workload = spec.infrastructure?.labels?.[WORKLOAD_LABEL];
  const listeners = list(spec.listeners);
  return manifest.apiVersion === GATEWAY_API && spec.gatewayClassName === ISTIO_GATEWAY_CLASS
    && manifest.metadata?.annotations?.[GATEWAY_SERVICE_TYPE_ANNOTATION] === 'ClusterIP' && spec.addresses === undefined
    && typeof workload === 'string' && (ctx.ends ?? []).some(e => e.namespace === namespaceOf(o) && isDeepStrictEqual(e.selector, { [WORKLOAD_LABEL]: workload }))
    && listeners.length > 0 && listeners.every(l => isObject(l) && l.protocol === 'TLS' && l.tls?.mode === 'Passthrough'
      && typeof l.hostname === 'string' && !l.hostname.includes('*') && !meshHost(l.hostname)
      && isDeepStrictEqual(l.allowedRoutes, { namespaces: { from: 'Same' } }));
}

/**
 * Whether a TLSRoute only moves the namespace's own connections between an egress-shaped Gateway of the namespace and
 * hosts outside the cluster: parents are ServiceEntries or such Gateways, backends hosts or such Gateways' Services.
 */
function egressRoute(gateways: Set<string>, o: Landed): boolean {
  const same = (ref: any) => isObject(ref) && ref.namespace === undefined;
  const parents = list(o.spec.parentRefs);
  const backends = list(o.spec.rules).flatMap(r => list(r?.backendRefs));
  return parents.length > 0 && backends.length > 0
    && parents.every(p => same(p) && (isDeepStrictEqual({ group: p.group, kind: p.kind }, SERVICE_ENTRY_PARENT)
      || ((p.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' && (p.kind ?? 'Gateway') === 'Gateway' && gateways.has(p.name))))
    && backends.every(b => same(b) && (isDeepStrictEqual({ group: b.group, kind: b.kind }, HOSTNAME_BACKEND) && !meshHost(b.name)
      || ((b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' && [...gateways].some(g => istioGatewayDeploymentName(g) === b.name))));
}

/** The Gateways and TLSRoutes of a managed namespace that only route its clients out through an egress gateway. */
export function egressObjects(ctx: ManifestContext, objects: Landed[]): Set<Landed> {
  const exempt = new Set<Landed>();
  const gateways = new Map<string, Set<string>>();
  for (const o of objects) {
    if (o.manifest.kind !== 'Gateway' || !egressGateway(ctx, o)) continue;
    exempt.add(o);
    const names = gateways.get(namespaceOf(o)) ?? new Set<string>();
    gateways.set(namespaceOf(o), names.add(o.manifest.metadata.name));
  }
  for (const o of objects) {
    if (o.manifest.kind === 'TLSRoute' && o.manifest.apiVersion === GATEWAY_API && egressRoute(gateways.get(namespaceOf(o)) ?? new Set(), o)) exempt.add(o);
  }
  return exempt;
}

/** The rules of this file, each rule one object. */
export const EGRESS_RULES: Rule[] = [
  {
    id: 'ZT440',
    title: 'ServiceEntry exported beyond its namespace',
    severity: RuleSeverity.ERROR,
    rationale: 'A ServiceEntry without `exportTo: ["."]` is visible to the proxies of every namespace (`*` by default), so with REGISTRY_ONLY it lets the workloads of namespaces the app does not manage reach the host too, and their traffic to it bypasses the egress gateway\'s routes, which are exported to the namespace only.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['ServiceEntry']).filter(o => !isDeepStrictEqual(o.spec.exportTo, ['.'])).map(o => finding('ZT440', o, 'spec.exportTo',
        o.spec.exportTo === undefined ? 'without exportTo the entry is visible to every namespace' : `exportTo ${JSON.stringify(o.spec.exportTo)} makes the entry visible beyond its namespace`,
        'Set `exportTo: ["."]`, as ExternalPeer.host() does, or suppress ZT440 with a reason.'));
    },
  },
];

