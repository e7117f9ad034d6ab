// The subset of networking.k8s.io/v1 NetworkPolicy that this library emits, typed.

export interface LabelSelectorSpec {
  readonly matchLabels?: Record<string, string>;
}

export interface IpBlockSpec {
  readonly cidr: string;
  readonly except?: string[];
}

export interface NetworkPolicyPeerSpec {
  readonly podSelector?: LabelSelectorSpec;
  readonly namespaceSelector?: LabelSelectorSpec;
  readonly ipBlock?: IpBlockSpec;
}

export interface NetworkPolicyPortSpec {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
}

export interface NetworkPolicyIngressRuleSpec {
  readonly from: NetworkPolicyPeerSpec[];
  readonly ports?: NetworkPolicyPortSpec[];
}

export interface NetworkPolicyEgressRuleSpec {
  readonly to: NetworkPolicyPeerSpec[];
  readonly ports?: NetworkPolicyPortSpec[];
}

export interface NetworkPolicySpec {
  readonly podSelector: LabelSelectorSpec;
  readonly policyTypes: Array<'Ingress' | 'Egress'>;
  readonly ingress?: NetworkPolicyIngressRuleSpec[];
  readonly egress?: NetworkPolicyEgressRuleSpec[];
}

/** A manifest: apiVersion, kind, metadata and the typed spec. */
export interface Manifest<S> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: S;
}
