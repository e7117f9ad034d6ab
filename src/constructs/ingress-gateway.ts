import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { renderNetworkPolicy } from './_render';
import { validateFlow } from './_validate-flow';
import { Waypoint, directFlows } from './_waypoint';
import { ExternalPeer } from './external-peer';
import { GatewayListener } from './gateway-listener';
import type { MeshedService } from './meshed-service';
import { RoutePath } from './route-path';
import { AppProtocol } from './service-port';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import type { PodInput } from '../analyzer/reachability-input';
import { ZeroTrustGuard } from '../guard/_guard';
import { ISTIOD_EGRESS, NAMESPACE_NAME_LABEL, infrastructurePeer } from '../model/_constants';
import { FlowGraph } from '../model/_flow-graph';
import {
  GATEWAY_API, GATEWAY_NAME_LABEL, GatewaySpec, GrpcRouteSpec, HttpRouteSpec, ISTIO_GATEWAY_CLASS, ListenerProtocol, ListenerSpec,
  ParentReferenceSpec, RouteNamespacesSpec, gatewayHostnameProblem, hostnameWithin, istioGatewayDeploymentName,
} from '../model/_gateway-api-spec';
import { principalOf } from '../model/_identity';
import { AuthorizationPolicySpec, ISTIO_SECURITY_API } from '../model/_istio-spec';
import { Manifest, NetworkPolicySpec } from '../model/_network-policy-spec';
import type { PortRequests } from '../model/_request-rules';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { compareStrings, sortedUnique } from '../util/_collections';
import { dns1035LabelProblem } from '../util/_names';

/**
 * Props for `IngressGateway`.
 */
export interface IngressGatewayProps {
  /**
   * The zero-trust namespace the gateway runs in; it must be in the mesh, as the gateway calls the services it routes
   * to with its mesh identity.
   */
  readonly namespace: ZeroTrustNamespace;

  /**
   * The Gateway name: a DNS-1035 label of at most 57 characters, as Istio names the gateway's Deployment, Service and
   * ServiceAccount `<name>-istio`.
   */
  readonly name: string;

  /**
   * The listeners: the ports, protocols and hostnames the gateway serves.
   */
  readonly listeners: GatewayListener[];

  /**
   * The addresses that may connect to the listeners, such as your load balancer's or CDN's ranges.
   *
   * They become the ingress ipBlocks of the gateway's NetworkPolicy and the `ipBlocks` of its AuthorizationPolicy.
   * The public internet can only be named as `ExternalPeer.anyAddressUnsafe()`, and the synth then fails (ZT403)
   * until you suppress that rule on the gateway with a reason; private ranges need a ZT418 suppression.
   */
  readonly sources: ExternalPeer[];
}

/**
 * Options for `IngressGateway.route()`.
 */
export interface GatewayRouteOptions {
  /**
   * The service port the route sends requests to: an HTTP port (an HTTPRoute) or a gRPC port (a GRPCRoute).
   */
  readonly port: number;

  /**
   * The hostnames the route serves; each must fall under the hostname of the listeners it attaches to.
   * @default - every hostname of the listeners
   */
  readonly hostnames?: string[];

  /**
   * The paths the route matches (HTTP ports only; a gRPC route matches every method of the service).
   *
   * On a server in sidecar mode the service's AuthorizationPolicy admits the gateway on these paths only, and so does
   * the waypoint's policy for an ambient server behind its namespace's waypoint (ztunnel evaluates no path).
   * @default - every path: `RoutePath.prefix('/')`
   */
  readonly paths?: RoutePath[];

  /**
   * The names of the listeners the route attaches to.
   * @default - every listener of the gateway
   */
  readonly listeners?: string[];
}

/** One route as declared, normalised so that a second declaration can be compared with it. */
interface DeclaredRoute {
  readonly service: MeshedService;
  readonly port: number;
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  readonly name: string;
  readonly listeners: string[];
  readonly hostnames: string[];
  readonly paths: Array<{ readonly type: string; readonly value: string }>;
  readonly apiObject: ApiObject;
}

