import { checkPort } from './_check-port';
import { PlatformEnd, PlatformEndDescription } from './_platform-end';
import { validateFlow } from './_validate-flow';
import { ExternalPeer } from './external-peer';
import type { MeshedService } from './meshed-service';
import { ZeroTrustGuard } from '../guard/_guard';
import { DEFAULT_TRUST_DOMAIN, principalOf } from '../model/_identity';
import { MERGED_METRICS_PORT } from '../model/_sidecar-ports';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { parseCidr } from '../util/_cidr';
import { compareStrings, sortedUnique } from '../util/_collections';
import { dns1123LabelProblem, labelKeyProblem, labelValueProblem } from '../util/_names';

/**
 * Props of a platform peer made of pods: `PlatformPeer.prometheus()` and `PlatformPeer.ingressController()`.
 */
export interface PlatformPodsProps {
  /**
   * The namespace of the peer's pods, which the app does not manage, such as `monitoring` or `ingress-nginx`.
   */
  readonly namespace: string;

  /**
   * The ServiceAccount the peer's pods run as: its identity, and its principal in AuthorizationPolicies when it is in
   * the mesh. Never `default`.
   */
  readonly serviceAccount: string;

  /**
   * Labels that select the peer's pods in its namespace, such as `{ 'app.kubernetes.io/name': 'prometheus' }`.
   *
   * NetworkPolicies select the peer by its namespace's name AND these labels, in one peer.
   */
  readonly podLabels: { [key: string]: string };

  /**
   * How the peer's pods are in the mesh: with a sidecar, enrolled in ambient mode, or outside it.
   *
   * A peer outside the mesh has no mTLS identity, so STRICT mTLS refuses it everywhere except on a sidecar's merged
   * metrics port (15020), which Istio's iptables leaves to the sidecar agent.
   * @default MeshMode.NONE
   */
  readonly mesh?: MeshMode;

  /**
   * The trust domain of the peer's identity.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

/**
 * Props of `PlatformPeer.kubernetesApiServer()`.
 */
export interface KubernetesApiServerProps {
  /**
   * The addresses of the API server's endpoints, as CIDR blocks (such as `10.0.0.10/32`).
   *
   * NetworkPolicy sees the endpoints, after the `kubernetes` Service's address is translated, and it cannot select
   * the API server as pods: list them with `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`.
   * Every address (prefix length 0) is refused.
   */
  readonly cidrs: string[];

  /**
   * The port of the endpoints, which NetworkPolicy sees: 443 on many managed clusters, 6443 on kubeadm and others,
   * whatever the `kubernetes` Service's own port (443).
   * @default 443
   */
  readonly port?: number;
}

/**
 * Options for a flow from a platform peer to a MeshedService.
 */
export interface PlatformFlowOptions {
  /**
   * The service ports an ingress controller may connect to: a subset of the service's ports.
   *
   * Not for Prometheus, whose port the service's mesh mode decides: the merged metrics port 15020 with a sidecar, the
   * service's `metricsPort` otherwise.
   * @default - all of the service's ports
   */
  readonly ports?: number[];
}

enum Role {
  PROMETHEUS = 'PlatformPeer.prometheus',
  INGRESS_CONTROLLER = 'PlatformPeer.ingressController',
  API_SERVER = 'PlatformPeer.kubernetesApiServer',
}

/**
 * An in-cluster service that the app does not manage but that its services exchange traffic with: Prometheus scraping
 * them, an ingress controller calling them, or the Kubernetes API server that controllers call.
 *
 * Only the app's side is written: the service's NetworkPolicy admits the peer's pods (their namespace by name AND
 * their labels, in one peer) or reaches the API server's addresses, and in the mesh the service's AuthorizationPolicy
 * admits the peer's principal. The peer's pods stand in the ZT416 proof, so what they may reach is proven too.
 */
export class PlatformPeer {
  /**
   * Prometheus, scraping services: `prometheus.allowTo(service)` opens only the metrics port, never the app ports.
   *
   * With a sidecar the port is Istio's merged metrics port 15020, which the sidecar agent serves outside Istio's
   * authorization, so only the NetworkPolicy is written, unless Prometheus is in ambient mode: its scrape then arrives
   * over HBONE through Envoy, and the AuthorizationPolicy admits its principal on 15020. In ambient mode or outside the mesh it is the service's
   * `metricsPort`; in ambient mode Prometheus must be in the mesh, as STRICT mTLS refuses it otherwise, and the
   * AuthorizationPolicy admits its principal on that port alone.
   * @param props its namespace, ServiceAccount, pod labels and mesh mode
   */
  public static prometheus(props: PlatformPodsProps): PlatformPeer {
    return PlatformPeer.pods(Role.PROMETHEUS, props);
  }

