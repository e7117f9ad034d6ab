// Questions to a reachability analysis, and its answers.

/** A connection to analyse. */
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
