/**
 * The gateway pods that Gateway API Gateways imply: Istio deploys the pods of a Gateway of class `istio` itself, so no
 * manifest describes them, yet the flows through them are what the policies allow. Ingress and egress gateways, the
 * guard, `Reachability.ofApp` and the command line all read them from here, from the Gateway manifest.
 */
import type { PodInput } from './reachability-input';
import { manifestNamespace } from '../model/_constants';
import { GATEWAY_API, GATEWAY_NAME_LABEL, ISTIO_GATEWAY_CLASS, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { checkStringMap, isObject } from '../model/_label-selector';
import { isPortNumber } from '../model/_ports';
import { sortedUnique } from '../util/_collections';

/** The annotation that makes Istio run a Gateway's pods as another ServiceAccount. */
const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';

/** The Gateway API route kinds the analysis reads, beside Gateways of class `istio`. */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute'];

/** How the analysis names a Gateway API object in errors, as `objectName` does (which imports this file). */
function objectName(m: any): string {
  return `${m.kind} ${manifestNamespace(m)}/${m.metadata?.name}`;
}

/** Whether a manifest is a Gateway that Istio deploys pods for. */
export function isIstioGateway(m: any): boolean {
  return typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('gateway.networking.k8s.io/') && m.kind === 'Gateway'
    && m.spec?.gatewayClassName === ISTIO_GATEWAY_CLASS;
}

/**
 * Whether the analysis reads a `gateway.networking.k8s.io` object: a Gateway of class `istio`, whose pods it derives,
 * or an HTTP, gRPC or TLS route; other classes' Gateways and other kinds are ignored, as their pods are not Istio's.
 * Throws for a read kind at another apiVersion.
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
 * One pod per Gateway of class `istio` that Istio deploys (one without `spec.addresses`) and that no manifest in
 * `described` already describes: named, and running as, `<name>-istio` (or the ServiceAccount its annotation names),
 * labelled with the Gateway's `infrastructure.labels` and Istio's gateway labels, listening on the listener ports, in
 * the mesh. A Gateway whose listeners all end TLS or speak HTTP receives clients from outside the mesh, so no
 * PeerAuthentication governs them (`gateway`); one with a TLS passthrough listener is an egress gateway, which
 * sidecars reach over Istio mTLS, as Istio's egress gateway task sets it up.
 */
export function gatewayPodsFromManifests(manifests: any[], described: PodInput[]): PodInput[] {
  const known = new Set(described.map(p => `${p.namespace}/${p.name}`));
  return manifests.filter(m => isIstioGateway(m) && !(Array.isArray(m.spec.addresses) && m.spec.addresses.length > 0)).flatMap(m => {
    const where = objectName(m);
    if (m.apiVersion !== GATEWAY_API) throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(m.apiVersion)} (expected ${GATEWAY_API})`);
    const name = m.metadata?.name;
    if (typeof name !== 'string') throw new Error(`${where}: metadata.name is required`);
    const pod = istioGatewayDeploymentName(name);
    if (known.has(`${manifestNamespace(m)}/${pod}`)) return [];
    const listeners: unknown[] = Array.isArray(m.spec.listeners) ? m.spec.listeners : [];
    const ports = listeners.map((l, i) => {
      const port = isObject(l) ? l.port : undefined;
      if (!isPortNumber(port)) throw new Error(`${where}: spec.listeners[${i}].port: expected a port number, got ${JSON.stringify(port)}`);
      return port as number;
    });
    const infrastructure = m.spec.infrastructure?.labels;
    const labels = infrastructure === undefined ? {} : checkStringMap(infrastructure, `${where}: spec.infrastructure.labels`);
    const passthrough = listeners.some(l => isObject(l) && l.protocol === 'TLS' && l.tls?.mode === 'Passthrough');
    const account = m.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION];
    return [{
      namespace: manifestNamespace(m),
      name: pod,
      labels: {
        ...labels,
        'sidecar.istio.io/inject': 'false',
        [GATEWAY_NAME_LABEL]: name,
        'gateway.networking.k8s.io/gateway-class-name': ISTIO_GATEWAY_CLASS,
        'gateway.istio.io/managed': 'istio.io-gateway-controller',
      },
      serviceAccount: typeof account === 'string' ? account : pod,
      ports: sortedUnique(ports).map(port => ({ port, protocol: 'TCP' })),
      // The gateway's pods are Envoy proxies of the mesh themselves (`sidecar.istio.io/inject: "false"` keeps a second one out).
      meshed: true,
      ...(passthrough ? {} : { gateway: true }),
    }];
  });
}