  /**
   * An in-cluster ingress controller, such as ingress-nginx: `controller.allowTo(service, { ports })` admits its pods
   * on those ports, and its principal in the service's AuthorizationPolicy.
   *
   * A controller outside the mesh cannot call a meshed service, which STRICT mTLS protects: give it a sidecar (or
   * enrol it in ambient mode) and say so with `mesh`.
   * @param props its namespace, ServiceAccount, pod labels and mesh mode
   */
  public static ingressController(props: PlatformPodsProps): PlatformPeer {
    return PlatformPeer.pods(Role.INGRESS_CONTROLLER, props);
  }

  /**
   * The Kubernetes API server, which controllers call: `apiServer.allowFrom(service)` adds an egress rule to its
   * addresses on its port.
   * @param props the addresses of its endpoints and their port
   */
  public static kubernetesApiServer(props: KubernetesApiServerProps): PlatformPeer {
    const where = `${Role.API_SERVER}(${props.cidrs.join(', ')})`;
    if (props.cidrs.length === 0) {
      throw new Error(ruleMessage('ZT140', where, 'no address is given', 'Give the CIDR blocks of the API server\'s endpoints.'));
    }
    for (const cidr of props.cidrs) {
      const block = parseCidr(cidr);
      if (!block) {
        throw new Error(ruleMessage('ZT140', where, `"${cidr}" is not a CIDR block`, 'Give an address and a prefix length, such as "10.0.0.10/32".'));
      }
      if (block.prefix === 0) {
        throw new Error(ruleMessage('ZT140', where, `"${cidr}" is every address`, 'Give the addresses of the API server\'s endpoints.'));
      }
    }
    const port = props.port ?? 443;
    checkPort(where, port);
    return new PlatformPeer(Role.API_SERVER, { cidrs: [...new Set(props.cidrs)].sort(compareStrings), port });
  }

  private static pods(role: Role, props: PlatformPodsProps): PlatformPeer {
    const where = `${role}(${props.namespace}/${props.serviceAccount})`;
    const problem = dns1123LabelProblem(props.namespace) ?? dns1123LabelProblem(props.serviceAccount);
    if (problem) throw new Error(ruleMessage('ZT140', where, problem, 'Give the namespace and ServiceAccount names of the peer\'s pods.'));
    if (props.serviceAccount === 'default') {
      throw new Error(ruleMessage('ZT140', where, 'ServiceAccount "default" is shared by every pod of the namespace without its own',
        'Give the ServiceAccount the peer\'s pods run as.'));
    }
    const labels = Object.entries(props.podLabels);
    if (labels.length === 0) {
      throw new Error(ruleMessage('ZT140', where, 'no pod labels are given, so the peer would be every pod of the namespace', 'Give the labels of the peer\'s pods.'));
    }
    for (const [key, value] of labels) {
      const labelProblem = labelKeyProblem(key) ?? labelValueProblem(key, value);
      if (labelProblem) throw new Error(ruleMessage('ZT140', where, labelProblem, 'Fix the label.'));
    }
    return new PlatformPeer(role, {
      pods: {
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        podLabels: { ...props.podLabels },
        mesh: props.mesh ?? MeshMode.NONE,
        trustDomain: props.trustDomain ?? DEFAULT_TRUST_DOMAIN,
      },
    });
  }

  /**
   * The namespace of the peer's pods; undefined for the API server.
   */
  public readonly namespace?: string;

  /**
   * The labels of the peer's pods; undefined for the API server.
   */
  public readonly podLabels?: { [key: string]: string };

  /**
   * The peer's Istio principal, `<trust-domain>/ns/<namespace>/sa/<ServiceAccount>`; undefined for the API server.
   */
  public readonly principal?: string;

  /**
   * The API server's CIDR blocks; undefined for pods.
   */
  public readonly cidrs?: string[];

  /**
   * The API server's port; undefined for pods.
   */
  public readonly port?: number;

  private readonly role: Role;
  private readonly pods?: Required<PlatformPodsProps>;

  private constructor(role: Role, peer: { readonly pods?: Required<PlatformPodsProps>; readonly cidrs?: string[]; readonly port?: number }) {
    this.role = role;
    this.cidrs = peer.cidrs;
    this.port = peer.port;
    this.pods = peer.pods;
    if (peer.pods) {
      this.namespace = peer.pods.namespace;
      this.podLabels = peer.pods.podLabels;
      this.principal = principalOf(peer.pods.trustDomain, peer.pods.namespace, peer.pods.serviceAccount);
    }
  }