/**
 * An Istio ingress gateway on Gateway API: a `Gateway` of class `istio`, for which Istio deploys the gateway pods,
 * and routes from it to MeshedServices, each a declared flow.
 *
 * Istio runs the gateway as Deployment, Service and ServiceAccount `<name>-istio`, with pods labelled
 * `gateway.networking.k8s.io/gateway-name: <name>`; so the gateway has the identity `<trust domain>/ns/<ns>/sa/<name>-istio`.
 * The construct emits the Gateway, whose listeners admit routes only from the namespaces that have routes to it;
 * the gateway's NetworkPolicy (ingress only from `sources` on the listener ports, egress only to the routed services on
 * their ports, and to istiod in ambient namespaces) and its AuthorizationPolicy (the same sources and ports).
 * `route()` emits an HTTPRoute or GRPCRoute in the service's namespace and declares the flow gateway -> service, so the
 * service's NetworkPolicy admits the gateway pods and its AuthorizationPolicy the gateway's principal on that port.
 */
export class IngressGateway extends Construct {
  /**
   * The Gateway name.
   */
  public readonly name: string;

  /**
   * The zero-trust namespace of the gateway.
   */
  public readonly namespace: ZeroTrustNamespace;

  /**
   * The listeners.
   */
  public readonly listeners: GatewayListener[];

  /**
   * The name of the ServiceAccount Istio runs the gateway pods as, `<name>-istio`.
   */
  public readonly serviceAccountName: string;

  /**
   * The gateway's Istio principal, such as `cluster.local/ns/edge/sa/public-istio`.
   */
  public readonly principal: string;

  /**
   * The labels that select the gateway's pods.
   */
  public readonly selector: { [key: string]: string };

  /**
   * The Gateway object.
   */
  public readonly gateway: ApiObject;

  /**
   * The gateway's NetworkPolicy.
   */
  public readonly networkPolicy: ApiObject;

  /**
   * The gateway's AuthorizationPolicy.
   */
  public readonly authorizationPolicy: ApiObject;

  /**
   * Istio's gateways send a Service's traffic through its waypoint when the Service is labelled so, which `route()`
   * does for a server behind one.
   * @internal
   */
  public readonly _routesThroughWaypoints = true;

  private readonly sources: ExternalPeer[];
  private readonly flows: FlowGraph;
  private readonly routes = new Map<string, DeclaredRoute>();

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    const path = this.node.path;
    const ns = props.namespace;
    const deployment = istioGatewayDeploymentName(props.name);
    const nameProblem = dns1035LabelProblem(props.name) ?? dns1035LabelProblem(deployment);
    if (nameProblem) {
      throw new Error(ruleMessage('ZT201', path, `gateway name ${nameProblem}`, 'Use lowercase letters, digits and \'-\', starting with a letter, at most 57 characters (Istio appends "-istio").'));
    }
    if (!ns.meshed) {
      throw new Error(ruleMessage('ZT123', path, `namespace "${ns.name}" is outside the mesh, so the gateway would have no mesh identity to call services with`,
        'Put the gateway in a namespace in the mesh (MeshMode.SIDECAR or AMBIENT).'));
    }
    checkListeners(path, props.listeners);
    if (props.sources.length === 0) {
      throw new Error(ruleMessage('ZT126', path, 'the gateway has no sources, so nothing could connect to it',
        'Give the ranges that may connect (your load balancer\'s or CDN\'s), or ExternalPeer.anyAddressUnsafe() with a ZT403 suppression.'));
    }
    // Istio's Deployment, Service and ServiceAccount take `<name>-istio`, which no MeshedService may then be.
    ns._claimServiceName(deployment, this);

    this.name = props.name;
    this.namespace = ns;
    this.listeners = [...props.listeners];
    this.sources = [...props.sources];
    this.serviceAccountName = deployment;
    this.principal = principalOf(ns.trustDomain, ns.name, deployment);
    this.selector = { [GATEWAY_NAME_LABEL]: props.name };
    this.flows = ZeroTrustGuard.flowGraph(this);

