// The inbound ports of a sidecar pod that Envoy's inbound listener never sees, so that no Istio policy applies to them.
import { tunnelledOverHbone } from './_constants';

/**
 * Istio's merged metrics port: the sidecar agent serves its own, Envoy's and the app's metrics there on
 * `/stats/prometheus`, and with metrics merging (meshConfig `enablePrometheusMerge`, on by default) the injector points
 * the pod's `prometheus.io/*` annotations at it and hands the app's own annotations to the agent, which fetches the
 * app's metrics over localhost. This is the one port a Prometheus scrapes a sidecar pod on.
 */
export const MERGED_METRICS_PORT = 15020;

/**
 * The inbound ports that istio-iptables leaves out of the redirection to Envoy (its `-d 15090,15021,15020`): the
 * agent's merged metrics port 15020, the health port 15021 and Envoy's own Prometheus port 15090. Connections to them
 * reach the agent or Envoy's admin-side listeners directly, so neither PeerAuthentication nor AuthorizationPolicy
 * applies: only NetworkPolicy can restrict who reaches them. Istio documents them as not protected by mTLS.
 */
export const SIDECAR_UNCAPTURED_PORTS: readonly number[] = [MERGED_METRICS_PORT, 15021, 15090];

/**
 * Whether Istio's authorization does not apply to a connection from a pod in mesh mode `sourceMesh` to `port` of a pod
 * in mesh mode `mesh`.
 *
 * From an ambient pod, ztunnel tunnels the connection over HBONE to the sidecar's port 15008, which Envoy terminates:
 * it then hands the connection on to the port itself through its inbound chain, whose authorization applies to every
 * port, the uncaptured ones too.
 */
export function outsideIstioAuthorization(mesh: string | undefined, port: number, protocol: string, sourceMesh: string | undefined): boolean {
  return mesh === 'sidecar' && protocol === 'TCP' && SIDECAR_UNCAPTURED_PORTS.includes(port) && !tunnelledOverHbone(sourceMesh, mesh);
}
