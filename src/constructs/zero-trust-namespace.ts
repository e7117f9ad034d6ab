import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ZeroTrustGuard } from '../guard/_guard';
import { AMBIENT_PROBE_SOURCE, DNS_EGRESS, ISTIOD_EGRESS, NAMESPACE_NAME_LABEL, NAMESPACE_OBJECT_NAMES, SYSTEM_NAMESPACES, infrastructurePeer } from '../model/_constants';
import { DEFAULT_TRUST_DOMAIN } from '../model/_identity';
import { ISTIO_SECURITY_API, AuthorizationPolicySpec, PeerAuthenticationSpec } from '../model/_istio-spec';
import { enrolmentLabels } from '../model/_mesh-labels';
import { Manifest, NetworkPolicySpec } from '../model/_network-policy-spec';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { dns1123LabelProblem, labelKeyProblem, labelValueProblem } from '../util/_names';

/**
 * Props for `ZeroTrustNamespace`.
 */
export interface ZeroTrustNamespaceProps {
  /**
   * The namespace name: a DNS-1123 label of at most 63 characters.
   */
  readonly name: string;

  /**
   * The SPIFFE trust domain of the mesh that the namespace's identities belong to.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * How the namespace's workloads join the Istio mesh.
   * @default MeshMode.SIDECAR
   */
  readonly mesh?: MeshMode;

  /**
   * Whether every pod of the namespace may reach cluster DNS (kube-system pods labelled `k8s-app: kube-dns`, UDP and TCP 53).
   * @default true
   */
  readonly allowDns?: boolean;

  /**
   * The cluster's DNS domain, used for the hosts of DestinationRules.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Extra labels for the Namespace object.
   * @default - only the mesh enrolment label
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A namespace on a zero-trust footing: nothing may connect in or out until a flow is declared.
 *
 * It emits the Namespace with the mesh's enrolment label; a deny-all NetworkPolicy (ingress and egress);
 * unless `allowDns` is false, a NetworkPolicy that lets every pod reach cluster DNS; and, in the mesh,
 * a namespace-wide STRICT PeerAuthentication and an allow-nothing AuthorizationPolicy.
 * With `MeshMode.SIDECAR`, every pod may also reach istiod (namespace `istio-system`, pods `app: istiod`, TCP 15012),
 * which its sidecar needs for configuration and certificates. With `MeshMode.AMBIENT` pods have no sidecar and
 * get no istiod egress; instead kubelet health probes, which ambient mode SNATs to 169.254.7.127, are admitted.
 */
export class ZeroTrustNamespace extends Construct {
  /**
   * The namespace name.
   */
  public readonly name: string;

  /**
   * The SPIFFE trust domain of the namespace's identities.
   */
  public readonly trustDomain: string;

  /**
   * How the namespace's workloads join the mesh.
   */
  public readonly mesh: MeshMode;

  /**
   * The cluster's DNS domain.
   */
  public readonly clusterDomain: string;

  /**
   * Whether every pod of the namespace may reach cluster DNS.
   */
  public readonly allowDns: boolean;

  /**
   * The Namespace object.
   */
  public readonly apiObject: ApiObject;

  /** Services of this namespace by name, to refuse a second service of the same name. */
  private readonly services = new Map<string, Construct>();

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps) {
    super(scope, id);
    const path = this.node.path;
    const nameProblem = dns1123LabelProblem(props.name);
    if (nameProblem) {
      throw new Error(ruleMessage('ZT201', path, `namespace name ${nameProblem}`, 'Use lowercase letters, digits and \'-\', at most 63 characters.'));
    }
    if (SYSTEM_NAMESPACES.includes(props.name)) {
      throw new Error(ruleMessage('ZT209', path, `namespace "${props.name}" belongs to the cluster or the mesh, and its deny-all policies would cut off what every namespace needs`,
        'Manage only your application\'s namespaces; their policies already reach cluster DNS and istiod.'));
    }
    this.name = props.name;
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(this.trustDomain)) {
      throw new Error(ruleMessage('ZT201', path, `trust domain "${this.trustDomain}" is not a DNS name`, 'Give the bare trust domain, such as "cluster.local", without "spiffe://" or a path.'));
    }
    this.mesh = props.mesh ?? MeshMode.SIDECAR;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';

    const labels: Record<string, string> = { ...props.labels, ...enrolmentLabels(this.mesh) };
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
      if (problem) {
        throw new Error(ruleMessage('ZT203', path, problem, 'Fix the label or drop it.'));
      }
      if (key in enrolmentLabels(this.mesh) || key === NAMESPACE_NAME_LABEL) {
        throw new Error(ruleMessage('ZT203', path, `label "${key}" is set by the library`, 'Choose the mesh with the `mesh` prop instead.'));
      }
    }
    this.apiObject = new ApiObject(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels },
    });

    this.networkPolicy(NAMESPACE_OBJECT_NAMES.denyAll, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    this.allowDns = props.allowDns ?? true;
    if (this.allowDns) {
      this.networkPolicy(NAMESPACE_OBJECT_NAMES.allowDns, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [infrastructurePeer(DNS_EGRESS)], ports: DNS_EGRESS.ports.map(p => ({ ...p })) }],
      });
    }
    if (this.mesh === MeshMode.SIDECAR) {
      this.networkPolicy(NAMESPACE_OBJECT_NAMES.allowIstiod, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [infrastructurePeer(ISTIOD_EGRESS)], ports: ISTIOD_EGRESS.ports.map(p => ({ ...p })) }],
      });
    }
    if (this.mesh === MeshMode.AMBIENT) {
      this.networkPolicy(NAMESPACE_OBJECT_NAMES.allowProbes, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }] }],
      });
    }
    if (this.mesh !== MeshMode.NONE) {
      const strict: PeerAuthenticationSpec = { mtls: { mode: 'STRICT' } };
      this.istioObject('PeerAuthentication', NAMESPACE_OBJECT_NAMES.peerAuthentication, strict);
      const allowNothing: AuthorizationPolicySpec = {};
      this.istioObject('AuthorizationPolicy', NAMESPACE_OBJECT_NAMES.allowNothing, allowNothing);
    }
    ZeroTrustGuard.registerNamespace(this);
  }

  /**
   * Whether the namespace's workloads are in the Istio mesh.
   */
  public get meshed(): boolean {
    return this.mesh !== MeshMode.NONE;
  }

  /**
   * Claims a service name in this namespace, refusing a second service of the same name.
   * @internal
   */
  public _claimServiceName(name: string, service: Construct): void {
    const existing = this.services.get(name);
    if (existing) {
      throw new Error(ruleMessage('ZT204', service.node.path,
        `namespace "${this.name}" already has a service named "${name}" (${existing.node.path})`,
        'Give each MeshedService of a namespace its own name: the name is its identity.'));
    }
    this.services.set(name, service);
  }

  private networkPolicy(name: string, spec: NetworkPolicySpec): void {
    const manifest: Manifest<NetworkPolicySpec> = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: this.name },
      spec,
    };
    new ApiObject(this, name, manifest);
  }

  private istioObject(kind: string, name: string, spec: PeerAuthenticationSpec | AuthorizationPolicySpec): void {
    new ApiObject(this, kind, { apiVersion: ISTIO_SECURITY_API, kind, metadata: { name, namespace: this.name }, spec });
  }
}