  /**
   * Allows the peer's pods to call `service`: Prometheus on the metrics port, an ingress controller on the given ports.
   *
   * It adds an ingress rule to the service's NetworkPolicy and, when the flow passes Istio's authorization, the
   * peer's principal to the service's AuthorizationPolicy. Declaring it again merges the ports.
   * @param service the service called
   * @param options the ports, for an ingress controller
   */
  public allowTo(service: MeshedService, options: PlatformFlowOptions = {}): void {
    const declaredBy = () => `${this.role}(${this.namespace ?? this.cidrs!.join(', ')}).allowTo(${service.node.path})`;
    if (!this.pods) {
      throw new Error(ruleMessage('ZT141', declaredBy(), 'the API server is called by services, it does not call them here',
        'Use `apiServer.allowFrom(service)` for a service that calls the API server.'));
    }
    const mesh = service.namespace.mesh;
    const refused = (why: string) => new Error(ruleMessage('ZT142', declaredBy(),
      `${this.namespace}/${this.pods!.serviceAccount} is outside the mesh, so it has no mTLS identity and ${service.name}'s STRICT mTLS would refuse ${why}`,
      'Run the peer\'s pods in the mesh (a sidecar, or ambient mode) and pass `mesh` to the PlatformPeer.'));
    if (this.role === Role.PROMETHEUS) {
      if (options.ports !== undefined) {
        throw new Error(ruleMessage('ZT141', declaredBy(), 'a scrape takes no ports: the service\'s mesh mode decides its metrics port',
          'Drop `ports`: with a sidecar Prometheus scrapes 15020, otherwise the service\'s `metricsPort`.'));
      }
      if (mesh === MeshMode.SIDECAR) {
        this.declare(declaredBy, service, [MERGED_METRICS_PORT]);
        return;
      }
      if (service.metricsPort === undefined) {
        throw new Error(ruleMessage('ZT143', declaredBy(),
          `${service.name} has no sidecar, whose merged metrics port 15020 Prometheus would scrape, and no metrics port`,
          `Give ${service.name} a \`metricsPort\`, the port its app serves metrics on apart from its app ports.`));
      }
      if (mesh === MeshMode.AMBIENT) {
        if (this.pods.mesh === MeshMode.NONE) throw refused(`the scrape of port ${service.metricsPort}`);
        this.checkTrustDomain(declaredBy, service);
      }
      this.declare(declaredBy, service, [service.metricsPort]);
      return;
    }
    if (service.namespace.meshed && this.pods.mesh === MeshMode.NONE) throw refused('it');
    const end = PlatformEnd.of(service, this, declaredBy);
    ZeroTrustGuard.flowGraph(service).declare({ from: end, to: service, ports: sortedUnique(validateFlow(declaredBy, end, service, options)) });
  }

  /**
   * Allows `service` to call the peer: only the API server takes calls.
   *
   * It adds one egress rule to the API server's addresses, on its port, to the service's NetworkPolicy.
   * @param service the service that calls the API server, such as a controller
   */
  public allowFrom(service: MeshedService): void {
    if (!this.cidrs) {
      throw new Error(ruleMessage('ZT141', `${this.role}(${this.namespace}/${this.pods!.serviceAccount}).allowFrom(${service.node.path})`,
        'the peer calls services, services do not call it here', 'Use `peer.allowTo(service)` for the peer\'s calls to the service.'));
    }
    const ports = [this.port!];
    ZeroTrustGuard.declareAddresses(service, {
      namespace: service.namespace.name, selector: service.selector, ipBlocks: this.cidrs.map(cidr => ({ cidr })), ports, internal: true,
    });
    for (const cidr of this.cidrs) service.allowToExternal(ExternalPeer.cidr(cidr), { ports });
  }

  /**
   * The peer's pods as a flow end: a stable key, their namespace as the flow model reads it, and their stand-in pod.
   * @internal
   */
  public get _end(): PlatformEndDescription {
    const pods = this.pods!;
    return {
      key: JSON.stringify([this.role, this.namespace, pods.serviceAccount, this.podLabels, pods.mesh, pods.trustDomain]),
      namespace: { name: this.namespace!, mesh: pods.mesh, trustDomain: pods.trustDomain, meshed: pods.mesh !== MeshMode.NONE },
      serviceAccount: pods.serviceAccount,
      selector: { ...this.podLabels },
      principal: this.principal!,
    };
  }

  /** Records a scrape in the flow graph of the service's app. */
  private declare(declaredBy: () => string, service: MeshedService, ports: number[]): void {
    ZeroTrustGuard.flowGraph(service).declare({ from: PlatformEnd.of(service, this, declaredBy), to: service, ports });
  }

  private checkTrustDomain(declaredBy: () => string, service: MeshedService): void {
    const own = this.pods!.trustDomain;
    if (own !== service.namespace.trustDomain) {
      throw new Error(ruleMessage('ZT106', declaredBy(),
        `${this.namespace}/${this.pods!.serviceAccount} is in trust domain "${own}" and ${service.name} in "${service.namespace.trustDomain}"`,
        'Give the PlatformPeer the trust domain of the service\'s namespace.'));
    }
  }
}
