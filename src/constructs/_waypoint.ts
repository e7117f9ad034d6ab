// Ambient waypoints: the L7 hop that enforces HTTP rules for an ambient server. ztunnel evaluates no HTTP field, so
// Istio sends traffic addressed to a Service labelled `istio.io/use-waypoint` through the waypoint (an Envoy that
// Istio deploys for a Gateway of class `istio-waypoint`), which applies the AuthorizationPolicies whose targetRefs
// name the Service, with the original client's identity; the server's ztunnel then sees the waypoint's identity.
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { renderAuthorizationPolicy, renderNetworkPolicy } from './_render';
import type { ZeroTrustNamespace } from './zero-trust-namespace';
import { WAYPOINT_CLASS, WAYPOINT_FOR_LABEL } from '../analyzer/_waypoint-eval';
import type { PodInput } from '../analyzer/reachability-input';
import { ZeroTrustGuard } from '../guard/_guard';
import { HBONE_PORT, ISTIOD_EGRESS, infrastructurePeer } from '../model/_constants';
import { Flow, FlowEnd, FlowNamespace } from '../model/_flow';
import { FlowGraph, endKey } from '../model/_flow-graph';
import { GATEWAY_API, GATEWAY_NAME_LABEL } from '../model/_gateway-api-spec';
import { principalOf } from '../model/_identity';
import { AuthorizationPolicySpec, PolicyTargetReferenceSpec } from '../model/_istio-spec';
import { NetworkPolicySpec } from '../model/_network-policy-spec';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';

/** The waypoint of a namespace: one per namespace, named as `istioctl waypoint generate` names it by default. */
export const WAYPOINT_NAME = 'waypoint';

/**
 * The waypoint of an ambient namespace as a flow end: Istio runs its pods as the ServiceAccount named after the
 * Gateway and labels them with the Gateway's name.
 */
export function waypointEnd(ns: FlowNamespace): FlowEnd {
  const principal = principalOf(ns.trustDomain, ns.name, WAYPOINT_NAME);
  return { name: WAYPOINT_NAME, namespace: ns, selector: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME }, principal };
}

/**
 * Whether a server's requests are authorized at a waypoint: it is ambient and a declared flow to it has HTTP rules,
 * or had them (a later declaration of the whole port keeps it behind the waypoint, whose policy then admits the port),
 * or it requires tokens (`requireJwt`), which only the waypoint can check. A gateway route's paths bring no waypoint
 * (the gateway forwards only those paths), yet the waypoint's policy carries them once the server is behind one.
 */
function needsWaypoint(flows: FlowGraph, server: WaypointServer, inbound: readonly Flow[]): boolean {
  return server._usesWaypoint() || (server.namespace.mesh === MeshMode.AMBIENT
    && (inbound.some(f => f.requests !== undefined && !ingressClient(f.from)) || flows.tokenIssuers(endKey(server)).length > 0));
}

/** Whether a flow end is a server behind a waypoint. */
function behindWaypoint(end: FlowEnd): boolean {
  return (end as Partial<WaypointServer>)._usesWaypoint?.() === true;
}

/** The waypoint's Gateway, as `istioctl waypoint generate` writes it: one HBONE listener, `mesh`, on 15008. */
export function renderWaypointGateway(ns: FlowNamespace): any {
  return {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name: WAYPOINT_NAME, namespace: ns.name, labels: { [WAYPOINT_FOR_LABEL]: 'service' } },
    spec: { gatewayClassName: WAYPOINT_CLASS, listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }] },
  };
}

/**
 * The policy the waypoint applies to requests for `server`'s Service: ALLOW the declared clients' principals on their
 * ports and requests, attached with targetRefs (a waypoint ignores selector policies). Every Service that uses the
 * waypoint gets one, so that the waypoint admits nothing else: with no inbound flow it has no rules, which admits nothing.
 */
export function renderWaypointAuthorizationPolicy(server: FlowEnd, inbound: Flow[], requestPrincipals: string[] = []): AuthorizationPolicySpec {
  const { selector: _selector, ...rest } = renderAuthorizationPolicy(server, inbound, requestPrincipals);
  return { targetRefs: [serviceTarget(server.name)], ...rest };
}

