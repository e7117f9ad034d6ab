/**
 * How the mesh sends connections for an external host through an egress gateway, read from ServiceEntries and Gateway
 * API TLSRoutes as in Istio's egress gateway task: a TLSRoute parented to a ServiceEntry sends the clients that see the
 * entry (its `exportTo`) to an Istio Gateway's Service `<gateway>-istio`, and a TLSRoute attached to that Gateway sends
 * the host's connections on to the host (a `Hostname` backend). Routes to anything else are not egress routes.
 */
import { isIstioGateway } from './_gateway-pods';
import { objectName } from './_manifest-pods';
import { manifestNamespace } from '../model/_constants';
import { GATEWAY_API, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { isObject } from '../model/_label-selector';

/** One host a client namespace reaches through a gateway pod. */
export interface EgressRoute {
  /** The namespaces whose clients the entry is exported to; undefined for every namespace. */
  readonly clients?: ReadonlySet<string>;
  readonly host: string;
  /** The port the client dials. */
  readonly port: number;
  /** The gateway pod, `namespace/<gateway>-istio`. */
  readonly gateway: string;
  /** The gateway port the client's connection goes to. */
  readonly gatewayPort: number;
}

const ENTRY_GROUP = 'networking.istio.io';

function items(value: unknown, where: string): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some(v => !isObject(v) && typeof v !== 'string')) throw new Error(`${where}: expected a list`);
  return value;
}

/** Whether a route reference names `kind` of `group` (`group` defaulting to `defaultGroup`, kind to `defaultKind`). */
function refersTo(ref: any, group: string, kind: string, defaultGroup: string, defaultKind: string): boolean {
  return (ref.group ?? defaultGroup) === group && (ref.kind ?? defaultKind) === kind;
}

/** The namespaces an entry is exported to (`*` or absent: all), from its own namespace. */
function exportedTo(exportTo: unknown, namespace: string, where: string): ReadonlySet<string> | undefined {
  const list = exportTo === undefined ? ['*'] : items(exportTo, `${where}: spec.exportTo`);
  if (list.includes('*')) return undefined;
  return new Set(list.filter(n => n !== '~').map(n => n === '.' ? namespace : n));
}

/** The egress routes of a set of manifests; throws naming an entry or route it cannot read. */
export function egressRoutes(manifests: any[]): EgressRoute[] {
  const entries = manifests.filter(m => m?.kind === 'ServiceEntry' && typeof m.apiVersion === 'string' && m.apiVersion.startsWith(`${ENTRY_GROUP}/`));
  const routes = manifests.filter(m => m?.kind === 'TLSRoute' && m.apiVersion === GATEWAY_API);
  const gateways = new Map(manifests.filter(isIstioGateway).map(m => [`${manifestNamespace(m)}/${istioGatewayDeploymentName(m.metadata?.name)}`, m]));
  const out: EgressRoute[] = [];
  for (const route of routes) {
    const where = objectName(route);
    const namespace = manifestNamespace(route);
    const backends = items(route.spec?.rules, `${where}: spec.rules`).flatMap((r, i) => items(r?.backendRefs, `${where}: spec.rules[${i}].backendRefs`));
    for (const parent of items(route.spec?.parentRefs, `${where}: spec.parentRefs`)) {
      if (!refersTo(parent, ENTRY_GROUP, 'ServiceEntry', 'gateway.networking.k8s.io', 'Gateway')) continue;
      const entryNamespace = parent.namespace ?? namespace;
      const entry = entries.find(e => manifestNamespace(e) === entryNamespace && e.metadata?.name === parent.name);
      if (!entry) continue;
      const at = objectName(entry);
      const named = items(route.spec?.hostnames, `${where}: spec.hostnames`);
      const hosts = items(entry.spec?.hosts, `${at}: spec.hosts`).filter(h => named.length === 0 || named.includes(h));
      const ports = items(entry.spec?.ports, `${at}: spec.ports`).map(p => p?.number).filter(n => Number.isInteger(n));
      const clients = exportedTo(entry.spec?.exportTo, entryNamespace, at);
      for (const backend of backends) {
        if (!refersTo(backend, '', 'Service', '', 'Service')) continue;
        const gateway = `${backend.namespace ?? namespace}/${backend.name}`;
        const gw = gateways.get(gateway);
        if (!gw || !Number.isInteger(backend.port)) continue;
        for (const host of hosts.filter(h => forwards(routes, gw, h))) {
          for (const port of ports) out.push({ clients, host, port, gateway, gatewayPort: backend.port });
        }
      }
    }
  }
  return out;
}

/** Whether a TLSRoute attached to the Gateway sends the host's connections on to the host itself. */
function forwards(routes: any[], gateway: any, host: string): boolean {
  const namespace = manifestNamespace(gateway);
  return routes.some(r => items(r.spec?.parentRefs, 'parentRefs').some(p => refersTo(p, 'gateway.networking.k8s.io', 'Gateway', 'gateway.networking.k8s.io', 'Gateway')
    && (p.namespace ?? manifestNamespace(r)) === namespace && p.name === gateway.metadata.name)
    && items(r.spec?.hostnames, 'hostnames').includes(host)
    && items(r.spec?.rules, 'rules').some(rule => items(rule?.backendRefs, 'backendRefs').some(b => refersTo(b, ENTRY_GROUP, 'Hostname', '', 'Service') && b.name === host)));
}
