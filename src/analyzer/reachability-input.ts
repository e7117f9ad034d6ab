// What a reachability analysis reads: namespaces, pods and policy manifests.

/** A namespace of the analysed cluster. */
export interface NamespaceInput {
  /** The namespace name; it also gets the label `kubernetes.io/metadata.name=<name>`, as the API server sets it. */
  readonly name: string;
  /**
   * The namespace labels.
   * @default - only `kubernetes.io/metadata.name`
   */
  readonly labels?: { [key: string]: string };
  /**
   * The trust domain of the namespace's workload identities, the first part of their principals.
   * @default - the analysis's `trustDomain`
   */
  readonly trustDomain?: string;
}

/** A container port of a pod. */
export interface PodPortInput {
  /** The container port number. */
  readonly port: number;
  /**
   * The protocol: TCP, UDP or SCTP.
   * @default 'TCP'
   */
  readonly protocol?: string;
  /**
   * The port name, which named ports in NetworkPolicies resolve against.
   * @default - unnamed
   */
  readonly name?: string;
}

/** A pod of the analysed cluster. */
export interface PodInput {
  /** The pod namespace. */
  readonly namespace: string;
  /** The pod name, unique in its namespace. */
  readonly name: string;
  /**
   * The pod labels.
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
  /**
   * The service account, which gives the pod its mesh identity.
   * @default 'default'
   */
  readonly serviceAccount?: string;
  /**
   * The pod IP address, which ipBlocks match.
   * @default - none: no ipBlock matches the pod
   */
  readonly ip?: string;
  /**
   * The container ports.
   *
   * A pod with an Istio sidecar also serves the merged metrics port 15020, which the analysis adds; no Istio policy
   * applies to that port, nor to 15021 and 15090, which istio-iptables does not redirect to Envoy either.
   * @default - none
   */
  readonly ports?: PodPortInput[];
  /**
   * Whether the pod is in the Istio mesh, overriding what its labels and its namespace's labels say.
   * @default - derived from `istio-injection`, `istio.io/rev`, `sidecar.istio.io/inject` and `istio.io/dataplane-mode` labels
   */
  readonly meshed?: boolean;
  /**
   * Whether the pod is an Istio gateway, such as the one Istio deploys for a Gateway API Gateway of class `istio`: in
   * the mesh it calls servers with its own identity, but no PeerAuthentication governs its listeners, so connections
   * to it carry no peer identity and only its AuthorizationPolicies (by address) decide.
   * @default false
   */
  readonly gateway?: boolean;
  /**
   * Whether the pod is an ambient waypoint, such as the one Istio deploys for a Gateway of class `istio-waypoint`: it
   * ignores selector and namespace-wide AuthorizationPolicies and applies, to the traffic of each Service labelled
   * `istio.io/use-waypoint` with its name, the policies whose targetRefs name that Service. It speaks HBONE, as an
   * ambient pod does, whatever its labels say.
   * @default false
   */
  readonly waypoint?: boolean;
}

/** Mesh settings of an analysis. */
export interface ReachabilityOptions {
  /**
   * The mesh trust domain, the first part of principals.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The Istio root namespace, whose policies apply mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
}

/** What to analyse. */
export interface ReachabilityProps extends ReachabilityOptions {
  /**
   * The namespaces and their labels; namespaces that pods or policies use are added without labels.
   * @default - derived from pods and policies
   */
  readonly namespaces?: NamespaceInput[];
  /** The pods. */
  readonly pods: PodInput[];
  /**
   * Plain manifest objects; NetworkPolicy, PeerAuthentication and AuthorizationPolicy are read, other kinds ignored.
   * @default - no policies
   */
  readonly manifests?: any[];
}