/** A policy's attachment to a Service of its namespace, which only the Service's waypoint applies. */
export function serviceTarget(name: string): PolicyTargetReferenceSpec {
  return { group: '', kind: 'Service', name };
}

/**
 * Whether a client's traffic to a Service goes through the Service's waypoint: ztunnel sends it there from an ambient
 * workload (a MeshedService), and an ingress gateway sends it there when the Service is labelled
 * `istio.io/ingress-use-waypoint` (`WaypointServer._admitIngress`); sidecars connect to the server's pods directly.
 */
function throughWaypoint(f: Flow): boolean {
  return (f.from.namespace.mesh === MeshMode.AMBIENT && typeof (f.from as Partial<WaypointServer>)._useWaypoint === 'function')
    || ingressClient(f.from);
}

/** Whether a flow end is an ingress gateway, which reaches a Service behind a waypoint through it once labelled so. */
function ingressClient(end: FlowEnd): boolean {
  return (end as Partial<IngressWaypointClient>)._routesThroughWaypoints === true;
}

/** What marks an ingress gateway as a client that goes through the waypoints of the Services it routes to. */
export interface IngressWaypointClient extends FlowEnd {
  /** Always true. @internal */
  readonly _routesThroughWaypoints: boolean;
}

/**
 * The flows a workload's own NetworkPolicy and ztunnel policy render: without those that pass through a waypoint, and,
 * for an ambient server, without requests (only a gateway route's paths reach here), which ztunnel cannot evaluate.
 */
export function directFlows(self: FlowEnd, inbound: Flow[], outbound: Flow[]): { inbound: Flow[]; outbound: Flow[] } {
  const behind = (server: FlowEnd, f: Flow) => throughWaypoint(f) && behindWaypoint(server);
  const direct = inbound.filter(f => !behind(self, f));
  return {
    inbound: self.namespace.mesh !== MeshMode.AMBIENT ? direct : direct.map(({ requests: _requests, ...f }) => f),
    outbound: outbound.filter(f => !behind(f.to, f)),
  };
}

/** The flows whose requests the waypoint authorizes for `server`. */
export function waypointFlows(inbound: Flow[]): Flow[] {
  return inbound.filter(throughWaypoint);
}

/**
 * A client's flow to a server behind the waypoint, as its NetworkPolicy sees it: HBONE to the waypoint's pods, never
 * to the server's.
 */
export function toWaypoint(flow: Flow, waypoint: FlowEnd = waypointEnd(flow.to.namespace)): Flow {
  return { from: flow.from, to: waypoint, ports: [HBONE_PORT] };
}

/** What the waypoint needs of a server it serves: its end, and the hooks that attach it to the waypoint. */
export interface WaypointServer extends FlowEnd {
  readonly node: Construct['node'];
  /** The ports of its Service, whose traffic the Service sends to the waypoint. */
  readonly ports: ReadonlyArray<{ readonly port: number }>;
  /** Labels its Service with the waypoint and adds the policy the waypoint applies to it. @internal */
  _useWaypoint(waypoint: Waypoint): void;
  /** Whether its traffic goes through a waypoint. @internal */
  _usesWaypoint(): boolean;
  /** Labels its Service so that ingress gateways send its traffic through the waypoint too. @internal */
  _admitIngress(): void;
}

/**
 * The waypoint of an ambient namespace: the Gateway Istio deploys it from, its NetworkPolicy, and its place in the
 * flow graph as a flow end between the clients and the servers behind it. Created by the first HTTP flow to an
 * ambient server of the namespace, or the first `requireJwt` on one.
 */
export class Waypoint extends Construct implements FlowEnd {
  /** The waypoint of `ns`, created on first use. */
  public static of(ns: ZeroTrustNamespace): Waypoint {
    return (ns.node.tryFindChild('Waypoint') as Waypoint | undefined) ?? new Waypoint(ns);
  }

