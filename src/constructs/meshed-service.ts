import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkPort } from './_check-port';
import { checkJwtRequirement, renderRequestAuthentication, requestPrincipalsOf } from './_jwt';
import { checkMetricsPort, metricsContainerPort } from './_metrics-port';
import { renderAuthorizationPolicy, renderNetworkPolicy } from './_render';
import { validateFlow } from './_validate-flow';
import { requestsOf } from './_validate-http';
import { Waypoint, directFlows, renderWaypointAuthorizationPolicy, waypointFlows } from './_waypoint';
import type { AllowToOptions } from './allow-to-options';
import { EgressGateway } from './egress-gateway';
import { ExternalFlowOptions, ExternalPeer } from './external-peer';
import type { JwtRequirement } from './jwt-requirement';
import { ServicePort } from './service-port';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { registerPodStandIn } from '../analyzer/_pod-stand-ins';
import { INGRESS_USE_WAYPOINT_LABEL, USE_WAYPOINT_LABEL } from '../analyzer/_waypoint-eval';
import type { PodInput } from '../analyzer/reachability-input';
import { ZeroTrustGuard } from '../guard/_guard';
import { NAMESPACE_OBJECT_NAMES, WORKLOAD_LABEL } from '../model/_constants';
import { FlowGraph } from '../model/_flow-graph';
import { SPIFFE_SCHEME, principalOf } from '../model/_identity';
import { DestinationRuleSpec, ISTIO_NETWORKING_API, ISTIO_SECURITY_API, JwtRuleSpec } from '../model/_istio-spec';
import { ruleMessage } from '../rules/_catalog';
import { sortedUnique } from '../util/_collections';
import { dns1035LabelProblem, labelKeyProblem, labelValueProblem } from '../util/_names';
import { oneByte } from '../util/_one-byte';

/**
 * Props for `MeshedService`.
 */
export interface MeshedServiceProps {
  /**
   * The zero-trust namespace the service lives in.
   */
  readonly namespace: ZeroTrustNamespace;

  /**
   * The service name: a DNS-1035 label, unique in its namespace; also the name of its ServiceAccount, and so its identity.
   */
  readonly name: string;

  /**
   * The ports the service serves on; omit them for a client that serves nothing, such as a Job or a CronJob.
   *
   * A client has its own identity and NetworkPolicy (egress to the servers it may call, no ingress) but no Service,
   * DestinationRule or AuthorizationPolicy: the namespace's allow-nothing policy applies to it, and a flow to it is
   * refused (ZT109).
   * @default - none: a client that may call servers and that nothing may call
   */
  readonly ports?: ServicePort[];

  /**
   * A container image to run: when given, the service also emits a cdk8s-plus-27 Deployment enrolled as this identity.
   * @default - no workload; enrol your own with `enrol()`
   */
  readonly image?: string;

  /**
   * Replicas of the Deployment emitted for `image`.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Extra labels for the service's pods and objects; the selector stays the workload label alone.
   * @default - only the workload label
   */
  readonly labels?: { [key: string]: string };

  /**
   * The port the app serves Prometheus metrics on, apart from `ports`: no Service exposes it and no `allowTo` opens it;
   * only a Prometheus `PlatformPeer` scrapes it, in ambient mode or outside the mesh.
   *
   * With a sidecar, Prometheus scrapes Istio's merged metrics port 15020 instead, and the sidecar agent fetches this
   * port over localhost. The Deployment emitted for `image` declares it as a container port.
   * @default - none: in ambient mode or outside the mesh, Prometheus cannot scrape the service
   */
  readonly metricsPort?: number;
}

/**
 * A service with its own workload identity, reachable only through declared flows.
 *
 * It emits a ServiceAccount (never `default`, with `automountServiceAccountToken: false`), a Service whose ports
 * carry Istio's protocol naming and `appProtocol`, the workload's NetworkPolicy (ingress and egress, filled at synth
 * from every flow declared), and in the mesh a DestinationRule with ISTIO_MUTUAL and the workload's ALLOW
 * AuthorizationPolicy, which admits the declared clients' principals on the declared ports.
 *
 * Without `ports` it is a client, such as a nightly CronJob: its own ServiceAccount and a NetworkPolicy that lets its
 * pods call only the declared servers and admits nothing, and no Service, DestinationRule or AuthorizationPolicy.
 */
