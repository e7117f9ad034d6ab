// Names and labels shared by the constructs and the rules.

/** The label every namespace carries, set by the API server; peers select namespaces by it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Names of the namespace-wide objects, which no per-service object may reuse. */
export const NAMESPACE_OBJECT_NAMES = {
  denyAll: 'zt-deny-all',
  allowDns: 'zt-allow-dns',
  allowIstiod: 'zt-allow-istiod',
  allowProbes: 'zt-allow-kubelet-probes',
  allowNothing: 'zt-allow-nothing',
  peerAuthentication: 'default',
};


/** The pod label that selects a MeshedService's workload; its value is the service name. */
export const WORKLOAD_LABEL = 'zero-trust.cdk8s.io/workload';

/** The port ambient mode tunnels meshed traffic over (HBONE). */
export const HBONE_PORT = 15008;
