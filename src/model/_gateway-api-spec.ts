// The subset of Gateway API's gateway.networking.k8s.io/v1 specs that this library emits, typed, and the names Istio
// gives the gateway it deploys for a Gateway. Checked against the CRD bundle's schemas by test/model/gateway-api-spec.test.ts.

export const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** The GatewayClass of Istio's own gateways: Istio deploys and programs one for each Gateway of this class. */
export const ISTIO_GATEWAY_CLASS = 'istio';

/** The label Istio puts on the pods of the gateway it deploys for a Gateway; its value is the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The Gateway annotation that sets the type of the Service Istio deploys for it. */
export const GATEWAY_SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';

/**
 * The name of the Deployment, Service and ServiceAccount Istio deploys for a Gateway of class `istio`:
 * `<gateway name>-<class name>`, so the gateway pods run as that ServiceAccount.
 */
export function istioGatewayDeploymentName(gateway: string): string {
  return `${gateway}-${ISTIO_GATEWAY_CLASS}`;
}

export type ListenerProtocol = 'HTTP' | 'HTTPS';

export interface LabelSelectorRequirementSpec {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: string[];
}

export interface RouteNamespacesSpec {
  readonly from: 'Selector';
  readonly selector: { readonly matchExpressions: LabelSelectorRequirementSpec[] };
}

export interface SecretObjectReferenceSpec {
  readonly name: string;
}

export interface GatewayTlsConfigSpec {
  readonly mode: 'Terminate';
  readonly certificateRefs: SecretObjectReferenceSpec[];
}

export interface ListenerSpec {
  readonly name: string;
  readonly hostname?: string;
  readonly port: number;
  readonly protocol: ListenerProtocol;
  readonly tls?: GatewayTlsConfigSpec;
  readonly allowedRoutes: { readonly namespaces: RouteNamespacesSpec };
}

export interface GatewaySpec {
  readonly gatewayClassName: string;
  readonly listeners: ListenerSpec[];
}

export interface ParentReferenceSpec {
  readonly group: 'gateway.networking.k8s.io';
  readonly kind: 'Gateway';
  readonly namespace: string;
  readonly name: string;
  readonly sectionName: string;
}

export interface BackendRefSpec {
  readonly name: string;
  readonly port: number;
}

export type PathMatchType = 'PathPrefix' | 'Exact';

export interface HttpRouteMatchSpec {
  readonly path: { readonly type: PathMatchType; readonly value: string };
}

export interface HttpRouteRuleSpec {
  readonly matches: HttpRouteMatchSpec[];
  readonly backendRefs: BackendRefSpec[];
}

export interface HttpRouteSpec {
  readonly parentRefs: ParentReferenceSpec[];
  readonly hostnames?: string[];
  readonly rules: HttpRouteRuleSpec[];
}

export interface GrpcRouteRuleSpec {
  readonly backendRefs: BackendRefSpec[];
}

export interface GrpcRouteSpec {
  readonly parentRefs: ParentReferenceSpec[];
  readonly hostnames?: string[];
  readonly rules: GrpcRouteRuleSpec[];
}

/** Why a hostname is not a Gateway API hostname (a DNS name, optionally `*.` first, no IP), or undefined. */
export function gatewayHostnameProblem(hostname: string): string | undefined {
  if (hostname.length > 253) return `hostname "${hostname}" is ${hostname.length} characters long, over the limit of 253`;
  if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(hostname)) {
    return `hostname "${hostname}" is not a lowercase DNS name, optionally starting with "*."`;
  }
  if (/^[0-9.]+$/.test(hostname)) return `hostname "${hostname}" is an IP address, which Gateway API hostnames cannot be`;
  return undefined;
}

/** Whether a route hostname falls under a listener hostname (equal, or under its `*.` wildcard), as Gateway API intersects them. */
export function hostnameWithin(route: string, listener: string): boolean {
  if (route === listener) return true;
  const suffix = (h: string) => h.slice(1); // `*.example.com` -> `.example.com`
  if (listener.startsWith('*.')) return (route.startsWith('*.') ? suffix(route) : route).endsWith(suffix(listener));
  return route.startsWith('*.') && listener.endsWith(suffix(route));
}