export class MeshedService extends Construct {
  /**
   * The service name.
   */
  public readonly name: string;

  /**
   * The zero-trust namespace of the service.
   */
  public readonly namespace: ZeroTrustNamespace;

  /**
   * The service's ports; empty for a client.
   */
  public readonly ports: ServicePort[];

  /**
   * The port the app serves Prometheus metrics on, apart from its ports, if any.
   */
  public readonly metricsPort?: number;

  /**
   * The ServiceAccount the workload runs as.
   */
  public readonly serviceAccount: kplus.ServiceAccount;

  /**
   * The name of the ServiceAccount the workload runs as.
   */
  public readonly serviceAccountName: string;

  /**
   * The workload's SPIFFE identity, such as `spiffe://cluster.local/ns/shop/sa/web`.
   */
  public readonly spiffeId: string;

  /**
   * The workload's Istio principal (its SPIFFE identity without the scheme), such as `cluster.local/ns/shop/sa/web`.
   */
  public readonly principal: string;

  /**
   * The labels that select the service's pods.
   */
  public readonly selector: { [key: string]: string };

  /**
   * The Service object, when the service has ports.
   */
  public readonly service?: ApiObject;

  /**
   * The workload's NetworkPolicy.
   */
  public readonly networkPolicy: ApiObject;

  /**
   * The workload's AuthorizationPolicy, when the namespace is in the mesh and the service has ports.
   */
  public readonly authorizationPolicy?: ApiObject;

  /**
   * The DestinationRule that makes clients use Istio mTLS, when the namespace is in the mesh and the service has ports.
   */
  public readonly destinationRule?: ApiObject;

  /**
   * The Deployment emitted for `image`.
   */
  public readonly deployment?: kplus.Deployment;

