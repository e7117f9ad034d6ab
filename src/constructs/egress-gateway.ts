import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { renderEgressAuthorizationPolicy, hostObjects, renderGatewaySpec, EgressHostRoute } from './_egress-render';
import { renderNetworkPolicy } from './_render';
import { ExternalHost, ExternalPeer, IEgressGateway } from './external-peer';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import type { PodInput } from '../analyzer/reachability-input';
import { ZeroTrustGuard } from '../guard/_guard';
import type { DeclaredHost } from '../guard/_verify-egress';
import { NAMESPACE_OBJECT_NAMES, WORKLOAD_LABEL } from '../model/_constants';
import { FlowEnd } from '../model/_flow';
import { FlowGraph } from '../model/_flow-graph';
import { GATEWAY_API, GATEWAY_SERVICE_TYPE_ANNOTATION, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { principalOf } from '../model/_identity';
import { ISTIO_SECURITY_API } from '../model/_istio-spec';
import { Manifest } from '../model/_network-policy-spec';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { dns1035LabelProblem } from '../util/_names';

/**
 * Props for `EgressGateway`.
 */
export interface EgressGatewayProps {
  /**
   * The zero-trust namespace of the gateway and of its clients; it must be in sidecar mode.
   */
  readonly namespace: ZeroTrustNamespace;

  /**
   * The gateway name: a DNS-1035 label of at most 57 characters, unique among the namespace's services. Istio names
   * the gateway's Deployment, Service and ServiceAccount `<name>-istio`, which no MeshedService of the namespace may
   * then be named.
   */
  readonly name: string;
}

/** The hosts each namespace routes through a gateway: a host leaves a namespace through one gateway only. */
const hostsByNamespace = new WeakMap<ZeroTrustNamespace, Map<string, EgressGateway>>();

/**
 * An Istio egress gateway on the Kubernetes Gateway API: the one workload of its namespace that may connect to the
 * external hosts routed through it.
 *
 * For each host (`ExternalPeer.host(hostname, { gateway })`) that a service is allowed to call, it emits a
 * ServiceEntry (MESH_EXTERNAL, DNS, exported to its namespace only), a TLSRoute that sends the clients' connections
 * for the host to the gateway, a TLS passthrough listener, and a TLSRoute from the gateway to the host. The clients'
 * NetworkPolicies reach only the gateway's pods, on the host's port; the gateway's NetworkPolicy admits only the
 * declared clients and reaches only the host's addresses; its AuthorizationPolicy admits each client's principal only
 * for the server names (SNI) of its hosts. Istio deploys the gateway's pods, as the ServiceAccount `<name>-istio`,
 * with a ClusterIP Service. It emits nothing until a host is routed through it.
 */
export class EgressGateway extends Construct implements IEgressGateway {
  /**
   * Routes `client`'s connections to `peer`'s host through its gateway, at every layer.
   * @internal
   */
  public static _route(client: FlowEnd & IConstruct, peer: ExternalPeer, ports: number[], where: string): void {
    const host = peer._host!;
    if (!(host.gateway instanceof EgressGateway)) {
      throw new Error(ruleMessage('ZT130', where, 'the host\'s gateway is not an EgressGateway', 'Create the gateway with `new EgressGateway(...)`.'));
    }
    host.gateway.route(client, host, ports, where);
  }

  /**
   * The gateway name.
   */
  public readonly name: string;

  /**
   * The zero-trust namespace of the gateway.
   */
  public readonly namespace: ZeroTrustNamespace;

  /**
   * The name of the ServiceAccount that Istio runs the gateway's pods as: `<name>-istio`.
   */
  public readonly serviceAccountName: string;

  /**
   * The gateway's Istio principal, such as `cluster.local/ns/shop/sa/egress-istio`.
   */
  public readonly principal: string;

  /**
   * The labels that select the gateway's pods (Istio copies them from the Gateway's `infrastructure.labels`).
   */
  public readonly selector: { [key: string]: string };

  private readonly flows: FlowGraph;
  private readonly routes = new Map<string, EgressHostRoute>();

  constructor(scope: Construct, id: string, props: EgressGatewayProps) {
    super(scope, id);
    const path = this.node.path;
    const ns = props.namespace;
    const nameProblem = dns1035LabelProblem(istioGatewayDeploymentName(props.name));
    if (nameProblem) {
      throw new Error(ruleMessage('ZT201', path, `gateway name ${nameProblem} once Istio appends "-istio"`, 'Use lowercase letters, digits and \'-\', starting with a letter, at most 57 characters.'));
    }
    if (ns.mesh !== MeshMode.SIDECAR) {
      throw new Error(ruleMessage('ZT133', path, `namespace "${ns.name}" is in mode ${ns.mesh}, and an egress gateway needs sidecar mode`,
        'Put the gateway and its clients in a MeshMode.SIDECAR namespace: the clients\' sidecars send it their identity over mTLS, and its pods reach istiod.'));
    }
    if (Object.values(NAMESPACE_OBJECT_NAMES).includes(props.name)) {
      throw new Error(ruleMessage('ZT202', path, `the name "${props.name}" is taken by an object of the namespace`, 'Choose another gateway name.'));
    }
    // Istio's Deployment, Service and ServiceAccount take `<name>-istio`, which no MeshedService may then be.
    ns._claimServiceName(istioGatewayDeploymentName(props.name), this);
    this.name = props.name;
    this.namespace = ns;
    this.serviceAccountName = istioGatewayDeploymentName(props.name);
    this.principal = principalOf(ns.trustDomain, ns.name, this.serviceAccountName);
    this.selector = { [WORKLOAD_LABEL]: props.name };
    this.flows = ZeroTrustGuard.flowGraph(this);
    ZeroTrustGuard.registerEnd(this);
    ZeroTrustGuard.registerEntryPoint(this);
  }

  /**
   * The hosts routed through the gateway, sorted.
   */
  public get hosts(): string[] {
    return [...this.routes.keys()].sort();
  }

  private route(client: FlowEnd & IConstruct, host: ExternalHost, ports: number[], where: string): void {
    if (client.namespace !== this.namespace) {
      throw new Error(ruleMessage('ZT132', where, `the client is in namespace "${client.namespace.name}" and the gateway in "${this.namespace.name}"`,
        'Route a namespace\'s clients through an EgressGateway of their own namespace: its ServiceEntry and routes are exported to that namespace only.'));
    }
    if (ports.some(p => p !== host.port)) {
      throw new Error(ruleMessage('ZT131', where, `ports ${ports.join(', ')} are not the host's port ${host.port}`,
        `Give \`ports: [${host.port}]\`, or declare the host with the port you need.`));
    }
    let route = this.routes.get(host.hostname);
    if (route && (route.host.port !== host.port || route.host.addresses._key !== host.addresses._key)) {
      throw new Error(ruleMessage('ZT134', where, `host "${host.hostname}" is already routed through ${this.node.path} with another port or other addresses`,
        'Declare each host once, with one ExternalPeer.host(), and reuse that peer.'));
    }
    if (!route) {
      const claimed = hostsByNamespace.get(this.namespace) ?? new Map<string, EgressGateway>();
      hostsByNamespace.set(this.namespace, claimed);
      const other = claimed.get(host.hostname);
      if (other && other !== this) {
        throw new Error(ruleMessage('ZT134', where, `host "${host.hostname}" already leaves namespace "${this.namespace.name}" through ${other.node.path}`,
          'Route each host of a namespace through one EgressGateway.'));
      }
      claimed.set(host.hostname, this);
      if (this.routes.size === 0) this.emitGateway();
      route = { host, clients: new Map() };
      this.routes.set(host.hostname, route);
      for (const { id, manifest } of hostObjects(this.name, this.namespace.name, host)) new ApiObject(this, id, manifest);
      // ZT441 accepts egress to the host's addresses only in the rule the gateway's NetworkPolicy gets for them.
      ZeroTrustGuard.declareAddresses(this, {
        namespace: this.namespace.name, selector: this.selector, ipBlocks: host.addresses._ipBlocks, ports: [host.port],
      });
    }
    route.clients.set(client.principal, client);
    this.flows.declare({ from: client, to: this, ports: [host.port] });
  }

  /** The gateway's own objects, emitted with its first host. */
  private emitGateway(): void {
    const ns = this.namespace.name;
    new ApiObject(this, 'Gateway', this.gatewayManifest(Lazy.any({ produce: () => renderGatewaySpec(this.selector, this.sortedRoutes()) })));
    new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: this.name, namespace: ns },
      spec: Lazy.any({
        produce: () => renderNetworkPolicy(this, this.flows.inbound(this), [],
          this.sortedRoutes().map(r => ({ peer: r.host.addresses, ports: [r.host.port] }))),
      }),
    });
    new ApiObject(this, 'AuthorizationPolicy', {
      apiVersion: ISTIO_SECURITY_API,
      kind: 'AuthorizationPolicy',
      metadata: { name: this.name, namespace: ns },
      spec: Lazy.any({ produce: () => renderEgressAuthorizationPolicy(this.selector, this.sortedRoutes()) }),
    });
  }

  /**
   * The Gateway; its metadata as the ApiObject emits it (with the chart's labels), since Istio copies the Gateway's
   * labels and annotations to the Deployment and Service it deploys.
   */
  private gatewayManifest<S>(spec: S): Manifest<S> {
    return {
      apiVersion: GATEWAY_API,
      kind: 'Gateway',
      // ClusterIP: the gateway is reached from inside the cluster only (Istio deploys a LoadBalancer by default).
      metadata: { name: this.name, namespace: this.namespace.name, labels: Chart.of(this).labels, annotations: { [GATEWAY_SERVICE_TYPE_ANNOTATION]: 'ClusterIP' } },
      spec,
    };
  }

  private sortedRoutes(): EgressHostRoute[] {
    return this.hosts.map(h => this.routes.get(h)!);
  }

  /**
   * The hosts routed through the gateway, each with the principals declared for it, for the host-by-host proof.
   * @internal
   */
  public _declaredHosts(): DeclaredHost[] {
    return this.sortedRoutes().map(({ host, clients }) => ({ hostname: host.hostname, port: host.port, principals: [...clients.keys()] }));
  }

  /**
   * The Gateway and the host objects the gateway declares, rendered from its declarations alone: the manifest rules
   * (ZT425) accept exactly this Gateway and these TLSRoutes and refuse any other listener, route or change to them,
   * the Gateway's labels and annotations included. None until a host is routed through it, as it emits none.
   * @internal
   */
  public _declaredManifests(): Array<Manifest<unknown>> {
    if (this.routes.size === 0) return [];
    const hosts = this.sortedRoutes().flatMap(({ host }) => hostObjects(this.name, this.namespace.name, host).map(o => o.manifest));
    return [this.gatewayManifest(renderGatewaySpec(this.selector, this.sortedRoutes())), ...hosts];
  }

  /**
   * No stand-in pods: the Gateway manifest describes the gateway's pods, which the analyzer reads from it.
   * @internal
   */
  public _reachabilityPods(): PodInput[] {
    return [];
  }
}
