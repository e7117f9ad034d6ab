// The objects an egress gateway emits, typed: Istio's ServiceEntry and the Gateway API Gateway and TLSRoute, in the
// shapes of Istio's egress gateway task (Gateway API version). Gateway API's names and Istio's are in _gateway-api-spec.

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
