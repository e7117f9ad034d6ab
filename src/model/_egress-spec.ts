// The objects an egress gateway emits, typed: Istio's ServiceEntry and the Gateway API Gateway and TLSRoute, in the
// shapes of Istio's egress gateway task (Gateway API version), and the names Istio gives a Gateway's own objects.

export const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** The GatewayClass of Istio's gateways, deployed by istiod for each Gateway. */
export const ISTIO_GATEWAY_CLASS = 'istio';

/** The label Istio sets on a Gateway's pods, naming the Gateway. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The Gateway annotation that sets the type of the Service Istio deploys for it. */
export const GATEWAY_SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';

/** The name Istio gives a Gateway's Deployment, Service and ServiceAccount: `<gateway>-istio`. */
export function gatewayDeploymentName(gateway: string): string {
  return `${gateway}-istio`;
}

export interface ServiceEntryPortSpec {
  readonly number: number;
  readonly name: string;
  readonly protocol: 'TLS' | 'HTTPS' | 'HTTP';
}

export interface ServiceEntrySpec {
  readonly hosts: string[];
  readonly ports: ServiceEntryPortSpec[];
  readonly location: 'MESH_EXTERNAL';
  readonly resolution: 'DNS';
  readonly exportTo: string[];
}

export interface GatewayListenerSpec {
  readonly name: string;
  readonly hostname: string;
  readonly port: number;
  readonly protocol: 'TLS';
  readonly tls: { readonly mode: 'Passthrough' };
  readonly allowedRoutes: { readonly namespaces: { readonly from: 'Same' } };
}

export interface GatewaySpec {
  readonly gatewayClassName: string;
  readonly infrastructure: { readonly labels: Record<string, string> };
  readonly listeners: GatewayListenerSpec[];
}

export interface RouteParentSpec {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly sectionName?: string;
}

export interface RouteBackendSpec {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly port: number;
}

export interface TlsRouteSpec {
  readonly parentRefs: RouteParentSpec[];
  readonly hostnames: string[];
  readonly rules: Array<{ readonly backendRefs: RouteBackendSpec[] }>;
}
