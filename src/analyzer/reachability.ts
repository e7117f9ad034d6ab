import { ApiObject, App } from 'cdk8s';
import { egressRoutes } from './_egress-routes';
import {
  AuthorizationPolicy, AuthzQuery, IstioPolicyIndex, PeerAuthChain, PeerAuthentication, RequestVerdict,
  allowedPrincipals, authorize, meshMode, parseAuthorizationPolicy, parsePeerAuthentication, requestVerdicts,
} from './_istio-authz-eval';
import { namespacesFromManifests, objectName, podsFromManifests } from './_manifest-pods';
import {
  Endpoint, EndpointPort, NetworkPolicy, NetworkPolicyIndex, PROTOCOLS, PeerCache, Rule,
  admits, distinctRules, parseNetworkPolicy, peerMatches, portsMatch, protocolOf, rulesAdmit,
} from './_network-policy-eval';
import { isPodStandIn } from './_pod-stand-ins';
import { opaquePorts } from './_port-protocols';
import { Probe, Verdict, authorizationProbes, networkProbes } from './_probe-ports';
import { PodIndex } from './_reachability-index';
import { renderMatrix, renderMermaid } from './_reachability-render';
import {
  RequestAuthentication, RequestAuthnIndex, RequestContext, RequestPatterns, checkRequestQuery, isRequestQuery, parseRequestAuthentication,
} from './_request-authz';
import { authorizeInbound, withSidecarPorts } from './_sidecar-agent-ports';
import { GATEWAY_CLASS_LABEL, USE_WAYPOINT_LABEL, WAYPOINT_CLASS, WaypointBinding, WaypointIndex, serviceOnlyWaypointLabel } from './_waypoint-eval';
import { AllowedFlow, FlowCheck, FlowExplanation, FlowQuery } from './flow-query';
import { HostFlow } from './host-flow';
import { PodInput, PodPortInput, ReachabilityOptions, ReachabilityProps } from './reachability-input';
import { HBONE_PORT, ISTIO_ROOT_NAMESPACE, NAMESPACE_NAME_LABEL, manifestNamespace, tunnelledOverHbone } from '../model/_constants';
import { ISTIO_GATEWAY_CLASS } from '../model/_gateway-api-spec';
import { DEFAULT_TRUST_DOMAIN } from '../model/_identity';
import { Labels } from '../model/_label-selector';
import { isPortNumber } from '../model/_ports';
import { outsideIstioAuthorization } from '../model/_sidecar-ports';
import { parseIp } from '../util/_cidr';
import { addToList, compareStrings } from '../util/_collections';

/** Pods that evaluate alike: same namespace, labels, service account, ports, mesh override, and no ip. */
interface PodClass {
  readonly index: number;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly labels: Labels;
  readonly ports: EndpointPort[];
  /** The distinct (port, protocol) pairs, sorted: the ports flows go to. */
  readonly flowPorts: EndpointPort[];
  readonly mesh?: 'sidecar' | 'ambient';
  readonly ingress: NetworkPolicy[];
  readonly egress: NetworkPolicy[];
  /** The distinct rules of `ingress` and `egress`, for verdicts without explanations. */
  readonly rules: { readonly ingress?: Rule[]; readonly egress?: Rule[] };
  readonly chain: PeerAuthChain;
  readonly authz: AuthorizationPolicy[];
  /** What request-level authorization needs, in the mesh. */
  readonly requests?: RequestContext;
  /** The ports where the authorization verdict on any client can change, once computed. */
  authzProbes?: Probe[];
  /** The Services that select its pods and send their traffic through a waypoint. */
  readonly behind: WaypointBinding[];
  /** For a waypoint's pods, the Services whose traffic it authorizes. */
  readonly serves?: WaypointBinding[];
}

interface Pod {
  readonly id: string;
  readonly cls: PodClass;
  readonly endpoint: Endpoint;
}

/** One side of a query: a pod, or an external address. */
interface Side {
  readonly id: string;
  readonly pod?: Pod;
  readonly endpoint: Endpoint;
}

