// Questions to a reachability analysis, and its answers.

/**
 * A connection, or HTTP requests over it, to analyse.
 *
 * Without `method`, `path`, `host` and `requestPrincipal` it asks whether the client can reach the port at all: where
 * Istio evaluates HTTP (sidecar mode, on a port whose Service protocol is HTTP, HTTP/2, gRPC or unset), that means
 * whether some request is allowed, and `explain` names one; an ALLOW rule with methods or paths then allows only the
 * requests it matches. With any of them, it asks whether a request with those attributes is allowed; the ones left out
 * may take any value. On opaque TCP ports and in ambient mode (ztunnel), Istio evaluates no HTTP field: ALLOW rules
 * with HTTP-only fields never match and DENY rules ignore those fields, so the analyzer does the same.
 */
export interface FlowQuery {
  /** The client: `namespace/pod`, or an IP address for an external client. */
  readonly from: string;
  /** The server: `namespace/pod`, or an IP address for an external server. */
  readonly to: string;
  /** The destination port. */
  readonly port: number;
  /**
   * The protocol: TCP, UDP or SCTP.
   * @default 'TCP'
   */
  readonly protocol?: string;

  /**
   * The HTTP method of the request, such as `GET`; Istio rejects a method that is not uppercase.
   * @default - any method
   */
  readonly method?: string;

  /**
   * The request path, such as `/v1/items?id=1`; policies match the path Istio normalizes it to (BASE: `.` and `..`
   * resolved, unreserved characters decoded, backslashes made slashes, the query dropped; slashes are not merged).
   * @default - any path
   */
  readonly path?: string;

  /**
   * The request's host (authority), matched case-insensitively.
   * @default - any host
   */
  readonly host?: string;

  /**
   * The request principal of the request's JWT, `<issuer>/<subject>`, or `''` for a request without a token. A token
   * counts only when a RequestAuthentication on the server accepts its issuer; another issuer's token is rejected (401).
   * @default - any token, or none
   */
  readonly requestPrincipal?: string;
}

/** The verdict of one enforcement layer. */
export interface LayerVerdict {
  /** Whether this layer alone lets the connection through. */
  readonly allowed: boolean;
  /** Why: the policies that isolate, the rule that admits, or why none does. */
  readonly reasons: string[];
}

/** The verdict on a connection, per layer. */
export interface FlowExplanation {
  /** The client. */
  readonly from: string;
  /** The server. */
  readonly to: string;
  /** The destination port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: string;
  /** Whether every layer allows the connection. */
  readonly allowed: boolean;
  /** The client's NetworkPolicies alone. */
  readonly egress: LayerVerdict;
  /** The server's NetworkPolicies alone. */
  readonly ingress: LayerVerdict;
  /** Istio alone: the mTLS mode in force and the AuthorizationPolicies. */
  readonly authorization: LayerVerdict;
}

/** The per-layer booleans of a connection, without explanations. */
export interface FlowCheck {
  /** Whether every layer allows the connection. */
  readonly allowed: boolean;
  /** Whether the client's NetworkPolicies allow it. */
  readonly egress: boolean;
  /** Whether the server's NetworkPolicies allow it. */
  readonly ingress: boolean;
  /** Whether Istio allows it. */
  readonly authorization: boolean;
}

/** A connection between two pods that every layer allows. */
export interface AllowedFlow {
  /** The client pod, `namespace/pod`. */
  readonly from: string;
  /** The server pod, `namespace/pod`. */
  readonly to: string;
  /** The destination container port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: string;
}