  private readonly podLabels: Record<string, string>;
  /** The app's declared flows, which this service's policies are rendered from. */
  private readonly flows: FlowGraph;
  private readonly workloads: kplus.AbstractPod[] = [];
  private readonly external = new Map<string, { readonly peer: ExternalPeer; readonly ports: number[] }>();
  private readonly jwtRules: JwtRuleSpec[] = [];
  private requestAuthn?: ApiObject;
  /** The policy the waypoint applies to this service's traffic, once a flow to it has HTTP rules in ambient mode. */
  private waypointPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: MeshedServiceProps) {
    super(scope, id);
    const path = this.node.path;
    const ns = props.namespace;
    this.flows = ZeroTrustGuard.flowGraph(this);
    const nameProblem = dns1035LabelProblem(props.name);
    if (nameProblem) {
      throw new Error(ruleMessage('ZT201', path, `service name ${nameProblem}`, 'Use lowercase letters, digits and \'-\', starting with a letter, at most 63 characters.'));
    }
    if (props.name === 'default') {
      throw new Error(ruleMessage('ZT205', path, 'a service named "default" would run as the namespace\'s shared default ServiceAccount', 'Give the service its own name.'));
    }
    if (Object.values(NAMESPACE_OBJECT_NAMES).includes(props.name)) {
      throw new Error(ruleMessage('ZT202', path, `the name "${props.name}" is taken by an object of the namespace`, 'Choose another service name.'));
    }
    if (props.ports) checkPorts(path, props.ports);
    if (props.metricsPort !== undefined) checkMetricsPort(path, props.metricsPort, props.ports ?? []);
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0)) {
      throw new Error(ruleMessage('ZT305', path, `replicas is ${props.replicas}`, 'Give a whole number of at least 0.'));
    }
    checkLabels(path, props.labels ?? {});
    ns._claimServiceName(props.name, this);

    this.name = props.name;
    this.namespace = ns;
    this.ports = [...props.ports ?? []];
    this.metricsPort = props.metricsPort;
    this.serviceAccountName = props.name;
    this.principal = principalOf(ns.trustDomain, ns.name, this.serviceAccountName);
    this.spiffeId = `${SPIFFE_SCHEME}${this.principal}`;
    this.selector = { [WORKLOAD_LABEL]: props.name };
    this.podLabels = { ...props.labels, ...this.selector };
    const metadata = { name: props.name, namespace: ns.name, labels: this.podLabels };

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });
    // A client serves nothing: no Service, and in the mesh the namespace's allow-nothing policy is its authorization.
    const serves = this.ports.length > 0;
    if (serves) {
      this.service = new ApiObject(this, 'Service', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: {
          selector: this.selector,
          ports: this.ports.map(p => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP', appProtocol: p.protocol })),
        },
      });
    }
    this.networkPolicy = new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: props.name, namespace: ns.name },
      spec: Lazy.any({
        produce: () => {
          const direct = directFlows(this, this.flows.inbound(this), this.flows.outbound(this));
          return renderNetworkPolicy(this, direct.inbound, direct.outbound, [...this.external.values()]);
        },
      }),
    });
    if (ns.meshed && serves) {
      const destinationRule: DestinationRuleSpec = {
        host: `${props.name}.${ns.name}.svc.${ns.clusterDomain}`,
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      };
      this.destinationRule = new ApiObject(this, 'DestinationRule', {
        apiVersion: ISTIO_NETWORKING_API,
        kind: 'DestinationRule',
        metadata: { name: props.name, namespace: ns.name },
        spec: destinationRule,
      });
      this.authorizationPolicy = new ApiObject(this, 'AuthorizationPolicy', {
        apiVersion: ISTIO_SECURITY_API,
        kind: 'AuthorizationPolicy',
        metadata: { name: props.name, namespace: ns.name },
        spec: Lazy.any({
          produce: () => {
            const direct = directFlows(this, this.flows.inbound(this), []);
            // Behind a waypoint, the waypoint's policy requires the tokens: ztunnel sees no request, so a rule there with
            // request principals would never match.
            return renderAuthorizationPolicy(this, direct.inbound, this._usesWaypoint() ? [] : requestPrincipalsOf(this.jwtRules));
          },
        }),
      });
    }
    if (props.image !== undefined) {
      this.deployment = new kplus.Deployment(this, 'Deployment', {
        metadata,
        replicas: props.replicas ?? 1,
        serviceAccount: this.serviceAccount,
        automountServiceAccountToken: false,
        select: false,
        containers: [{
          image: props.image,
          ports: [...this.ports.map(p => ({ number: p.port, name: p.name })), ...metricsContainerPort(this.metricsPort)],
        }],
      });
      this.enrol(this.deployment);
    }
    ZeroTrustGuard.registerService(this);
    registerPodStandIn(this);
  }

  /**
   * Allows this service to open connections to `target`, at every layer.
   *
   * It adds an egress rule to this workload's NetworkPolicy, an ingress rule to the target's, and this
   * service's principal to the target's AuthorizationPolicy. Declaring the same flow again merges the ports.
   * @param target the server
   * @param options the ports, and whether a flow to itself is meant
   */
  public allowTo(target: MeshedService, options: AllowToOptions = {}): void {
    this._declareFlow(target, options, () => `${this.node.path}.allowTo(${target.node.path})`);
  }

  /**
   * Allows `source` to open connections to this service: the same as `source.allowTo(this, options)`.
   * @param source the client
   * @param options the ports, and whether a flow to itself is meant
   */
  public allowFrom(source: MeshedService, options: AllowToOptions = {}): void {
    source._declareFlow(this, options, () => `${this.node.path}.allowFrom(${source.node.path})`);
  }

  /**
   * Allows this service to open TCP connections to addresses outside the cluster, on the given ports.
   *
   * It adds one egress rule with the peer's ipBlocks to this workload's NetworkPolicy; declaring the same peer again
   * merges the ports. Nothing is admitted inbound.
   * A host peer (`ExternalPeer.host()`) is reached through its egress gateway instead: this workload's NetworkPolicy
   * reaches only the gateway's pods, and the gateway admits this service's principal for that host.
   * @param peer the addresses, from `ExternalPeer.cidr()` or `ExternalPeer.anyAddressUnsafe()`, or a host from `ExternalPeer.host()`
   * @param options the ports
   */
  public allowToExternal(peer: ExternalPeer, options: ExternalFlowOptions): void {
    const where = `${this.node.path}.allowToExternal(${peer.hostname ?? peer.cidrs.join(', ')})`;
    if (options.ports.length === 0) {
      throw new Error(ruleMessage('ZT105', where, 'the flow has no ports', 'Give the ports the service connects to.'));
    }
    for (const port of options.ports) checkPort(where, port);
    if (peer._host) return EgressGateway._route(this, peer, sortedUnique(options.ports), where);
    const earlier = this.external.get(peer._key)?.ports ?? [];
    const ports = sortedUnique([...earlier, ...options.ports]);
    this.external.set(peer._key, { peer, ports });
    // ZT441 accepts egress to these addresses only in the rule the service's NetworkPolicy gets for them.
    ZeroTrustGuard.declareAddresses(this, { namespace: this.namespace.name, selector: this.selector, ipBlocks: peer._ipBlocks, ports });
  }

  /**
   * The RequestAuthentication that validates end-user tokens, once `requireJwt()` is called.
   */
  public get requestAuthentication(): ApiObject | undefined {
    return this.requestAuthn;
  }

  /**
   * Requires every request to this service to carry a valid JWT of `jwt.issuer`, from any client.
   *
   * It emits a RequestAuthentication, which rejects invalid tokens, and adds the issuer's request principals
   * (`<issuer>/*`) to every rule of the service's AuthorizationPolicy, so that requests without a token are refused
   * too: a declared client must also forward the end user's token. Calling it again with another issuer accepts a
   * token of either. With a sidecar, both select the workload. In ambient mode the service is reached through its
   * namespace's waypoint (as with an HTTP rule; all its clients must then be ambient services, ZT150): the
   * RequestAuthentication and the waypoint's AuthorizationPolicy target its Service, and its ztunnel admits only the
   * waypoint. Needs a service in the mesh whose ports are all HTTP or gRPC (ZT110, ZT111).
   * @param jwt the issuer, its key set, and the audiences
   */
  public requireJwt(jwt: JwtRequirement): void {
    const rule = checkJwtRequirement(`${this.node.path}.requireJwt(${jwt.issuer})`, this, jwt, this.jwtRules);
    this.jwtRules.push(rule);
    this.flows.requireToken(this, rule.issuer);
    Waypoint.route(this.flows, this.namespace, this);
    if (this.requestAuthn) return;
    this.requestAuthn = new ApiObject(this, 'RequestAuthentication', {
      apiVersion: ISTIO_SECURITY_API,
      kind: 'RequestAuthentication',
      metadata: { name: this.name, namespace: this.namespace.name },
      spec: Lazy.any({ produce: () => renderRequestAuthentication(this, this.jwtRules) }),
    });
    ZeroTrustGuard.registerEntryPoint(this);
  }

  /**
   * The RequestAuthentication `requireJwt` declares, rendered from the requirements alone: ZT432 accepts exactly it.
   * @internal
   */
  public _declaredManifests(): any[] {
    if (this.jwtRules.length === 0) return [];
    return [{
      apiVersion: ISTIO_SECURITY_API,
      kind: 'RequestAuthentication',
      metadata: { name: this.name, namespace: this.namespace.name },
      spec: renderRequestAuthentication(this, this.jwtRules),
    }];
  }

  /**
   * Enrols a cdk8s-plus-27 workload (Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod) as this service.
   *
   * The workload must run as this service's ServiceAccount (pass `serviceAccount: service.serviceAccount`)
   * in this service's namespace; enrolling adds the service's labels to its pods and, for a workload, its selector.
   * @param workload the workload to enrol
   */
  public enrol(workload: kplus.AbstractPod): void {
    // Built only when thrown: node paths are costly and enrolling is on every service's construction path.
    const where = () => `${this.node.path}.enrol(${workload.node.path})`;
    if (workload.serviceAccount?.name !== this.serviceAccountName) {
      throw new Error(ruleMessage('ZT206', where(),
        `the workload runs as ServiceAccount "${workload.serviceAccount?.name ?? 'default'}", not as "${this.serviceAccountName}"`,
        'Create it with `serviceAccount: service.serviceAccount`.'));
    }
    const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
    if (namespace !== this.namespace.name) {
      throw new Error(ruleMessage('ZT207', where(),
        `the workload is in namespace "${namespace ?? 'default'}", not "${this.namespace.name}"`,
        `Create it with \`metadata: { namespace: '${this.namespace.name}' }\`.`));
    }
    const podMetadata = workload instanceof kplus.Workload ? workload.podMetadata : workload.metadata;
    for (const [key, value] of Object.entries(this.podLabels)) podMetadata.addLabel(key, value);
    if (workload instanceof kplus.Workload) workload.select(kplus.LabelSelector.of({ labels: this.selector }));
    // cdk8s-plus labels pods with an address built from the node path: kept as it is, but stored one byte a character.
    const address = podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL);
    if (address !== undefined) podMetadata.addLabel(kplus.Pod.ADDRESS_LABEL, oneByte(address));
    this.workloads.push(workload);
  }

  /**
   * Records a flow from this service to `target` in the app's flow graph, merging it with an earlier declaration.
   * @internal
   */
  public _declareFlow(target: MeshedService, options: AllowToOptions, declaredBy: () => string): void {
    const ports = sortedUnique(validateFlow(declaredBy, this, target, options));
    const requests = requestsOf(declaredBy, target, ports, options.http);
    this.flows.declare({ from: this, to: target, ports, ...requests ? { requests } : {} });
    Waypoint.route(this.flows, target.namespace, target);
  }

  /**
   * Whether this service's traffic goes through its namespace's waypoint.
   * @internal
   */
  public _usesWaypoint(): boolean {
    return this.waypointPolicy !== undefined;
  }

  /**
   * Labels this service's Service so that ingress gateways send its traffic through the waypoint too. Idempotent.
   * @internal
   */
  public _admitIngress(): void {
    this.service?.metadata.addLabel(INGRESS_USE_WAYPOINT_LABEL, 'true');
  }

  /**
   * Sends this service's traffic through its namespace's waypoint: labels the Service and adds the policy the waypoint
   * applies to it. Idempotent.
   * @internal
   */
  public _useWaypoint(waypoint: Waypoint): void {
    if (this.waypointPolicy || !this.service) return;
    this.service.metadata.addLabel(USE_WAYPOINT_LABEL, waypoint.name);
    this.waypointPolicy = new ApiObject(this, 'WaypointAuthorizationPolicy', {
      apiVersion: ISTIO_SECURITY_API,
      kind: 'AuthorizationPolicy',
      metadata: { name: `${waypoint.name}.${this.name}`, namespace: this.namespace.name },
      spec: Lazy.any({
        produce: () => renderWaypointAuthorizationPolicy(this, waypointFlows(this.flows.inbound(this)), requestPrincipalsOf(this.jwtRules)),
      }),
    });
  }

  /**
   * The pods that stand for this service in a reachability analysis: one, unless workloads are enrolled
   * (their manifests then give the pods).
   * @internal
   */
  public _reachabilityPods(): PodInput[] {
    if (this.workloads.length > 0) return [];
    return [{
      namespace: this.namespace.name,
      name: this.name,
      labels: { ...this.podLabels },
      serviceAccount: this.serviceAccountName,
      ports: [
        ...this.ports.map(p => ({ port: p.port, protocol: 'TCP', name: p.name })),
        ...metricsContainerPort(this.metricsPort).map(p => ({ port: p.number })),
      ],
    }];
  }
}

function checkPorts(path: string, ports: ServicePort[]): void {
  if (ports.length === 0) {
    throw new Error(ruleMessage('ZT304', path, 'the service has no ports', 'Give it at least one ServicePort, or omit `ports` for a client that serves nothing.'));
  }
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const p of ports) {
    if (numbers.has(p.port)) {
      throw new Error(ruleMessage('ZT302', path, `port ${p.port} is declared twice`, 'Declare each port once.'));
    }
    if (names.has(p.name)) {
      throw new Error(ruleMessage('ZT302', path, `port name "${p.name}" is used twice`, 'Give each port its own name.'));
    }
    numbers.add(p.port);
    names.add(p.name);
  }
}

function checkLabels(path: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem) {
      throw new Error(ruleMessage('ZT203', path, problem, 'Fix the label or drop it.'));
    }
    if (key === WORKLOAD_LABEL) {
      throw new Error(ruleMessage('ZT203', path, `label "${key}" is set by the library`, 'Drop it: the service name sets it.'));
    }
  }
}