/**
 * What a set of pods can reach under Kubernetes NetworkPolicies and Istio PeerAuthentications and
 * AuthorizationPolicies, following the upstream semantics.
 */
export class Reachability {
  /** Analyses pods, namespaces and policy manifests; throws naming any object or field it does not understand. */
  public static analyze(props: ReachabilityProps): Reachability {
    return new Reachability(props);
  }

  /**
   * Analyses a cdk8s App: its NetworkPolicy, PeerAuthentication and AuthorizationPolicy objects, one pod per workload
   * (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), the pods constructs stand for, and its namespaces.
   */
  public static ofApp(app: App, options: ReachabilityOptions = {}): Reachability {
    const constructs = app.node.findAll();
    // ApiObject.toJson(), not Chart.toJson(): the latter re-runs validation, which may itself call ofApp.
    const manifests = constructs.filter(c => ApiObject.isApiObject(c)).map(c => (c as ApiObject).toJson());
    const pods: PodInput[] = podsFromManifests(manifests);
    for (const c of constructs) {
      if (isPodStandIn(c)) pods.push(...c._reachabilityPods());
    }
    return new Reachability({ ...options, pods, manifests, namespaces: namespacesFromManifests(manifests, pods) });
  }

  private readonly podsById = new Map<string, Pod>();
  /** Each pod as one side of a query, made once: the ZT416 check asks for the same pods many times. */
  private readonly podSides = new Map<string, Side>();
  private readonly classes: PodClass[] = [];
  private readonly trustDomain: string;
  private readonly trustDomains = new Map<string, string>();
  private podIndex?: PodIndex;
  private sortedPods?: string[];
  /** The manifests, whose egress routes `hostFlows` reads. */
  private readonly manifests: any[];

