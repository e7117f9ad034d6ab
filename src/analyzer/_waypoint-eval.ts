/**
 * Ambient waypoints in the analysis: which Services send their traffic through a waypoint (`istio.io/use-waypoint`),
 * which AuthorizationPolicies the waypoint applies to it (those whose targetRefs name the Service), and the waypoint's
 * pod, derived from its Gateway of class `istio-waypoint` as Istio deploys it.
 */
import type { AuthorizationPolicy } from './_istio-authz-eval';
import type { RequestAuthentication } from './_request-authz';
import type { PodInput } from './reachability-input';
import { HBONE_PORT, manifestNamespace } from '../model/_constants';
import { GATEWAY_API, GATEWAY_NAME_LABEL } from '../model/_gateway-api-spec';
import { Labels, isObject } from '../model/_label-selector';
import { addToList } from '../util/_collections';

/** The class whose Gateways Istio deploys as waypoint proxies. */
export const WAYPOINT_CLASS = 'istio-waypoint';
/** The label that sends the traffic addressed to a Service (or a namespace's Services) through a waypoint. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/**
 * The label (value `"true"`) that makes Istio's ingress gateways send a Service's traffic through the Service's
 * waypoint, as ambient clients do, instead of to its pods directly.
 */
export const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';
/** The label that names the namespace of the waypoint, for a waypoint in another namespace. */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
/** The label that says which traffic a waypoint takes: `service` (the default) is traffic addressed to Services. */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';

/**
 * The waypoint label among `labels` that the analyzer models on a Service only: `istio.io/use-waypoint` (but `none`,
 * which opts out) or `istio.io/ingress-use-waypoint`; undefined when there is neither.
 */
export function serviceOnlyWaypointLabel(labels: unknown): string | undefined {
  if (!isObject(labels)) return undefined;
  if (labels[USE_WAYPOINT_LABEL] !== undefined && labels[USE_WAYPOINT_LABEL] !== 'none') return USE_WAYPOINT_LABEL;
  return labels[INGRESS_USE_WAYPOINT_LABEL] !== undefined ? INGRESS_USE_WAYPOINT_LABEL : undefined;
}

/** The label Istio's gateway controller gives the pods it deploys for a Gateway (ingress, egress, waypoint). */
export const GATEWAY_CLASS_LABEL = 'gateway.networking.k8s.io/gateway-class-name';

/** A Service whose traffic a waypoint of its namespace authorizes. */
export interface WaypointBinding {
  readonly namespace: string;
  /** The waypoint's name, which is its pod's name and ServiceAccount. */
  readonly waypoint: string;
  readonly service: string;
  /** Whether Istio's gateways send the Service's traffic through the waypoint too (`istio.io/ingress-use-waypoint`). */
  readonly ingress: boolean;
  /** The pod ports the Service sends through the waypoint (its target ports). */
  readonly ports: number[];
  /** The AuthorizationPolicies whose targetRefs name the Service: the waypoint applies them, and no others. */
  readonly policies: AuthorizationPolicy[];
  /** The RequestAuthentications whose targetRefs name the Service: the waypoint validates their tokens, and no others. */
  readonly authns: RequestAuthentication[];
}

/** How the analysis names a manifest in errors. */
function objectName(m: any): string {
  return `${m.kind} ${manifestNamespace(m)}/${m.metadata?.name}`;
}

/** Whether a manifest is a Gateway that Istio deploys as a waypoint. */
export function isWaypointGateway(m: any): boolean {
  return typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('gateway.networking.k8s.io/') && m.kind === 'Gateway'
    && m.spec?.gatewayClassName === WAYPOINT_CLASS;
}

/**
 * One pod per waypoint Gateway that no manifest describes: named and running as the Gateway's name, labelled with it,
 * in the mesh, listening on HBONE 15008. Throws for a waypoint the analyzer does not model (other listeners, a
 * waypoint for workloads, `spec.addresses`).
 */