  /**
   * Routes the flows to `server` through its namespace's waypoint once a flow to it has HTTP rules or it requires
   * tokens: each client reaches the waypoint on HBONE, and the waypoint the server on the flows' ports. Idempotent;
   * called on every declaration of a flow to the server and on `requireJwt`.
   */
  public static route(flows: FlowGraph, ns: ZeroTrustNamespace, server: WaypointServer): void {
    const inbound = flows.inbound(server);
    if (!needsWaypoint(flows, server, inbound)) return;
    const waypoint = Waypoint.of(ns);
    server._useWaypoint(waypoint);
    waypoint.servers.add(server);
    for (const f of inbound) {
      if (!throughWaypoint(f)) continue;
      if (ingressClient(f.from)) server._admitIngress();
      flows.declare(toWaypoint(f, waypoint));
      flows.declare({ from: waypoint, to: server, ports: f.ports });
    }
  }

  public readonly name = WAYPOINT_NAME;
  public readonly namespace: FlowNamespace;
  public readonly selector: { readonly [key: string]: string };
  public readonly principal: string;
  /** The waypoint's Gateway (class `istio-waypoint`). */
  public readonly gateway: ApiObject;
  /** The waypoint's NetworkPolicy. */
  public readonly networkPolicy: ApiObject;
  private readonly flows: FlowGraph;
  /** The servers behind it. */
  private readonly servers = new Set<WaypointServer>();

  private constructor(ns: ZeroTrustNamespace) {
    super(ns, 'Waypoint');
    const end = waypointEnd(ns);
    ns._claimServiceName(WAYPOINT_NAME, this);
    this.namespace = ns;
    this.selector = end.selector;
    this.principal = end.principal;
    this.flows = ZeroTrustGuard.flowGraph(this);
    this.gateway = new ApiObject(this, 'Gateway', renderWaypointGateway(ns));
    this.networkPolicy = new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: WAYPOINT_NAME, namespace: ns.name },
      spec: Lazy.any({ produce: () => this.renderNetworkPolicy() }),
    });
    this.node.addValidation({ validate: () => this.checkClients() });
    ZeroTrustGuard.registerEnd(this);
    ZeroTrustGuard.registerEntryPoint(this);
  }

  /**
   * No stand-in pods: the analysis derives the waypoint's pod from its Gateway.
   * @internal
   */
  public _reachabilityPods(): PodInput[] {
    return [];
  }

  /**
   * The Gateway, which the rules accept exactly as declared.
   * @internal
   */
  public _declaredManifests(): any[] {
    return [renderWaypointGateway(this.namespace)];
  }

  /** Ingress on HBONE from the clients, egress on HBONE to the servers behind it and to istiod (an Envoy of its own). */
  private renderNetworkPolicy(): NetworkPolicySpec {
    const spec = renderNetworkPolicy(this, this.flows.inbound(this), this.flows.outbound(this), []);
    return { ...spec, egress: [...spec.egress ?? [], { to: [infrastructurePeer(ISTIOD_EGRESS)], ports: ISTIOD_EGRESS.ports.map(p => ({ ...p })) }] };
  }

  /**
   * ZT150: a server behind the waypoint is reached only through it, which only ambient clients and ingress gateways
   * (through the Service's `istio.io/ingress-use-waypoint` label) do: a sidecar or a client outside the mesh would
   * connect to the server directly, which its ztunnel refuses.
   * A flow to ports outside the Service, such as a Prometheus scrape of the metrics port, goes to the pods anyway: the
   * server's ztunnel policy admits it directly.
   */
  private checkClients(): string[] {
    return [...this.servers].flatMap(server => this.flows.inbound(server)
      .filter(f => f.from !== this && !throughWaypoint(f) && f.ports.some(p => server.ports.some(sp => sp.port === p)))
      .map(f => ruleMessage('ZT150', this.node.path,
        `${f.from.namespace.name}/${f.from.name} is neither an ambient MeshedService nor an IngressGateway, so it would connect to `
        + `${server.namespace.name}/${server.name} directly, not through the waypoint, and the server's ztunnel admits only the waypoint`,
        'Declare HTTP rules or `requireJwt` only on servers whose clients are all ambient services or ingress gateways, or drop them from this server.')));
  }
}
