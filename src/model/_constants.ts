// Names and labels shared by the constructs and the rules.
import type { NetworkPolicyPeerSpec, NetworkPolicyPortSpec } from './_network-policy-spec';

/** The label every namespace carries, set by the API server; peers select namespaces by it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The mesh's root namespace, where Istio policies apply to every namespace. */
export const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** Namespaces of the cluster and the mesh, which a ZeroTrustNamespace may not manage (ZT209). */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', ISTIO_ROOT_NAMESPACE];

/** The namespace of a namespaced object: `default` when its manifest names none, as kubectl and the API server apply it. */
export function manifestNamespace(manifest: any): string {
  return manifest?.metadata?.namespace ?? 'default';
}

/** The address ambient mode SNATs kubelet health probes to (Istio's ambient NetworkPolicy guide). */
export const AMBIENT_PROBE_SOURCE = '169.254.7.127/32';

/** Egress to infrastructure outside the managed namespaces that every pod gets: cluster DNS and, for sidecars, istiod. */
export interface InfrastructureEgress {
  readonly namespace: string;
  readonly podLabels: { readonly [key: string]: string };
  readonly ports: readonly NetworkPolicyPortSpec[];
}

export const DNS_EGRESS: InfrastructureEgress = {
  namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }],
};

export const ISTIOD_EGRESS: InfrastructureEgress = { namespace: ISTIO_ROOT_NAMESPACE, podLabels: { app: 'istiod' }, ports: [{ protocol: 'TCP', port: 15012 }] };

/** The one egress peer of an infrastructure rule: its namespace by name AND its pods. */
export function infrastructurePeer(e: InfrastructureEgress): NetworkPolicyPeerSpec {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: e.namespace } }, podSelector: { matchLabels: { ...e.podLabels } } };
}

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

/**
 * Whether traffic between two ends is tunnelled over HBONE: both are in the mesh and one is ambient.
 * An end's mode is 'sidecar', 'ambient', or 'none' / undefined outside the mesh. The generator, the analyzer and the
 * ZT416 proof all use this one rule, so they cannot disagree on which flows pass NetworkPolicy as 15008.
 */
export function tunnelledOverHbone(a: string | undefined, b: string | undefined): boolean {
  const meshed = (m: string | undefined) => m === 'sidecar' || m === 'ambient';
  return meshed(a) && meshed(b) && (a === 'ambient' || b === 'ambient');
}

/** The annotation prefix that shows a suppression's reason on every object it covers: `<prefix><rule id>: <reason>`. */
export const SUPPRESSION_ANNOTATION_PREFIX = 'zero-trust.cdk8s.io/suppress.';
