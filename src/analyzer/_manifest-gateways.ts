/**
 * The gateway pods that Gateway API Gateways imply: Istio deploys the pods of a Gateway of class `istio` itself, so
 * no manifest describes them, yet the flows through them are what the policies allow. The routes attached to a
 * Gateway only choose among the connections those pods are allowed to make.
 */
import { objectName } from './_manifest-pods';
import type { PodInput } from './reachability-input';
import { manifestNamespace } from '../model/_constants';
import { GATEWAY_API, GATEWAY_NAME_LABEL, ISTIO_GATEWAY_CLASS, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { isObject } from '../model/_label-selector';
import { isPortNumber } from '../model/_ports';
import { sortedUnique } from '../util/_collections';

/** The annotation that makes Istio run a Gateway's pods as another ServiceAccount. */
const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';

/** The Gateway API kinds the analysis reads: Gateways of class `istio`, and the HTTP and gRPC routes. */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'];

/**
 * Whether the analysis reads a `gateway.networking.k8s.io` object: a Gateway of class `istio`, whose pods it derives,
 * or an HTTPRoute or GRPCRoute; other classes' Gateways and other kinds are ignored, as their pods are not Istio's.
 */
export function isReadGatewayKind(m: any): boolean {
  if (m.kind !== 'Gateway' && !ROUTE_KINDS.includes(m.kind)) return false;
  if (m.kind === 'Gateway' && m.spec?.gatewayClassName !== ISTIO_GATEWAY_CLASS) return false;
  if (m.apiVersion !== GATEWAY_API) {
    throw new Error(`${objectName(m)}: unsupported apiVersion ${JSON.stringify(m.apiVersion)} (expected ${GATEWAY_API})`);
  }
  return true;
}

/**
 * One pod per Gateway of class `istio` that Istio deploys (one without `spec.addresses`) and no manifest describes:
 * named, and running as, `<name>-istio` (or the ServiceAccount its annotation names), labelled
 * `gateway.networking.k8s.io/gateway-name: <name>`, listening on the listener ports, in the mesh.
 */
export function gatewayPodsFromManifests(manifests: any[], described: PodInput[]): PodInput[] {
  const known = new Set(described.map(p => `${p.namespace}/${p.name}`));
  return manifests.filter(m => m?.kind === 'Gateway' && m.apiVersion === GATEWAY_API && m.spec?.gatewayClassName === ISTIO_GATEWAY_CLASS)
    .filter(m => !(Array.isArray(m.spec.addresses) && m.spec.addresses.length > 0))
    .flatMap(m => {
      const where = objectName(m);
      const name = m.metadata?.name;
      if (typeof name !== 'string') throw new Error(`${where}: metadata.name is required`);
      const pod = istioGatewayDeploymentName(name);
      if (known.has(`${manifestNamespace(m)}/${pod}`)) return [];
      const listeners = Array.isArray(m.spec.listeners) ? m.spec.listeners : [];
      const ports = listeners.map((l: unknown, i: number) => {
        const port = isObject(l) ? l.port : undefined;
        if (!isPortNumber(port)) throw new Error(`${where}: spec.listeners[${i}].port: expected a port number, got ${JSON.stringify(port)}`);
        return port as number;
      });
      const account = m.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION];
      return [{
        namespace: manifestNamespace(m),
        name: pod,
        labels: { [GATEWAY_NAME_LABEL]: name },
        serviceAccount: typeof account === 'string' ? account : pod,
        ports: sortedUnique(ports).map(port => ({ port, protocol: 'TCP' })),
        meshed: true,
        gateway: true,
      }];
    });
}
