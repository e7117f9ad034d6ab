// The subset of Istio's security.istio.io/v1 and networking.istio.io/v1 specs that this library emits, typed.
// Checked against the CRD bundle's OpenAPI schemas by test/istio-spec.test.ts.

export const ISTIO_SECURITY_API = 'security.istio.io/v1';
/** The annotation that makes Istio log an AuthorizationPolicy's verdict instead of enforcing it. */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';
export const ISTIO_NETWORKING_API = 'networking.istio.io/v1';

export interface WorkloadSelectorSpec {
  readonly matchLabels: Record<string, string>;
}

export type MutualTlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationSpec {
  readonly selector?: WorkloadSelectorSpec;
  readonly mtls: { readonly mode: MutualTlsMode };
}

export interface AuthorizationSourceSpec {
  readonly principals?: string[];
  readonly namespaces?: string[];
  readonly ipBlocks?: string[];
  readonly notIpBlocks?: string[];
  readonly requestPrincipals?: string[];
}

export interface AuthorizationOperationSpec {
  readonly ports?: string[];
  readonly methods?: string[];
  readonly paths?: string[];
}

export interface JwtRuleSpec {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences?: string[];
}

/** A RequestAuthentication: a sidecar's selects its workload, one a waypoint applies targets the Service. */
export interface RequestAuthenticationSpec {
  readonly selector?: WorkloadSelectorSpec;
  readonly targetRefs?: PolicyTargetReferenceSpec[];
  readonly jwtRules: JwtRuleSpec[];
}

export interface AuthorizationRuleSpec {
  readonly from?: Array<{ readonly source: AuthorizationSourceSpec }>;
  readonly to?: Array<{ readonly operation: AuthorizationOperationSpec }>;
  /** Conditions, all of which must hold; an egress gateway's rules name the TLS server name (`connection.sni`). */
  readonly when?: Array<{ readonly key: string; readonly values: string[] }>;
}

/** A policy attachment: a waypoint applies the policies whose targetRefs name a Service it serves, or itself. */
export interface PolicyTargetReferenceSpec {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface AuthorizationPolicySpec {
  readonly selector?: WorkloadSelectorSpec;
  readonly targetRefs?: PolicyTargetReferenceSpec[];
  readonly action?: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  readonly rules?: AuthorizationRuleSpec[];
}

export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface DestinationRuleSpec {
  readonly host: string;
  readonly trafficPolicy: { readonly tls: { readonly mode: ClientTlsMode } };
}