  private constructor(props: ReachabilityProps) {
    this.manifests = props.manifests ?? [];
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    const rootNamespace = props.rootNamespace ?? ISTIO_ROOT_NAMESPACE;
    const policies: NetworkPolicy[] = [];
    const peerAuths: PeerAuthentication[] = [];
    const authz: AuthorizationPolicy[] = [];
    const authns: RequestAuthentication[] = [];
    /** Services by namespace: each pod class looks at its own namespace's only. */
    const services = new Map<string, any[]>();
    const peers: PeerCache = new Map();
    (props.manifests ?? []).forEach((m, i) => {
      if (typeof m !== 'object' || m === null) throw new Error(`manifests[${i}]: expected an object`);
      refuseOverridingKinds(m);
      if (m.kind === 'NetworkPolicy') policies.push(parseNetworkPolicy(m, peers));
      if (m.kind === 'PeerAuthentication') peerAuths.push(parsePeerAuthentication(m));
      if (m.kind === 'AuthorizationPolicy') authz.push(parseAuthorizationPolicy(m));
      if (m.kind === 'RequestAuthentication') authns.push(parseRequestAuthentication(m));
      if (m.kind === 'Service' && m.apiVersion === 'v1') addToList(services, manifestNamespace(m), m);
    });
    const requestAuthns = new RequestAuthnIndex(authns, rootNamespace);
    const waypoints = new WaypointIndex(services, authz, authns);
    const npIndex = new NetworkPolicyIndex(policies);
    const istio = new IstioPolicyIndex(peerAuths, authz, rootNamespace);
    const namespaceLabels = this.namespaceLabels(props);
    const classesByKey = new Map<string, PodClass>();
    for (const input of props.pods) {
      const id = `${input.namespace}/${input.name}`;
      if (this.podsById.has(id)) throw new Error(`pod ${id} is given twice`);
      const nsLabels = namespaceLabels.get(input.namespace) ?? { [NAMESPACE_NAME_LABEL]: input.namespace };
      const labels: Labels = { ...input.labels };
      refuseWaypointLabel(`pod ${id}`, labels);
      refuseWaypointLabel(`namespace ${input.namespace}`, nsLabels);
      // A waypoint is out of ztunnel's capture but speaks HBONE itself, as an ambient pod's ztunnel does.
      const mesh = input.waypoint ? 'ambient' : meshMode(labels, nsLabels, input.meshed);
      const ports = withSidecarPorts((input.ports ?? []).map(p => checkPort(p, id)), mesh);
      const ip = input.ip === undefined ? undefined : parseIp(input.ip);
      if (input.ip !== undefined && !ip) throw new Error(`pod ${id}: invalid ip ${JSON.stringify(input.ip)}`);
      const serviceAccount = input.serviceAccount ?? 'default';
      // A pod with an ip is a class of its own; the others group by everything that policies can see.
      const key = input.ip !== undefined ? `ip:${id}`
        : JSON.stringify([input.namespace, Object.entries(labels).sort(), serviceAccount, ports, mesh, input.gateway === true,
          input.waypoint === true]);
      let cls = classesByKey.get(key);
      if (!cls) {
        const workload = { id, namespace: input.namespace, labels };
        const { ingress, egress } = npIndex.isolating(input.namespace, labels);
        // A waypoint ignores selector and namespace-wide policies: it applies the ones that target the Services it serves.
        const authzPolicies = mesh && !input.waypoint ? istio.authorizationPolicies(workload) : [];
        cls = {
          index: this.classes.length,
          namespace: input.namespace,
          serviceAccount,
          labels,
          ports,
          flowPorts: sortedPorts(ports),
          mesh,
          ingress,
          egress,
          rules: { ingress: distinctRules(ingress, 'ingress'), egress: distinctRules(egress, 'egress') },
          chain: !mesh ? {} : input.gateway ? { gateway: true } : istio.peerAuthChain(workload),
          authz: authzPolicies,
          requests: mesh && {
            ambient: mesh === 'ambient',
            opaquePorts: opaquePorts(services.get(input.namespace) ?? [], input.namespace, labels, ports),
            // A waypoint validates the tokens of the RequestAuthentications that target a Service it serves, per Service.
            authns: input.waypoint ? [] : requestAuthns.applying(workload),
            policies: authzPolicies,
          },
          behind: mesh ? waypoints.behind(input.namespace, labels) : [],
          ...input.waypoint && mesh ? { serves: waypoints.served(input.namespace, input.name) } : {},
        };
        classesByKey.set(key, cls);
        this.classes.push(cls);
      }
      const endpoint: Endpoint = { id, ip, pod: { namespace: input.namespace, namespaceLabels: nsLabels, labels, ports } };
      const pod: Pod = { id, cls, endpoint };
      this.podsById.set(id, pod);
      this.podSides.set(id, { id, pod, endpoint });
    }
    for (const cls of this.classes) {
      for (const b of cls.behind) {
        if (this.podsById.get(`${b.namespace}/${b.waypoint}`)?.cls.serves === undefined) {
          throw new Error(`Service ${b.namespace}/${b.service}: metadata.labels["${USE_WAYPOINT_LABEL}"] names ${JSON.stringify(b.waypoint)}, `
            + `which no Gateway of class ${WAYPOINT_CLASS} in ${b.namespace} declares`);
        }
      }
    }
  }

