/**
 * How the workloads of a namespace join the Istio mesh.
 */
export enum MeshMode {
  /**
   * Istio injects an Envoy sidecar into every pod (label `istio-injection: enabled`).
   */
  SIDECAR = 'sidecar',

  /**
   * Istio ambient mode: ztunnel carries the traffic (label `istio.io/dataplane-mode: ambient`).
   */
  AMBIENT = 'ambient',

  /**
   * Not in the mesh: only Kubernetes NetworkPolicies protect the namespace, with no mTLS and no principals.
   */
  NONE = 'none',
}