    this.gateway = new ApiObject(this, 'Gateway', this.gatewayManifest(Lazy.any({ produce: () => this.renderGateway() })));
    this.networkPolicy = new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: deployment, namespace: ns.name },
      spec: Lazy.any({ produce: () => this.renderNetworkPolicy() }),
    });
    this.authorizationPolicy = new ApiObject(this, 'AuthorizationPolicy', {
      apiVersion: ISTIO_SECURITY_API,
      kind: 'AuthorizationPolicy',
      metadata: { name: deployment, namespace: ns.name },
      spec: this.renderAuthorizationPolicy(),
    });
    ZeroTrustGuard.registerEnd(this);
    ZeroTrustGuard.registerEntryPoint(this);
  }

  /**
   * Routes requests from the gateway to a service port, and allows that flow at every layer.
   *
   * It emits an HTTPRoute (an HTTP port) or a GRPCRoute (a gRPC port) in the service's namespace, attached to the
   * gateway's listeners, and declares the flow gateway -> service on that port: the service's NetworkPolicy admits the
   * gateway's pods and its AuthorizationPolicy the gateway's principal on the port, and on the route's paths too when
   * it is an HTTPRoute to a sidecar server whose paths are not all of them (`/`). To an ambient server behind its
   * namespace's waypoint (HTTP rules or `requireJwt`, declared before or after), the gateway goes through the
   * waypoint: the Service is labelled `istio.io/ingress-use-waypoint: "true"`, the gateway reaches the waypoint on
   * HBONE and the waypoint's policy admits its principal. Routing the same service port again with the same options
   * returns the same route.
   * @param service the service
   * @param options the port, hostnames, paths and listeners
   * @returns the HTTPRoute or GRPCRoute
   */
  public route(service: MeshedService, options: GatewayRouteOptions): ApiObject {
    const where = () => `${this.node.path}.route(${service.node.path})`;
    const ports = validateFlow(where, this, service, { ports: [options.port] });
    const declared = this.declareRoute(where, service, options);
    const key = `${service.namespace.name}/${service.name}:${options.port}`;
    const earlier = this.routes.get(key);
    if (earlier) {
      // The options are normalised (sorted, distinct), so equal declarations compare equal.
      const normalised = (r: typeof declared) => JSON.stringify([r.listeners, r.hostnames, r.paths]);
      if (normalised(earlier) !== normalised(declared)) {
        throw new Error(ruleMessage('ZT122', where(), `port ${options.port} of ${service.name} is already routed with other options (${earlier.apiObject.node.path})`,
          'Route each service port once, with all its hostnames and paths, or route it from another gateway.'));
      }
      return earlier.apiObject;
    }
    const requests = routeRequests(declared);
    this.flows.declare({ from: this, to: service, ports, ...requests ? { requests } : {} });
    Waypoint.route(this.flows, service.namespace, service);
    const name = `${service.name}-${options.port}.${this.name}.${this.namespace.name}`;
    const apiObject = new ApiObject(this, `Route:${service.namespace.name}:${service.name}:${options.port}`, {
      apiVersion: GATEWAY_API,
      kind: declared.kind,
      metadata: { name, namespace: service.namespace.name },
      spec: this.renderRoute({ ...declared, name }),
    });
    this.routes.set(key, { ...declared, name, apiObject });
    return apiObject;
  }

  /**
   * No stand-in pods: the analysis derives the gateway's pod from the Gateway object, as it does for any Gateway of class `istio`.
   * @internal
   */
  public _reachabilityPods(): PodInput[] {
    return [];
  }

  /**
   * The objects the gateway declares as entry points, rendered from its declarations alone: the manifest rules accept
   * exactly these and refuse any other gateway, route or change to these, the Gateway's labels and annotations
   * included (Istio copies them to the Deployment and Service it creates, and reads some, such as the Service's type).
   * @internal
   */
  public _declaredManifests(): Array<Manifest<unknown>> {
    const ns = this.namespace.name;
    const meta = (name: string, namespace = ns) => ({ name, namespace });
    return [
      this.gatewayManifest(this.renderGateway()),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(this.serviceAccountName), spec: this.renderNetworkPolicy() },
      { apiVersion: ISTIO_SECURITY_API, kind: 'AuthorizationPolicy', metadata: meta(this.serviceAccountName), spec: this.renderAuthorizationPolicy() },
      ...[...this.routes.values()].map(r => ({
        apiVersion: GATEWAY_API, kind: r.kind, metadata: meta(r.name, r.service.namespace.name), spec: this.renderRoute(r),
      })),
    ];
  }

  private declareRoute(where: () => string, service: MeshedService, options: GatewayRouteOptions): Omit<DeclaredRoute, 'apiObject' | 'name'> {
    const port = service.ports.find(p => p.port === options.port)!;
    if (port.protocol === AppProtocol.TCP) {
      throw new Error(ruleMessage('ZT124', where(), `port ${options.port} of ${service.name} is a TCP port, which HTTP and gRPC routes cannot reach`,
        'Route an HTTP or gRPC port (ServicePort.http or ServicePort.grpc).'));
    }
    const kind = port.protocol === AppProtocol.GRPC ? 'GRPCRoute' : 'HTTPRoute';
    if (kind === 'GRPCRoute' && options.paths !== undefined) {
      throw new Error(ruleMessage('ZT124', where(), `port ${options.port} of ${service.name} is a gRPC port, and a GRPCRoute matches methods, not paths`,
        'Omit `paths` for a gRPC port: the route then sends every method of the service.'));
    }
    const listeners = sortedStrings(options.listeners ?? this.listeners.map(l => l.name));
    for (const name of listeners) {
      if (!this.listeners.some(l => l.name === name)) {
        throw new Error(ruleMessage('ZT125', where(), `the gateway has no listener "${name}" (listeners: ${this.listeners.map(l => l.name).join(', ')})`,
          'Name one of the gateway\'s listeners, or omit `listeners` for all of them.'));
      }
    }
    if (listeners.length === 0) {
      throw new Error(ruleMessage('ZT125', where(), 'the route attaches to no listener', 'Name at least one listener, or omit `listeners` for all of them.'));
    }
    const hostnames = sortedStrings(options.hostnames ?? []);
    for (const hostname of hostnames) {
      const problem = gatewayHostnameProblem(hostname);
      if (problem) throw new Error(ruleMessage('ZT121', where(), problem, 'Give a DNS name such as "shop.example.com" or "*.example.com".'));
      const outside = this.listeners.find(l => listeners.includes(l.name) && l.hostname !== undefined && !hostnameWithin(hostname, l.hostname));
      if (outside) {
        throw new Error(ruleMessage('ZT121', where(), `hostname "${hostname}" is not under listener ${outside.name}'s hostname "${outside.hostname}", so the route would not attach there`,
          'Give hostnames under the listener\'s, or attach the route to other listeners.'));
      }
    }
    const paths = (options.paths ?? [RoutePath.prefix('/')]).map(p => ({ type: p.type, value: p.value }))
      .sort((a, b) => compareStrings(`${a.type} ${a.value}`, `${b.type} ${b.value}`))
      .filter((p, i, all) => i === 0 || p.type !== all[i - 1].type || p.value !== all[i - 1].value);
    return { service, port: options.port, kind, listeners, hostnames, paths };
  }

  private listenerPorts(): number[] {
    return sortedUnique(this.listeners.map(l => l.port));
  }

  /**
   * The Gateway, with its metadata as the ApiObject emits it (the chart's labels, no annotation): Istio copies the
   * Gateway's labels and annotations to the Deployment and Service it deploys, and reads some.
   */
  private gatewayManifest<S>(spec: S): Manifest<S> {
    return { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: this.name, namespace: this.namespace.name, labels: Chart.of(this).labels }, spec };
  }

  private renderGateway(): GatewaySpec {
    const listeners: ListenerSpec[] = this.listeners.map(l => ({
      name: l.name,
      ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
      port: l.port,
      protocol: l.protocol as ListenerProtocol,
      ...(l.protocol === 'HTTPS' ? { tls: { mode: 'Terminate' as const, certificateRefs: l.certificates.map(name => ({ name })) } } : {}),
      allowedRoutes: { namespaces: this.routeNamespaces(l.name) },
    }));
    return { gatewayClassName: ISTIO_GATEWAY_CLASS, listeners };
  }

  /** Routes may attach to a listener only from the namespaces of its declared routes. */
  private routeNamespaces(listener: string): RouteNamespacesSpec {
    const names = sortedStrings([...this.routes.values()].filter(r => r.listeners.includes(listener)).map(r => r.service.namespace.name));
    // Every namespace carries its name label, so DoesNotExist selects none: a listener without routes admits none.
    const match = names.length > 0 ? { key: NAMESPACE_NAME_LABEL, operator: 'In' as const, values: names } : { key: NAMESPACE_NAME_LABEL, operator: 'DoesNotExist' as const };
    return { from: 'Selector', selector: { matchExpressions: [match] } };
  }

  private renderRoute(r: Omit<DeclaredRoute, 'apiObject'>): HttpRouteSpec | GrpcRouteSpec {
    const parentRefs: ParentReferenceSpec[] = r.listeners.map(sectionName => ({
      group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: this.namespace.name, name: this.name, sectionName,
    }));
    const hostnames = r.hostnames.length > 0 ? { hostnames: [...r.hostnames] } : {};
    const backendRefs = [{ name: r.service.name, port: r.port }];
    if (r.kind === 'GRPCRoute') return { parentRefs, ...hostnames, rules: [{ backendRefs }] };
    const matches = r.paths.map(p => ({ path: { type: p.type as 'PathPrefix' | 'Exact', value: p.value } }));
    return { parentRefs, ...hostnames, rules: [{ matches, backendRefs }] };
  }

  private renderNetworkPolicy(): NetworkPolicySpec {
    const own = renderNetworkPolicy(this, [], directFlows(this, [], this.flows.outbound(this)).outbound, []);
    const ports = this.listenerPorts().map(port => ({ protocol: 'TCP' as const, port }));
    const from = this.sources.flatMap(s => s._ipBlocks).map(ipBlock => ({ ipBlock }));
    // Sidecar namespaces let every pod reach istiod; in ambient ones only the gateway, an Envoy of its own, needs it.
    const istiod = this.namespace.mesh === MeshMode.AMBIENT
      ? [{ to: [infrastructurePeer(ISTIOD_EGRESS)], ports: ISTIOD_EGRESS.ports.map(p => ({ ...p })) }] : [];
    return { ...own, ingress: [{ from, ports }], egress: [...own.egress ?? [], ...istiod] };
  }

  private renderAuthorizationPolicy(): AuthorizationPolicySpec {
    const from = this.sources.flatMap(s => s._ipBlocks).map(b => ({
      source: { ipBlocks: [b.cidr], ...(b.except ? { notIpBlocks: [...b.except] } : {}) },
    }));
    return {
      selector: { matchLabels: { ...this.selector } },
      action: 'ALLOW',
      rules: [{ from, to: [{ operation: { ports: this.listenerPorts().map(String) } }] }],
    };
  }
}