  /** The ids (`namespace/pod`) of the analysed pods, sorted by namespace, then name. */
  public get pods(): string[] {
    // Sorted on first use: the ZT416 check never asks.
    this.sortedPods ??= [...this.podsById.values()]
      .map(p => ({ id: p.id, namespace: p.cls.namespace, name: p.id.slice(p.cls.namespace.length + 1) }))
      .sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name))
      .map(p => p.id);
    return this.sortedPods;
  }

  /** Whether every layer allows the connection. */
  public isAllowed(query: FlowQuery): boolean {
    return this.check(query).allowed;
  }

  /** The per-layer verdicts on the connection, without explanations. */
  public check(query: FlowQuery): FlowCheck {
    const [from, to, protocol] = this.parseQuery(query);
    return this.evaluate(from, to, query.port, protocol, undefined, query);
  }

  /** The per-layer verdicts on the connection, with the reasons for each. */
  public explain(query: FlowQuery): FlowExplanation {
    const [from, to, protocol] = this.parseQuery(query);
    const reasons = { egress: [] as string[], ingress: [] as string[], authorization: [] as string[] };
    const verdict = this.evaluate(from, to, query.port, protocol, reasons, query);
    return {
      from: from.id,
      to: to.id,
      port: query.port,
      protocol,
      allowed: verdict.allowed,
      egress: { allowed: verdict.egress, reasons: reasons.egress },
      ingress: { allowed: verdict.ingress, reasons: reasons.ingress },
      authorization: { allowed: verdict.authorization, reasons: reasons.authorization },
    };
  }

  /**
   * Every allowed connection from one pod to another pod's container ports, sorted by client, server, port and protocol.
   * A pod's connections to itself are left out: no policy can block them.
   */
  public allowedFlows(): AllowedFlow[] {
    const flows: AllowedFlow[] = [];
    // Verdicts per (client class, server class), one per server port: pods of a class evaluate alike.
    const memo = new Map<number, boolean[]>();
    const sides = this.pods.map(id => this.side(id));
    for (const from of sides) {
      for (const to of sides) {
        if (from === to) continue;
        const ports = to.pod!.cls.flowPorts;
        const key = from.pod!.cls.index * this.classes.length + to.pod!.cls.index;
        let verdicts = memo.get(key);
        if (!verdicts) {
          verdicts = ports.map(p => this.allowedBetweenPods(from, to, p.port, p.protocol));
          memo.set(key, verdicts);
        }
        ports.forEach((p, i) => verdicts![i] && flows.push({ from: from.id, to: to.id, port: p.port, protocol: p.protocol }));
      }
    }
    return flows;
  }

  /**
   * Every connection from a pod to a host outside the cluster that the mesh routes through an egress gateway (a
   * ServiceEntry exported to the pod's namespace, a TLSRoute from it to an Istio Gateway's Service, and one from that
   * Gateway to the host) and that every layer allows: the client's egress to the gateway's pod, the gateway's ingress,
   * and the gateway's authorization for the host's server name (SNI). Only sidecar pods are routed so. The gateway's
   * own connection to the host is a connection to an address: ask `check` with one. Sorted by client, host and port.
   */
  public hostFlows(): HostFlow[] {
    const flows = new Map<string, HostFlow>();
    for (const route of egressRoutes(this.manifests)) {
      if (!this.podsById.has(route.gateway)) continue;
      for (const id of this.pods) {
        const { cls } = this.podsById.get(id)!;
        if (id === route.gateway || cls.mesh !== 'sidecar' || (route.clients && !route.clients.has(cls.namespace))) continue;
        const layers = this.check({ from: id, to: route.gateway, port: route.gatewayPort });
        if (layers.egress && layers.ingress && this._authorizesServerName(id, route.gateway, route.gatewayPort, route.host)) {
          flows.set(`${id} ${route.host} ${route.port} ${route.gateway}`, { from: id, host: route.host, port: route.port, via: route.gateway });
        }
      }
    }
    return [...flows.values()]
      .sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.host, b.host) || a.port - b.port || compareStrings(a.via, b.via));
  }

  /** The allowed flows as a table: one row per client, one column per server, cells list the allowed ports. */
  public toMatrix(): string {
    return renderMatrix(this.pods, this.allowedFlows());
  }

  /** A Mermaid flowchart of the allowed flows: one node per pod, grouped by namespace, edges labelled `80/TCP`. */
  public toMermaid(): string {
    return renderMermaid(this.pods, this.allowedFlows());
  }

  /**
   * The pods whose identity the authorization of `podId` could admit, a superset that the exact check narrows;
   * undefined when it could admit any pod.
   * @internal
   */
  public _principalPeers(podId: string): Set<string> | undefined {
    const cls = this.podsById.get(podId)!.cls;
    if (cls.mesh === undefined) return undefined;
    // Through a waypoint, the policies that target the Service admit their principals too; a waypoint admits only those.
    const sets = [...cls.serves ? [] : [cls.authz], ...(cls.serves ?? cls.behind).map(b => b.policies)].map(allowedPrincipals);
    if (sets.some(p => p === undefined)) return undefined;
    return this.index().withPrincipals(sets.flatMap(p => p!));
  }

  /**
   * The pods that one NetworkPolicy layer of `podId` admits on some port (sources for ingress, destinations for
   * egress), each with the rules whose peers match it, in rule order; undefined when it could admit any pod.
   * @internal
   */
  public _peerRules(layer: 'ingress' | 'egress', podId: string): Map<string, Rule[]> | undefined {
    const candidates = this.index().peerCandidates(this.podsById.get(podId)!.cls.rules[layer]);
    if (candidates === undefined) return undefined;
    const out = new Map<string, Rule[]>();
    for (const { rule, peer, pods } of candidates) {
      for (const { id } of pods) {
        if (!peer.matches(this.podsById.get(id)!.endpoint)) continue;
        const rules = out.get(id);
        if (!rules) out.set(id, [rule]);
        else if (rules[rules.length - 1] !== rule) rules.push(rule);
      }
    }
    return out;
  }

  /**
   * One layer's verdicts on the connection `from` -> `to`, alone (as in `check`), at every port and protocol where
   * the verdict can change. For a NetworkPolicy layer, `matching` may give the rules whose peers match, from
   * `_peerRules`.
   * @internal
   */
  public _verdicts(layer: 'ingress' | 'egress' | 'authorization', from: string, to: string, matching?: Rule[]): Verdict[] {
    const a = this.side(from);
    const b = this.side(to);
    const destination = b.pod!.cls;
    if (layer === 'authorization') {
      destination.authzProbes ??= authorizationProbes(destination.authz, destination.ports);
      return destination.authzProbes.map(({ port, protocol }) => ({ port, protocol, allowed: this.authorization(a, b, port, protocol) }));
    }
    const egress = layer === 'egress';
    const peer = egress ? b : a;
    // Only the rules whose peers admit this peer can admit the connection, whatever the port.
    matching ??= (egress ? a : b).pod!.cls.rules[layer]?.filter(rule => peerMatches(rule, peer.endpoint));
    const hbone = tunnelledOverHbone(a.pod!.cls.mesh, destination.mesh);
    return networkProbes(matching, destination.ports).map(({ port, protocol }) => {
      const tunnelled = hbone && protocol === 'TCP';
      const allowed = matching === undefined
        || matching.some(rule => portsMatch(rule, tunnelled ? HBONE_PORT : port, protocol, b.endpoint))
        || (protocol === 'TCP' && this.throughWaypoint(layer, a, b));
      return { port, protocol, allowed };
    });
  }

  /**
   * Whether the authorization of `to` alone admits a TCP connection from `from` on `port` with TLS server name `sni`.
   * @internal
   */
  public _authorizesServerName(from: string, to: string, port: number, sni: string): boolean {
    const destination = this.side(to).pod!;
    const source = this.side(from);
    return authorizeInbound({ ...this.authzQuery(source, destination), sni }, destination.cls.mesh, source.pod?.cls.mesh, port, 'TCP');
  }

  /**
   * Istio's verdict, from `from` to `to` on `port`, on requests that stand for every request, covering `extra`'s
   * patterns too; undefined when Istio does not evaluate requests there.
   * @internal
   */
  public _requestVerdicts(from: string, to: string, port: number, extra: RequestPatterns): RequestVerdict[] | undefined {
    const a = this.side(from);
    const b = this.side(to).pod!;
    // A sidecar's uncaptured ports pass no Istio policy, whatever the request; a waypoint's own port sees none.
    if (outsideIstioAuthorization(b.cls.mesh, port, 'TCP', a.pod?.cls.mesh) || b.cls.serves) return undefined;
    const hop = this.waypointHop(a, b, port);
    if (!hop) return requestVerdicts(this.authzQuery(a, b), port, extra);
    // Through the waypoint, its policies decide each request; ztunnel decides the connection from the client, if direct.
    const verdicts = requestVerdicts(this.waypointQuery(a, hop), port, extra);
    if (!verdicts) return undefined;
    const direct = authorizeInbound(this.authzQuery(a, b), b.cls.mesh, a.pod?.cls.mesh, port, 'TCP');
    const onward = authorizeInbound(this.authzQuery(hop.waypoint, b), b.cls.mesh, hop.waypoint.pod?.cls.mesh, port, 'TCP');
    return verdicts.map(v => ({ ...v, allowed: direct || (onward && v.allowed) }));
  }

  /**
   * How the pod is in the mesh, if it is.
   * @internal
   */
  public _mesh(podId: string): 'sidecar' | 'ambient' | undefined {
    return this.podsById.get(podId)!.cls.mesh;
  }

  private index(): PodIndex {
    this.podIndex ??= new PodIndex([...this.podsById.values()].map(p => ({
      id: p.id, namespace: p.cls.namespace, labels: p.cls.labels, serviceAccount: p.cls.serviceAccount, hasIp: p.endpoint.ip !== undefined,
    })));
    return this.podIndex;
  }

  private namespaceLabels(props: ReachabilityProps): Map<string, Labels> {
    const result = new Map<string, Labels>();
    for (const ns of props.namespaces ?? []) {
      if (result.has(ns.name)) throw new Error(`namespace ${ns.name} is given twice`);
      result.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
      if (ns.trustDomain !== undefined) this.trustDomains.set(ns.name, ns.trustDomain);
    }
    return result;
  }

  private parseQuery(query: FlowQuery): [Side, Side, string] {
    const protocol = query.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) throw new Error(`unsupported protocol ${JSON.stringify(protocol)} (expected ${PROTOCOLS.join(', ')})`);
    if (!isPortNumber(query.port)) throw new Error(`invalid port ${query.port}`);
    checkRequestQuery(query);
    if (isRequestQuery(query) && protocol !== 'TCP') throw new Error(`HTTP request attributes need protocol TCP, not ${protocol}`);
    const from = this.side(query.from);
    const to = this.side(query.to);
    if (!from.pod && !to.pod) throw new Error(`${query.from} -> ${query.to}: at least one side must be a pod`);
    return [from, to, protocol];
  }

  private side(text: string): Side {
    const pod = this.podSides.get(text);
    if (pod) return pod;
    const ip = text.includes('/') ? undefined : parseIp(text);
    if (!ip) throw new Error(`unknown pod or invalid IP address ${JSON.stringify(text)}`);
    return { id: text, endpoint: { id: text, ip } };
  }

  private evaluate(from: Side, to: Side, port: number, protocol: string, reasons?: LayerReasons, query?: FlowQuery): FlowCheck {
    if (from.pod && from.pod === to.pod) {
      for (const layer of Object.values(reasons ?? {})) {
        layer.push(`${from.id} connects to itself: loopback never leaves the pod, so no NetworkPolicy or proxy applies`);
      }
      return { allowed: true, egress: true, ingress: true, authorization: true };
    }
    const egress = this.networkLayer('egress', from, to, port, protocol, reasons?.egress);
    const ingress = this.networkLayer('ingress', from, to, port, protocol, reasons?.ingress);
    const authorization = this.authorization(from, to, port, protocol, reasons?.authorization, query && isRequestQuery(query) ? query : undefined);
    return { allowed: egress && ingress && authorization, egress, ingress, authorization };
  }

  /** Whether every layer allows a connection between two distinct pods, stopping at the first refusal. */
  private allowedBetweenPods(from: Side, to: Side, port: number, protocol: string): boolean {
    return this.networkLayer('egress', from, to, port, protocol)
      && this.networkLayer('ingress', from, to, port, protocol)
      && this.authorization(from, to, port, protocol);
  }

  private networkLayer(dir: 'ingress' | 'egress', from: Side, to: Side, port: number, protocol: string, why?: string[]): boolean {
    const [subject, peer] = dir === 'egress' ? [from, to] : [to, from];
    if (!subject.pod) {
      why?.push(`${subject.id} is outside the cluster: no NetworkPolicy governs its ${dir}`);
      return true;
    }
    const cls = subject.pod.cls;
    // Traffic between meshed pods with an ambient end is tunnelled over HBONE: NetworkPolicy, enforced outside the
    // pod, sees only 15008/TCP, whatever the app port; the app port is enforced by Istio's AuthorizationPolicy.
    const hbone = protocol === 'TCP' && tunnelledOverHbone(from.pod?.cls.mesh, to.pod?.cls.mesh);
    if (hbone) {
      why?.push(`${from.id} and ${to.id} are meshed and one is ambient, so HBONE carries the traffic: NetworkPolicies see ${HBONE_PORT}/TCP`
        + (port === HBONE_PORT ? '' : `, not port ${port}`));
    }
    const [p, proto] = hbone ? [HBONE_PORT, 'TCP'] : [port, protocol];
    const direct = why
      ? admits(dir, subject.id, cls[dir], peer.endpoint, to.endpoint, p, proto, why)
      : rulesAdmit(cls.rules[dir], peer.endpoint, to.endpoint, p, proto);
    return direct || (protocol === 'TCP' && this.throughWaypoint(dir, from, to, why));
  }

  /**
   * Whether one NetworkPolicy side lets the connection through the server's waypoint, where a Service sends it: the
   * client's egress to the waypoint's pods, or the server's ingress from them, on HBONE (which hides the app port).
   */
  private throughWaypoint(dir: 'ingress' | 'egress', from: Side, to: Side, why?: string[]): boolean {
    const hop = to.pod && this.waypointHop(from, to.pod);
    if (!hop) return false;
    why?.push(`${to.id} is behind waypoint ${hop.waypoint.id} (Service ${hop.binding.service}): through it, ${dir === 'egress' ? `${from.id} opens HBONE to the waypoint` : `the waypoint opens HBONE to ${to.id}`}`);
    return dir === 'egress' ? this.networkLayer('egress', from, hop.waypoint, HBONE_PORT, 'TCP', why) : this.networkLayer('ingress', hop.waypoint, to, HBONE_PORT, 'TCP', why);
  }

  /**
   * The waypoint a connection from `from` to `to` passes through on `port` (any port when omitted), if any. Ambient
   * workloads send to a Service's waypoint, and so do the gateways Istio deploys (class `istio`) when the Service is
   * labelled `istio.io/ingress-use-waypoint: "true"`; sidecars, and gateways otherwise, connect to the pods.
   */
  private waypointHop(from: Side, to: Pod, port?: number): { waypoint: Side; binding: WaypointBinding } | undefined {
    const src = from.pod?.cls;
    const gateway = src?.mesh !== undefined && src.labels[GATEWAY_CLASS_LABEL] === ISTIO_GATEWAY_CLASS;
    if (!gateway && (src?.mesh !== 'ambient' || src.labels[GATEWAY_CLASS_LABEL] !== undefined)) return undefined;
    const binding = to.cls.behind.find(b => (port === undefined || b.ports.includes(port)) && (!gateway || b.ingress));
    const waypoint = binding && this.podSides.get(`${binding.namespace}/${binding.waypoint}`);
    return binding && waypoint && waypoint !== from ? { waypoint, binding } : undefined;
  }

  /**
   * The authorization query the waypoint evaluates for the Service's traffic: the client's identity, the Service's
   * policies and RequestAuthentications, requests in HTTP.
   */
  private waypointQuery(from: Side, hop: { waypoint: Side; binding: WaypointBinding }): AuthzQuery {
    const base = this.authzQuery(from, hop.waypoint.pod!);
    const requests = hop.waypoint.pod!.cls.requests!;
    const { policies, authns } = hop.binding;
    return { ...base, policies, requests: { ...requests, ambient: false, policies, authns } };
  }

  private authorization(from: Side, to: Side, port: number, protocol: string, reasons?: string[], request?: FlowQuery): boolean {
    if (!to.pod) {
      reasons?.push(`${to.id} is outside the cluster: not in the mesh, no Istio policy applies`);
      return true;
    }
    const cls = to.pod.cls;
    if (cls.serves) {
      // A waypoint admits a client when the policies of some Service it serves admit some request of it.
      reasons?.push(`${to.id} is a waypoint: it applies the policies that target the Services it serves (${cls.serves.map(b => b.service).join(', ') || 'none'})`);
      return protocol === 'TCP' && port === HBONE_PORT
        && cls.serves.some(b => b.ports.some(p => authorize(this.waypointQuery(from, { waypoint: to, binding: b }), p, 'TCP')));
    }
    if (authorizeInbound(this.authzQuery(from, to.pod), cls.mesh, from.pod?.cls.mesh, port, protocol, reasons, request)) return true;
    const hop = protocol === 'TCP' ? this.waypointHop(from, to.pod, port) : undefined;
    if (!hop) return false;
    reasons?.push(`through waypoint ${hop.waypoint.id}, which Service ${hop.binding.service} sends port ${port} to: the waypoint checks ${from.id}, then ${to.id}'s ztunnel checks the waypoint`);
    return authorize(this.waypointQuery(from, hop), port, 'TCP', reasons, request)
      && authorizeInbound(this.authzQuery(hop.waypoint, to.pod), cls.mesh, hop.waypoint.pod?.cls.mesh, port, 'TCP', reasons);
  }

  /** The authorization query for a connection to a pod. */
  private authzQuery(from: Side, to: Pod): AuthzQuery {
    const src = from.pod?.cls;
    return {
      destination: { id: to.id, namespace: to.cls.namespace, labels: to.cls.labels },
      destinationMeshed: to.cls.mesh !== undefined,
      source: { id: from.id, meshed: src?.mesh !== undefined, namespace: src?.namespace, serviceAccount: src?.serviceAccount, ip: from.endpoint.ip },
      chain: to.cls.chain,
      policies: to.cls.authz,
      requests: to.cls.requests,
      trustDomain: (src && this.trustDomains.get(src.namespace)) ?? this.trustDomain,
    };
  }
}

