// The analyzer's model of a sidecar pod's own inbound ports (model/_sidecar-ports): every sidecar pod serves the
// merged metrics port, and Istio's authorization does not apply to the ports istio-iptables leaves to the agent and Envoy.
import { AuthzQuery, authorize } from './_istio-authz-eval';
import type { EndpointPort } from './_network-policy-eval';
import type { RequestQuery } from './_request-authz';
import { MERGED_METRICS_PORT, outsideIstioAuthorization } from '../model/_sidecar-ports';

type Mesh = 'sidecar' | 'ambient' | undefined;

/** A pod's ports, with the merged metrics port when it runs a sidecar, whose agent serves it in every such pod. */
export function withSidecarPorts(ports: EndpointPort[], mesh: Mesh): EndpointPort[] {
  if (mesh !== 'sidecar' || ports.some(p => p.port === MERGED_METRICS_PORT && p.protocol === 'TCP')) return ports;
  return [...ports, { port: MERGED_METRICS_PORT, protocol: 'TCP' }];
}

/**
 * Like `authorize`, except that a sidecar pod's uncaptured ports are allowed: no Istio policy sees those connections,
 * unless they come from an ambient pod (`sourceMesh`), tunnelled over HBONE through Envoy.
 */
export function authorizeInbound(
  q: AuthzQuery, mesh: Mesh, sourceMesh: Mesh, port: number, protocol: string, reasons?: string[], request?: RequestQuery,
): boolean {
  if (outsideIstioAuthorization(mesh, port, protocol, sourceMesh)) {
    reasons?.push(`port ${port} of ${q.destination.id} is served by its sidecar's agent or Envoy outside the inbound listener, `
      + 'as istio-iptables does not redirect it: no PeerAuthentication or AuthorizationPolicy applies, only NetworkPolicy');
    return true;
  }
  return authorize(q, port, protocol, reasons, request);
}