/**
 * The requests an HTTP route admits, so that the server's AuthorizationPolicy (a sidecar's, or the waypoint's of an
 * ambient server behind one) and the ZT416 proof carry its paths too: an exact path as it is, a prefix by whole
 * segments (`/api` -> `/api`, `/api/*`; Gateway API ignores a trailing `/`). An ambient server's ztunnel evaluates no
 * path, so its own policy leaves them out (`directFlows`). Undefined, port-level, for a GRPCRoute, a server outside
 * the mesh and a `/` prefix, which matches every path.
 */
function routeRequests(route: Omit<DeclaredRoute, 'apiObject' | 'name'>): PortRequests | undefined {
  if (route.kind !== 'HTTPRoute' || route.service.namespace.mesh === MeshMode.NONE) return undefined;
  const paths = route.paths.map(p => p.type === 'Exact' ? [p.value] : [p.value.replace(/\/$/, '')].flatMap(prefix => prefix === '' ? [] : [prefix, `${prefix}/*`]));
  if (paths.some(p => p.length === 0)) return undefined;
  return new Map([[route.port, [{ paths: sortedStrings(paths.flat()) }]]]);
}

function sortedStrings(values: string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function checkListeners(path: string, listeners: GatewayListener[]): void {
  if (listeners.length === 0) {
    throw new Error(ruleMessage('ZT320', path, 'the gateway has no listeners', 'Give at least one, such as GatewayListener.https({ certificates: [\'shop-tls\'] }).'));
  }
  const names = new Set<string>();
  const ports = new Map<number, GatewayListener>();
  for (const l of listeners) {
    if (names.has(l.name)) {
      throw new Error(ruleMessage('ZT320', path, `listener name "${l.name}" is used twice`, 'Give each listener its own name.'));
    }
    names.add(l.name);
    const twin = ports.get(l.port);
    // Listeners may share a port only with the same protocol and distinct hostnames, as Gateway API requires.
    if (twin && (twin.protocol !== l.protocol || twin.hostname === l.hostname)) {
      throw new Error(ruleMessage('ZT320', path, `listeners "${twin.name}" and "${l.name}" share port ${l.port}`,
        'Give listeners on one port the same protocol and distinct hostnames, or use another port.'));
    }
    ports.set(l.port, l);
  }
}