interface LayerReasons {
  readonly egress: string[];
  readonly ingress: string[];
  readonly authorization: string[];
}

/**
 * Kinds that can allow or deny traffic beside NetworkPolicy and Istio's authorization, and that the analyzer does
 * not model: an analysis of an app with them could not be trusted, so it is refused rather than guessed.
 */
const OVERRIDING_KINDS = [
  'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy',
  'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy', 'EnvoyFilter',
];

/** Throws for a kind the analyzer does not model but that changes what is allowed. */
export function refuseOverridingKinds(m: any): void {
  if (OVERRIDING_KINDS.includes(m.kind)) {
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind}, which can change what NetworkPolicies and Istio allow`);
  }
}

/** Throws for a namespace or pod attached to a waypoint by label: the analyzer models waypoints for Services only. */
function refuseWaypointLabel(what: string, labels: Labels): void {
  const label = serviceOnlyWaypointLabel(labels);
  if (label === undefined) return;
  const modelled = label === USE_WAYPOINT_LABEL ? 'waypoints for Services only, not for namespaces or pods' : 'it on Services only, not on namespaces or pods';
  throw new Error(`${what}: label ${label}=${labels[label]}: the analyzer models ${modelled}`);
}

/** Throws, naming the object and the field, when the analyzer cannot read a manifest. */

export function checkReadable(m: any): void {
  refuseOverridingKinds(m);
  if (m.kind === 'NetworkPolicy') parseNetworkPolicy(m);
  if (m.kind === 'PeerAuthentication') parsePeerAuthentication(m);
  if (m.kind === 'AuthorizationPolicy') parseAuthorizationPolicy(m);
  if (m.kind === 'RequestAuthentication') parseRequestAuthentication(m);
}

function checkPort(p: PodPortInput, id: string): EndpointPort {
  const protocol = protocolOf(p.protocol, `pod ${id}: port ${p.port}`);
  if (!isPortNumber(p.port)) throw new Error(`pod ${id}: invalid port ${p.port}`);
  return p.name === undefined ? { port: p.port, protocol } : { port: p.port, protocol, name: p.name };
}

/** Unique (port, protocol) pairs, sorted. */
function sortedPorts(ports: EndpointPort[]): EndpointPort[] {
  const unique = new Map(ports.map(p => [`${p.port}/${p.protocol}`, p]));
  return [...unique.values()].sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol));
}