export function waypointPodsFromManifests(manifests: any[], described: PodInput[]): PodInput[] {
  const known = new Set(described.map(p => `${p.namespace}/${p.name}`));
  return manifests.filter(isWaypointGateway).flatMap(m => {
    const where = objectName(m);
    if (m.apiVersion !== GATEWAY_API) throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(m.apiVersion)} (expected ${GATEWAY_API})`);
    const name = m.metadata?.name;
    if (typeof name !== 'string') throw new Error(`${where}: metadata.name is required`);
    const waypointFor = m.metadata?.labels?.[WAYPOINT_FOR_LABEL] ?? 'service';
    if (waypointFor !== 'service') {
      throw new Error(`${where}: metadata.labels["${WAYPOINT_FOR_LABEL}"]: the analyzer models only waypoints for services, not ${JSON.stringify(waypointFor)}`);
    }
    const listeners = m.spec.listeners;
    if (!Array.isArray(listeners) || listeners.length !== 1 || listeners[0]?.port !== HBONE_PORT || listeners[0]?.protocol !== 'HBONE') {
      throw new Error(`${where}: spec.listeners: the analyzer models only a waypoint with one HBONE listener on ${HBONE_PORT}`);
    }
    if (m.spec.addresses !== undefined || m.spec.infrastructure !== undefined) {
      throw new Error(`${where}: the analyzer does not model a waypoint's spec.addresses or spec.infrastructure`);
    }
    if (known.has(`${manifestNamespace(m)}/${name}`)) return [];
    return [{
      namespace: manifestNamespace(m),
      name,
      // As Istio's waypoint template labels them: out of ztunnel's capture (the waypoint speaks HBONE itself).
      labels: {
        'sidecar.istio.io/inject': 'false',
        'istio.io/dataplane-mode': 'none',
        [GATEWAY_NAME_LABEL]: name,
        [GATEWAY_CLASS_LABEL]: WAYPOINT_CLASS,
        'gateway.istio.io/managed': 'istio.io-mesh-controller',
      },
      serviceAccount: name,
      ports: [{ port: HBONE_PORT, protocol: 'TCP' }],
      meshed: true,
      waypoint: true,
    }];
  });
}

/** The Services that use waypoints, by namespace, and the policies that target them. */
export class WaypointIndex {
  private readonly bindings = new Map<string, Array<{ readonly selector: Labels; readonly binding: WaypointBinding }>>();

  constructor(services: ReadonlyMap<string, any[]>, policies: AuthorizationPolicy[], authns: RequestAuthentication[] = []) {
    const targeting = new Map<string, AuthorizationPolicy[]>();
    for (const p of policies) for (const s of p.targets ?? []) addToList(targeting, `${p.namespace}/${s}`, p);
    const authenticating = new Map<string, RequestAuthentication[]>();
    for (const a of authns) for (const s of new Set(a.targets)) addToList(authenticating, `${a.namespace}/${s}`, a);
    for (const [namespace, list] of services) {
      for (const m of list) {
        const waypoint = m.metadata?.labels?.[USE_WAYPOINT_LABEL];
        if (waypoint === undefined || waypoint === 'none') continue;
        const where = objectName(m);
        if (m.metadata.labels[USE_WAYPOINT_NAMESPACE_LABEL] !== undefined) {
          throw new Error(`${where}: metadata.labels["${USE_WAYPOINT_NAMESPACE_LABEL}"]: the analyzer models only waypoints in the Service's namespace`);
        }
        const selector = m.spec?.selector;
        if (!isObject(selector) || Object.keys(selector).length === 0) continue;
        const ports = (Array.isArray(m.spec.ports) ? m.spec.ports : []).map((p: any, i: number) => {
          const target = p?.targetPort ?? p?.port;
          if (typeof target !== 'number') throw new Error(`${where}: spec.ports[${i}].targetPort: the analyzer models only numeric target ports behind a waypoint`);
          return target;
        });
        const name = m.metadata.name;
        addToList(this.bindings, namespace, {
          selector: selector as Labels,
          binding: {
            namespace,
            waypoint,
            service: name,
            ingress: m.metadata.labels[INGRESS_USE_WAYPOINT_LABEL] === 'true',
            ports,
            policies: targeting.get(`${namespace}/${name}`) ?? [],
            authns: authenticating.get(`${namespace}/${name}`) ?? [],
          },
        });
      }
    }
  }

  /** The Services that select a pod and send its traffic through a waypoint. */
  public behind(namespace: string, labels: Labels): WaypointBinding[] {
    return (this.bindings.get(namespace) ?? []).filter(b => Object.entries(b.selector).every(([k, v]) => labels[k] === v)).map(b => b.binding);
  }

  /** The Services whose traffic the waypoint `name` of `namespace` authorizes. */
  public served(namespace: string, name: string): WaypointBinding[] {
    return (this.bindings.get(namespace) ?? []).map(b => b.binding).filter(b => b.waypoint === name);
  }
}
