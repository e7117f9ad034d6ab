// The rules that close the ZT416 proof's blind spot: hostile objects an attacker could add with only an ApiObject,
// a JSON patch or an included YAML, each invisible to the proof and refused with its id; and valid apps pass.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { ExternalPeer, MeshedService, MeshMode, ServicePort, ZeroTrustNamespace, ZeroTrustRules } from '../../src';
import { compileSelector } from '../../src/model/_label-selector';
import { ManifestContext, ManifestObject, runManifestRules } from '../../src/rules/_manifest-rules';
import { OPENING_RULES } from '../../src/rules/_openings-rules';

const NAME = 'kubernetes.io/metadata.name';
const WORKLOAD = 'zero-trust.cdk8s.io/workload';
const PORTS = [{ protocol: 'TCP', port: 8080 }];
const PODS = { podSelector: { matchLabels: { [WORKLOAD]: 'web' } } };
const DNS_PEER = { namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const ISTIOD_PEER = { namespaceSelector: { matchLabels: { [NAME]: 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } };

function obj(apiVersion: string, kind: string, spec: any, name = 'x', namespace = 'shop'): any {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}
const np = (spec: any) => obj('networking.k8s.io/v1', 'NetworkPolicy', { podSelector: { matchLabels: { [WORKLOAD]: 'api' } }, policyTypes: ['Ingress', 'Egress'], ...spec });
const from = (...peers: any[]) => np({ ingress: [{ from: peers, ports: PORTS }] });
const egress = (to: any[], ports: any[] = PORTS) => np({ egress: [{ to, ports }] });
const inNamespaces = (selector: any) => ({ namespaceSelector: selector, ...PODS });
const ap = (spec: any, namespace = 'shop') => obj('security.istio.io/v1', 'AuthorizationPolicy', { selector: { matchLabels: { [WORKLOAD]: namespace === 'pay' ? 'card' : 'api' } }, ...spec }, 'x', namespace);
const allowSource = (source: any) => ap({ action: 'ALLOW', rules: [{ from: [{ source }], to: [{ operation: { ports: ['8080'] } }] }] });
const serviceAccount = (name: string, namespace = 'shop') => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
const service = (spec: any) => obj('v1', 'Service', { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }], ...spec });
const deployment = (container: any) => obj('apps/v1', 'Deployment', {
  selector: { matchLabels: { app: 'api' } },
  template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'api', ...container }] } },
});

/**
 * Namespace shop (sidecar, services web and api) and pay (ambient, trust domain example.org, services web and card) are managed;
 * everything else is not.
 */
function context(manifests: any[]): ManifestContext {
  return {
    objects: manifests.map((manifest, i) => ({ manifest, path: `app/obj${i}` })),
    managed: new Map([
      ['shop', { mesh: 'sidecar' as const, services: ['web', 'api'] }],
      ['pay', { mesh: 'ambient' as const, trustDomain: 'example.org', services: ['web', 'card'] }],
    ]),
  };
}

interface Case {
  readonly id: string;
  readonly name: string;
  readonly objects: any[];
  readonly message: string;
}

/** Each message is given whole after `[id] app/obj0: `. */
const CASES: Case[] = [
  {
    id: 'ZT419',
    name: 'a namespace picked by a team label anyone can put on a namespace',
    objects: [from(inNamespaces({ matchLabels: { team: 'shop' } }))],
    message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].namespaceSelector: the namespaceSelector does not pin `kubernetes.io/metadata.name` to namespace names, so it selects every namespace whose labels match, managed by the app or not, and the proof cannot see their pods. Select the namespace by `kubernetes.io/metadata.name` in matchLabels, naming a managed namespace.',
  },
  { id: 'ZT419', name: 'NotIn on the name label: every other namespace', objects: [from(inNamespaces({ matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['kube-system'] }] }))], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].namespaceSelector: the namespaceSelector does not pin' },
  { id: 'ZT419', name: 'Exists on the name label: every namespace', objects: [egress([inNamespaces({ matchExpressions: [{ key: NAME, operator: 'Exists' }] })])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0].namespaceSelector: the namespaceSelector does not pin' },
  { id: 'ZT419', name: 'DoesNotExist on another label', objects: [from(inNamespaces({ matchExpressions: [{ key: 'quarantined', operator: 'DoesNotExist' }] }))], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].namespaceSelector: the namespaceSelector does not pin' },
  { id: 'ZT419', name: 'the name label with a capital letter is another label', objects: [from(inNamespaces({ matchLabels: { 'Kubernetes.io/metadata.name': 'shop' } }))], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].namespaceSelector: the namespaceSelector does not pin' },
  { id: 'ZT419', name: 'In on a `name` label, which the API server does not set', objects: [from(inNamespaces({ matchExpressions: [{ key: 'name', operator: 'In', values: ['shop'] }] }))], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].namespaceSelector: the namespaceSelector does not pin' },
  {
    id: 'ZT420',
    name: 'ingress from a monitoring namespace',
    objects: [from({ namespaceSelector: { matchLabels: { [NAME]: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } })],
    message: 'NetworkPolicy shop/x, spec.ingress[0].from[0]: the peer selects pods of "monitoring", which the app does not manage, so the proof cannot see them. Declare the peer as a MeshedService in a ZeroTrustNamespace and allow the flow (cluster DNS and istiod only in the exact rules ZeroTrustNamespace emits), or suppress ZT420 with a reason.',
  },
  { id: 'ZT420', name: 'In naming a managed and an unmanaged namespace', objects: [from(inNamespaces({ matchExpressions: [{ key: NAME, operator: 'In', values: ['shop', 'evil', 'pay'] }] }))], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0]: the peer selects pods of "evil", which' },
  { id: 'ZT420', name: 'the DNS peer on 443', objects: [egress([DNS_PEER], [{ protocol: 'TCP', port: 443 }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0]: the peer selects pods of "kube-system", which' },
  { id: 'ZT420', name: 'the DNS port range 53-65535', objects: [egress([DNS_PEER], [{ protocol: 'UDP', port: 53, endPort: 65535 }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0]: the peer selects pods of "kube-system", which' },
  { id: 'ZT420', name: 'every pod of kube-system on 53', objects: [egress([{ namespaceSelector: DNS_PEER.namespaceSelector }], [{ protocol: 'UDP', port: 53 }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0]: the peer selects pods of "kube-system", which' },
  { id: 'ZT420', name: 'kube-dns and kube-proxy by an In expression', objects: [egress([{ ...DNS_PEER, podSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns', 'kube-proxy'] }] } }], [{ protocol: 'UDP', port: 53 }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0]: the peer selects pods of "kube-system", which' },
  { id: 'ZT420', name: 'istiod admitted as an ingress peer', objects: [np({ ingress: [{ from: [ISTIOD_PEER], ports: [{ protocol: 'TCP', port: 15012 }] }] })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0]: the peer selects pods of "istio-system", which' },
  { id: 'ZT420', name: 'istiod on a port range', objects: [egress([ISTIOD_PEER], [{ port: 15012, endPort: 15021 }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0]: the peer selects pods of "istio-system", which' },
  {
    id: 'ZT421',
    name: 'a principal of an unmanaged namespace',
    objects: [allowSource({ principals: ['cluster.local/ns/attacker/sa/web'] })],
    message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source.principals[0]: principal "cluster.local/ns/attacker/sa/web" is not the identity of a workload the app declares in a managed namespace, so it admits pods the proof cannot see. Name the principal of a MeshedService (`service.principal`), or suppress ZT421 with a reason.',
  },
  { id: 'ZT421', name: 'a declared account in another trust domain (a federated cluster)', objects: [allowSource({ principals: ['evil.org/ns/shop/sa/web'] }), serviceAccount('web')], message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source.principals[0]: principal "evil.org/ns/shop/sa/web" is not the identity' },
  { id: 'ZT421', name: 'the namespace\'s default account', objects: [allowSource({ principals: ['cluster.local/ns/shop/sa/default'] })], message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source.principals[0]: principal "cluster.local/ns/shop/sa/default" is not' },
  { id: 'ZT421', name: 'pay\'s account under the default trust domain', objects: [allowSource({ principals: ['cluster.local/ns/pay/sa/card'] }), serviceAccount('card', 'pay')], message: 'principal "cluster.local/ns/pay/sa/card" is not' },
  {
    id: 'ZT421',
    name: 'an unmanaged namespace beside a declared principal',
    objects: [allowSource({ principals: ['cluster.local/ns/shop/sa/web'], namespaces: ['kube-system'] }), serviceAccount('web')],
    message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source.namespaces[0]: namespace "kube-system" is not managed by the app, so it admits pods the proof cannot see. Name the clients\' principals, or manage the namespace with a ZeroTrustNamespace.',
  },
  { id: 'ZT421', name: 'a ServiceAccount added by hand does not declare its principal', objects: [allowSource({ principals: ['cluster.local/ns/shop/sa/backdoor'] }), serviceAccount('backdoor')], message: 'principal "cluster.local/ns/shop/sa/backdoor" is not the identity of a workload' },
  { id: 'ZT421', name: 'nor does a hand-written default ServiceAccount', objects: [allowSource({ principals: ['cluster.local/ns/shop/sa/default'] }), serviceAccount('default')], message: 'principal "cluster.local/ns/shop/sa/default" is not' },
  {
    id: 'ZT421',
    name: 'a managed namespace without principals: any ServiceAccount created there later',
    objects: [allowSource({ namespaces: ['shop'] })],
    message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source: the source names no principals, only namespaces, which admit pods of any ServiceAccount, including ones created later that the proof cannot see. Name the clients in `from[].source.principals`, or suppress ZT421 with a reason.',
  },
  { id: 'ZT421', name: 'namespaces beside not-forms and addresses', objects: [allowSource({ namespaces: ['shop'], notPrincipals: ['cluster.local/ns/shop/sa/web'], ipBlocks: ['10.0.0.0/8'] })], message: 'spec.rules[0].from[0].source: the source names no principals, only namespaces, which' },
  { id: 'ZT421', name: 'a JWT issuer\'s subjects, from any caller with a token', objects: [allowSource({ requestPrincipals: ['https://issuer.example/alice'] })], message: 'spec.rules[0].from[0].source: the source names no principals, only requestPrincipals, which' },
  {
    id: 'ZT422',
    name: 'every address of both families',
    objects: [allowSource({ ipBlocks: ['0.0.0.0/0', '::/0'] })],
    message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source: the source admits clients by address alone (0.0.0.0/0, ::/0), which together cover every IPv4 and every IPv6 address. Name the clients in `from[].source.principals`, or suppress ZT422 with a reason.',
  },
  { id: 'ZT422', name: 'two halves of IPv4 across ipBlocks and remoteIpBlocks', objects: [allowSource({ ipBlocks: ['0.0.0.0/1'], remoteIpBlocks: ['128.0.0.0/1'] })], message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source: the source admits clients by address alone (0.0.0.0/1, 128.0.0.0/1), which together cover every IPv4 address.' },
  {
    id: 'ZT422',
    name: 'one bare address',
    objects: [allowSource({ remoteIpBlocks: ['203.0.113.7'] })],
    message: 'AuthorizationPolicy shop/x, spec.rules[0].from[0].source: the source admits clients by address alone (203.0.113.7), and no pod has an address at synth, so the proof cannot tell which pods those are. Name',
  },
  {
    id: 'ZT423',
    name: 'a mesh-wide PERMISSIVE PeerAuthentication',
    objects: [obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'PERMISSIVE' } }, 'default', 'istio-system')],
    message: 'PeerAuthentication istio-system/default, spec.mtls.mode: the mesh\'s root namespace applies it to every namespace, managed or not, and mTLS mode PERMISSIVE admits plaintext clients without an identity. Use STRICT, or write the policy in the namespace it is for, or suppress ZT423 with a reason.',
  },
  { id: 'ZT423', name: 'a mesh-wide STRICT PeerAuthentication with one port DISABLE', objects: [obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }, 'default', 'istio-system')], message: 'PeerAuthentication istio-system/default, spec.portLevelMtls.8080.mode: the mesh\'s root namespace applies it to every namespace, managed or not, and mTLS mode DISABLE' },
  { id: 'ZT423', name: 'a mesh-wide Sidecar', objects: [obj('networking.istio.io/v1', 'Sidecar', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }, 'default', 'istio-system')], message: 'Sidecar istio-system/default, spec.outboundTrafficPolicy.mode: the mesh\'s root namespace applies it to every namespace, managed or not, and ALLOW_ANY lets the proxies pass traffic to any host outside the mesh registry. Use REGISTRY_ONLY, or suppress ZT423 with a reason.' },
  { id: 'ZT421', name: 'a mesh-wide ALLOW policy for a whole namespace', objects: [ap({ action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] }, 'istio-system')], message: 'AuthorizationPolicy istio-system/x, spec.rules[0].from[0].source: the source names no principals, only namespaces, which' },
  { id: 'ZT421', name: 'a mesh-wide ALLOW policy for an undeclared principal', objects: [ap({ action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }] }] }, 'istio-system')], message: 'AuthorizationPolicy istio-system/x, spec.rules[0].from[0].source.principals[0]: principal "cluster.local/ns/monitoring/sa/prometheus" is not' },
  { id: 'ZT422', name: 'a mesh-wide ALLOW policy by address', objects: [ap({ action: 'ALLOW', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }, 'istio-system')], message: 'AuthorizationPolicy istio-system/x, spec.rules[0].from[0].source: the source admits clients by address alone (10.0.0.0/8)' },
  {
    id: 'ZT424',
    name: 'a LoadBalancer Service',
    objects: [service({ type: 'LoadBalancer' })],
    message: 'Service shop/x, spec.type: a Service of type LoadBalancer opens the workload to clients outside the cluster, which no flow declares. Reach the workload through declared flows from inside the cluster, or suppress ZT424 with a reason.',
  },
  { id: 'ZT424', name: 'a NodePort Service', objects: [service({ type: 'NodePort' })], message: 'Service shop/x, spec.type: a Service of type NodePort opens' },
  { id: 'ZT424', name: 'externalIPs on a ClusterIP Service', objects: [service({ externalIPs: ['198.51.100.1'] })], message: 'Service shop/x, spec.externalIPs: externalIPs 198.51.100.1 open the workload to whoever reaches those addresses, which no flow declares.' },
  { id: 'ZT424', name: 'a container hostPort', objects: [deployment({ ports: [{ containerPort: 8080, hostPort: 80 }] })], message: 'Deployment shop/x, spec.template.spec.containers[0].ports[0].hostPort: hostPort 80 opens the pod on its node\'s addresses to any host that reaches the node, which no flow declares.' },
  {
    id: 'ZT425',
    name: 'an Ingress',
    objects: [obj('networking.k8s.io/v1', 'Ingress', { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } }] })],
    message: 'Ingress shop/x: it brings traffic from outside the cluster, through gateway pods the app does not declare, into the namespace. Remove it, or suppress ZT425 with a reason and review the gateway\'s access by hand.',
  },
  { id: 'ZT425', name: 'a Gateway API Gateway, which Istio gives pods and a LoadBalancer', objects: [obj('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] })], message: 'Gateway shop/x: it brings traffic' },
  { id: 'ZT425', name: 'an HTTPRoute from another namespace\'s gateway', objects: [obj('gateway.networking.k8s.io/v1', 'HTTPRoute', { parentRefs: [{ name: 'public', namespace: 'edge' }], rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] })], message: 'HTTPRoute shop/x: it brings traffic' },
  { id: 'ZT425', name: 'a VirtualService bound to another namespace\'s gateway', objects: [obj('networking.istio.io/v1', 'VirtualService', { hosts: ['api.example.com'], gateways: ['mesh', 'edge/public'], http: [{ route: [{ destination: { host: 'api' } }] }] })], message: 'VirtualService shop/x, spec.gateways[1]: gateway "edge/public" brings traffic from outside the cluster, through gateway pods the app does not declare, to the VirtualService\'s hosts. Remove it, or suppress ZT425 with a reason and review the gateway\'s access by hand.' },
  { id: 'ZT425', name: 'a ReferenceGrant that lets other namespaces\' routes reach the services', objects: [obj('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }], to: [{ group: '', kind: 'Service' }] })], message: 'ReferenceGrant shop/x: it lets routes of other namespaces send traffic from their gateways, whose pods the app does not declare, into the namespace. Remove it' },
  {
    id: 'ZT426',
    name: 'a WorkloadEntry running as a declared identity',
    objects: [obj('networking.istio.io/v1', 'WorkloadEntry', { address: '203.0.113.9', serviceAccount: 'api', labels: { app: 'api' } })],
    message: 'WorkloadEntry shop/x: it adds a workload outside Kubernetes to the mesh, with an identity of the namespace, which the proof does not see. Run the workload as a pod of a MeshedService, or suppress ZT426 with a reason.',
  },
  { id: 'ZT426', name: 'hand-written Endpoints to an arbitrary address', objects: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'shop' }, subsets: [{ addresses: [{ ip: '10.96.0.1' }], ports: [{ port: 443 }] }] }], message: 'Endpoints shop/api: it points a Service\'s name at addresses written by hand rather than at the app\'s pods, which the proof does not see. Let the Service select the app\'s pods, or suppress ZT426 with a reason.' },
  { id: 'ZT426', name: 'a mesh-internal ServiceEntry', objects: [obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['api.shop.svc.cluster.local'], location: 'MESH_INTERNAL', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '203.0.113.9' }] })], message: 'ServiceEntry shop/x: it adds mesh-internal endpoints to a host, which the proof does not see. Keep ServiceEntries for hosts outside the mesh' },
  { id: 'ZT426', name: 'an external ServiceEntry for a managed Service\'s cluster name', objects: [obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['db.example.com', 'api.shop.svc.cluster.local'], location: 'MESH_EXTERNAL', ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' })], message: 'ServiceEntry shop/x, spec.hosts[1]: host "api.shop.svc.cluster.local" names a service inside the cluster, which the entry declares outside the mesh, beyond what the proof sees. Keep ServiceEntries for hosts outside the cluster, or suppress ZT426 with a reason.' },
  { id: 'ZT426', name: 'an external ServiceEntry for `<service>.<managed namespace>`', objects: [obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['api.pay'], resolution: 'DNS' })], message: 'ServiceEntry shop/x, spec.hosts[0]: host "api.pay" names a service inside the cluster' },
  { id: 'ZT426', name: 'an external ServiceEntry for `*.svc`', objects: [obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['*.svc'], resolution: 'NONE' })], message: 'ServiceEntry shop/x, spec.hosts[0]: host "*.svc" names a service inside the cluster' },
  { id: 'ZT426', name: 'an external ServiceEntry with hand-written endpoints', objects: [obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.3.7' }] })], message: 'ServiceEntry shop/x, spec.endpoints: the endpoints point the hosts at addresses written by hand, which the proof does not see. Let the hosts resolve by DNS (no endpoints), or suppress ZT426 with a reason.' },
  {
    id: 'ZT427',
    name: 'ingress from a public range',
    objects: [from({ ipBlock: { cidr: '198.51.100.0/24' } })],
    message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].ipBlock: the ipBlock 198.51.100.0/24 admits clients outside the cluster by address, which no flow declares (ExternalPeer admits nothing inbound). Drop the peer, or suppress ZT427 with a reason.',
  },
  { id: 'ZT427', name: 'ingress from a range that spills out of link-local', objects: [from({ ipBlock: { cidr: '169.254.0.0/15' } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].ipBlock: the ipBlock 169.254.0.0/15 admits clients outside the cluster' },
  { id: 'ZT427', name: 'ingress from an IPv6 documentation range beside a pinned peer', objects: [from({ namespaceSelector: { matchLabels: { [NAME]: 'shop' } }, ...PODS }, { ipBlock: { cidr: '2001:db8::/32' } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[1].ipBlock: the ipBlock 2001:db8::/32 admits' },
  { id: 'ZT427', name: 'ingress from a public range written as IPv4-mapped IPv6', objects: [from({ ipBlock: { cidr: '::ffff:198.51.100.0/120' } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].ipBlock: the ipBlock ::ffff:198.51.100.0/120 admits clients outside the cluster' },
  { id: 'ZT422', name: 'every IPv4 address as the IPv4-mapped IPv6 range', objects: [allowSource({ ipBlocks: ['::ffff:0:0/96'] })], message: 'the source admits clients by address alone (::ffff:0:0/96), which together cover every IPv4 address.' },
  { id: 'ZT422', name: 'an IPv6 block that contains the IPv4-mapped range', objects: [allowSource({ remoteIpBlocks: ['::/64'] })], message: 'the source admits clients by address alone (::/64), which together cover every IPv4 address.' },
  {
    id: 'ZT428',
    name: 'a podSelector-only peer a later `kubectl run -l role=debug` matches',
    objects: [from({ podSelector: { matchLabels: { role: 'debug' } } })],
    message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].podSelector: the podSelector does not pin `zero-trust.cdk8s.io/workload` to workload names, so it selects any pod of "shop" whose labels match, including pods created later that the proof cannot see. Select pods by `zero-trust.cdk8s.io/workload`, naming MeshedServices of the namespace, or suppress ZT428 with a reason.',
  },
  { id: 'ZT428', name: 'NotIn on the workload label: every other pod', objects: [from(inNamespaces({ matchLabels: { [NAME]: 'shop' } }), { namespaceSelector: { matchLabels: { [NAME]: 'shop' } }, podSelector: { matchExpressions: [{ key: WORKLOAD, operator: 'NotIn', values: ['web'] }] } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[1].podSelector: the podSelector does not pin `zero-trust.cdk8s.io/workload` to workload names' },
  { id: 'ZT428', name: 'Exists on the workload label', objects: [egress([{ podSelector: { matchExpressions: [{ key: WORKLOAD, operator: 'Exists' }] } }])], message: 'NetworkPolicy shop/x, spec.egress[0].to[0].podSelector: the podSelector does not pin' },
  { id: 'ZT428', name: 'a workload name the app does not declare', objects: [from({ podSelector: { matchExpressions: [{ key: WORKLOAD, operator: 'In', values: ['web', 'debug'] }] } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0].podSelector: the podSelector selects "debug", which the app does not declare in "shop", including pods created later' },
  { id: 'ZT428', name: 'a workload of another managed namespace', objects: [from({ namespaceSelector: { matchLabels: { [NAME]: 'pay' } }, podSelector: { matchLabels: { [WORKLOAD]: 'api' } } })], message: 'the podSelector selects "api", which the app does not declare in "pay"' },
  { id: 'ZT428', name: 'a pinned namespaceSelector without podSelector: every pod of it', objects: [from({ namespaceSelector: { matchLabels: { [NAME]: 'pay' } } })], message: 'NetworkPolicy shop/x, spec.ingress[0].from[0]: the peer selects every pod of "pay", including pods created later that the proof cannot see.' },
  { id: 'ZT428', name: 'a policy for pods the app does not declare, with egress', objects: [{ ...egress([PODS]), spec: { podSelector: { matchLabels: { role: 'debug' } }, policyTypes: ['Egress'], egress: [{ to: [PODS], ports: PORTS }] } }], message: 'NetworkPolicy shop/x, spec.podSelector: the policy\'s podSelector does not pin `zero-trust.cdk8s.io/workload` to workload names, so it selects any pod of "shop" whose labels match, and its rules also open pods created later that the proof cannot see.' },
  { id: 'ZT428', name: 'the DNS egress shape for every pod, to another peer', objects: [{ ...np({}), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [PODS], ports: PORTS }] } }], message: 'NetworkPolicy shop/x, spec.podSelector: the policy\'s podSelector does not pin' },
  { id: 'ZT428', name: 'the probe shape for every pod, from another address', objects: [{ ...np({}), spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '169.254.0.0/16' } }] }] } }], message: 'NetworkPolicy shop/x, spec.podSelector: the policy\'s podSelector does not pin' }, {
    id: 'ZT429',
    name: 'a namespace-wide ALLOW policy admitting a declared principal',
    objects: [obj('security.istio.io/v1', 'AuthorizationPolicy', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] })],
    message: 'AuthorizationPolicy shop/x, spec: the policy has no selector, so it selects every pod of "shop", and its rules admit their sources to pods created later that the proof cannot see. Select pods by `zero-trust.cdk8s.io/workload` in spec.selector.matchLabels, naming a MeshedService of the namespace, or suppress ZT429 with a reason.',
  },
  {
    id: 'ZT429',
    name: 'an ALLOW policy for pods by another label, such as a debug pod\'s',
    objects: [{ ...allowSource({ principals: ['cluster.local/ns/shop/sa/web'] }), spec: { selector: { matchLabels: { role: 'debug' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] } }],
    message: 'AuthorizationPolicy shop/x, spec.selector: the selector does not pin `zero-trust.cdk8s.io/workload` to workload names, so it selects any pod of "shop" whose labels match, and its rules admit',
  },
  {
    id: 'ZT429',
    name: 'an ALLOW policy for a workload name the app does not declare',
    objects: [{ ...allowSource({ principals: ['cluster.local/ns/shop/sa/web'] }), spec: { selector: { matchLabels: { [WORKLOAD]: 'debug' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] } }],
    message: 'AuthorizationPolicy shop/x, spec.selector: the selector selects "debug", which the app does not declare in "shop", and its rules admit',
  },
  {
    id: 'ZT429',
    name: 'an ALLOW policy, by default action, with an empty selector',
    objects: [obj('security.istio.io/v1', 'AuthorizationPolicy', { selector: {}, rules: [{ to: [{ operation: { ports: ['8080'] } }], from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] })],
    message: 'AuthorizationPolicy shop/x, spec.selector: the selector does not pin',
  },
];

describe('hostile objects the ZT416 proof cannot see are refused, each with its id', () => {
  test.each(CASES.map(c => [`${c.id}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const findings = runManifestRules(context(c.objects));
    expect([...new Set(findings.map(f => f.ruleId))]).toEqual([c.id]);
    expect(findings).toHaveLength(1);
    expect(findings[0].message.startsWith(`[${c.id}] app/obj`)).toBe(true);
    expect(findings[0].message.replace(/^\[ZT\d+\] app\/obj\d+: /, '')).toContain(c.message);
  });

  test('every rule of this file has a hostile case, and there are many', () => {
    expect(OPENING_RULES.map(r => r.id).filter(id => !CASES.some(c => c.id === id))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(45);
  });

  test('one finding per offending entry, sorted by message', () => {
    const findings = runManifestRules(context([
      allowSource({ principals: ['cluster.local/ns/a/sa/x', 'cluster.local/ns/shop/sa/web'], namespaces: ['b', 'shop', 'pay'] }),
      serviceAccount('web'),
      service({ type: 'LoadBalancer', externalIPs: ['198.51.100.1'] }),
    ]));
    expect(findings.map(f => f.message.replace(/:  ?[a-z].*/, ''))).toEqual([
      '[ZT421] app/obj0: AuthorizationPolicy shop/x, spec.rules[0].from[0].source.namespaces[0]',
      '[ZT421] app/obj0: AuthorizationPolicy shop/x, spec.rules[0].from[0].source.principals[0]',
      '[ZT424] app/obj2: Service shop/x, spec.externalIPs',
      '[ZT424] app/obj2: Service shop/x, spec.type',
    ]);
  });

  test('legal but close inputs raise none of them', () => {
    const good = [
      // Exactly what ZeroTrustNamespace emits, in any key order, on fewer ports, or with the protocol defaulted.
      egress([{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } } }], [{ port: 53, protocol: 'UDP' }, { protocol: 'TCP', port: 53 }]),
      egress([ISTIOD_PEER], [{ port: 15012 }]),
      // Egress to an outside range is ExternalPeer's, as declared (below); ingress from link-local addresses is the node's probes.
      egress([{ ipBlock: { cidr: '203.0.113.0/24' } }]),
      from({ ipBlock: { cidr: '169.254.7.127/32' } }, { ipBlock: { cidr: 'fe80::/64' } }),
      // Peers pinned to managed namespaces, however spelled; podSelector-only peers stay in the namespace.
      from(inNamespaces({ matchLabels: { [NAME]: 'pay' } })),
      from(inNamespaces({ matchExpressions: [{ key: NAME, operator: 'In', values: ['shop', 'pay'] }] })),
      from(inNamespaces({ matchLabels: { [NAME]: 'shop', team: 'a' }, matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['pay'] }] })),
      from(inNamespaces({ matchLabels: { [NAME]: 'shop' }, matchExpressions: [{ key: NAME, operator: 'In', values: ['shop', 'evil'] }] })),
      from(PODS),
      // Workload names the app declares, by its MeshedServices or its pod templates; the namespace's own `{}` shapes.
      from({ podSelector: { matchExpressions: [{ key: WORKLOAD, operator: 'In', values: ['web', 'api'] }], matchLabels: { team: 'a' } } }),
      from({ podSelector: { matchLabels: { [WORKLOAD]: 'batch' } } }),
      { ...deployment({}), spec: { template: { metadata: { labels: { [WORKLOAD]: 'batch' } }, spec: { serviceAccountName: 'batch', containers: [{ name: 'c', image: 'b' }] } } } },
      allowSource({ principals: ['cluster.local/ns/shop/sa/batch'] }),
      { ...np({}), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { ...np({}), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }] }, { to: [ISTIOD_PEER], ports: [{ port: 15012 }] }] } },
      { ...np({}), spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }] } },
      // Declared identities, per trust domain; DENY policies only narrow; addresses AND a principal.
      allowSource({ principals: ['cluster.local/ns/shop/sa/web', 'example.org/ns/pay/sa/card'], namespaces: ['shop', 'pay'] }),
      serviceAccount('web'),
      serviceAccount('card', 'pay'),
      ap({ action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/attacker/sa/x'], namespaces: ['kube-system'], ipBlocks: ['0.0.0.0/0'] } }] }] }),
      // Policies that cannot admit pods the app does not declare: DENY or CUSTOM for any pod, ALLOW without rules, a waypoint's by Service.
      { ...ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['kube-system'] } }] }] }), spec: { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['kube-system'] } }] }] } },
      { ...ap({}), spec: { selector: { matchLabels: { role: 'debug' } }, action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } },
      { ...ap({}), spec: { action: 'ALLOW' } },
      { ...ap({}), spec: { targetRefs: [{ group: '', kind: 'Service', name: 'api' }], rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] } },
      allowSource({ principals: ['cluster.local/ns/shop/sa/web'], ipBlocks: ['203.0.113.0/24'] }),
      // Mesh-wide hardening in the root namespace: STRICT mTLS, allow-nothing, DENY, JWT validation, REGISTRY_ONLY.
      obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'STRICT' } }, 'default', 'istio-system'),
      obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'UNSET' }, portLevelMtls: { 8080: { mode: 'STRICT' } } }, 'strict', 'istio-system'),
      obj('security.istio.io/v1', 'AuthorizationPolicy', {}, 'allow-nothing', 'istio-system'),
      ap({ action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] }, 'istio-system'),
      ap({ action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] }, 'istio-system'),
      obj('security.istio.io/v1', 'RequestAuthentication', { jwtRules: [{ issuer: 'https://issuer.example' }] }, 'jwt', 'istio-system'),
      obj('networking.istio.io/v1', 'Sidecar', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, 'default', 'istio-system'),
      // JWT subjects beside a declared principal.
      allowSource({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['https://issuer.example/alice'] }),
      // Istio policies in namespaces other than the root, ServiceEntries for outside hosts, plain Services.
      ap({ action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['*'] } }] }] }, 'other'),
      obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' }),
      obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['db.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS' }),
      obj('networking.istio.io/v1', 'ServiceEntry', { exportTo: ['.'], hosts: ['api.partner.example'], resolution: 'DNS' }),
      // VirtualServices of the mesh's sidecars only.
      obj('networking.istio.io/v1', 'VirtualService', { hosts: ['api'], http: [{ route: [{ destination: { host: 'api' } }] }] }),
      obj('networking.istio.io/v1', 'VirtualService', { hosts: ['api'], gateways: ['mesh'], http: [{ route: [{ destination: { host: 'api' } }] }] }),
      service({}),
      service({ type: 'ClusterIP', clusterIP: 'None' }),
      service({ type: 'ExternalName', externalName: 'db.example.com' }),
      deployment({ ports: [{ containerPort: 8080 }, { containerPort: 8081, hostPort: 0 }] }),
      // Objects outside the managed namespaces are not this library's to check.
      { ...service({ type: 'LoadBalancer' }), metadata: { name: 'lb', namespace: 'edge' } },
      obj('networking.k8s.io/v1', 'Ingress', {}, 'x', 'edge'),
    ];
    const external = { namespace: 'shop', selector: { [WORKLOAD]: 'api' }, ipBlocks: [{ cidr: '203.0.113.0/24' }], ports: [8080] };
    expect(runManifestRules({ ...context(good), addresses: [external] })).toEqual([]);
  });

  test('an object without a namespace lands in `default`, as the API server and the analyzer place it', () => {
    const manifest = { ...service({ type: 'LoadBalancer' }), metadata: { name: 'lb' } };
    const findings = runManifestRules({ objects: [{ manifest, path: 'app/lb' }], managed: new Map([['default', { mesh: 'sidecar' as const }]]) });
    expect(findings.map(f => f.message)).toEqual([
      '[ZT424] app/lb: Service default/lb, spec.type: a Service of type LoadBalancer opens the workload to clients outside the cluster, which no flow declares. Reach the workload through declared flows from inside the cluster, or suppress ZT424 with a reason.',
    ]);
    expect(runManifestRules({ objects: [{ manifest, path: 'app/lb' }], managed: new Map([['shop', { mesh: 'sidecar' as const }]]) })).toEqual([]);
  });

  test('the ALLOW rules of older id still report what is theirs, not these', () => {
    const ids = (source: any) => runManifestRules(context([allowSource(source)])).map(f => f.ruleId);
    expect(ids({ principals: ['cluster.local/ns/attacker/sa/*'] })).toEqual(['ZT406']);
    expect(ids({ principals: ['spiffe://cluster.local/ns/attacker/sa/x'] })).toEqual(['ZT405']);
    expect(ids({ notIpBlocks: ['10.0.0.0/8'] })).toEqual(['ZT407']);
    expect(ids({ notRequestPrincipals: ['https://issuer.example/mallory'] })).toEqual(['ZT407']);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['*'] })).toEqual(['ZT406']);
    // Any end user of one named issuer, as requireJwt emits, passes; wildcards anywhere else do not.
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['https://issuer.example/*'] })).toEqual([]);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['https://issuer.example*'] })).toEqual(['ZT406']);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['https://*/alice'] })).toEqual(['ZT406']);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['*/alice'] })).toEqual(['ZT406']);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['/*'] })).toEqual(['ZT406']);
    expect(ids({ requestPrincipals: ['https://issuer.example/*'] })).toEqual(['ZT421']);
    expect(ids({ requestPrincipals: ['*'] })).toEqual(['ZT406', 'ZT421']);
    expect(ids({ principals: ['cluster.local/ns/shop/sa/web'], notRequestPrincipals: ['*'] })).toEqual([]);
    expect(runManifestRules(context([from(inNamespaces({}))])).map(f => f.ruleId)).toEqual(['ZT402']);
    expect(runManifestRules(context([from({ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '203.0.113.0/24' } })])).map(f => f.ruleId))
      .toEqual(['ZT403']);
    expect(runManifestRules(context([from({ ipBlock: { cidr: '8.0.0.0/6' } })])).map(f => f.ruleId)).toEqual(['ZT418']);
  });
});

describe('declared flow ends beside MeshedServices (gateways, platform peers)', () => {
  const ends: ManifestContext['ends'] = [
    { namespace: 'monitoring', selector: { app: 'prometheus' }, principal: 'cluster.local/ns/monitoring/sa/prometheus' },
    { namespace: 'shop', selector: { 'gateway.networking.k8s.io/gateway-name': 'public' }, principal: 'cluster.local/ns/shop/sa/public-istio' },
  ];
  const withEnds = (manifests: any[]) => runManifestRules({ ...context(manifests), ends });
  const monitoring = (podSelector: any) => ({ namespaceSelector: { matchLabels: { [NAME]: 'monitoring' } }, podSelector });

  test('their exact peer, selector and principal pass', () => {
    expect(withEnds([from(monitoring({ matchLabels: { app: 'prometheus' } }))])).toEqual([]);
    expect(withEnds([from({ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } } })])).toEqual([]);
    expect(withEnds([allowSource({ principals: ['cluster.local/ns/monitoring/sa/prometheus', 'cluster.local/ns/shop/sa/public-istio'] })])).toEqual([]);
  });

  test.each([
    ['ZT420', 'a broader podSelector in the end\'s namespace', from(monitoring({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }))],
    ['ZT420', 'the end\'s labels in another unmanaged namespace', from({ namespaceSelector: { matchLabels: { [NAME]: 'other' } }, podSelector: { matchLabels: { app: 'prometheus' } } })],
    ['ZT428', 'the end\'s labels in a managed namespace where it does not live', from({ podSelector: { matchLabels: { app: 'prometheus' } } })],
    ['ZT421', 'a principal of the end\'s namespace that is not the end\'s', allowSource({ principals: ['cluster.local/ns/monitoring/sa/grafana'] })],
  ])('%s: %s is still refused', (id, _, manifest) => {
    expect(withEnds([manifest]).map(f => f.ruleId)).toEqual([id]);
  });
});

describe('namespaceSelectors, for every input', () => {
  const KEYS = [NAME, 'team'];
  const VALUES = ['shop', 'pay', 'evil'];
  const values = fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 });
  const expression = fc.oneof(
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values }),
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  );
  const selector = fc.record({
    matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
    matchExpressions: fc.array(expression, { maxLength: 3 }),
  }).filter(s => Object.keys(s.matchLabels).length + s.matchExpressions.length > 0);
  // Namespaces others may create: any name but a managed one, any team label; the API server sets the name label.
  const unmanaged = ['evil', 'fresh'].flatMap(name => [undefined, ...VALUES].map(team => ({ [NAME]: name, ...(team ? { team } : {}) })));

  test('a selector that can select a namespace the app does not manage is refused; one pinned to managed names never is', () => {
    fc.assert(fc.property(selector, fc.boolean(), (s, isIngress) => {
      const peer = inNamespaces(s);
      const policy = isIngress ? from(peer) : egress([peer]);
      const refused = runManifestRules(context([policy])).map(f => f.ruleId);
      const matches = compileSelector(s, 'test');
      if (unmanaged.some(labels => matches(labels))) expect(refused).toEqual([expect.stringMatching(/^ZT4(19|20)$/)]);
      const pinned = s.matchLabels[NAME] ?? (s.matchExpressions.find(e => e.key === NAME && e.operator === 'In') as any)?.values?.[0];
      const allPins = [s.matchLabels[NAME], ...s.matchExpressions.filter(e => e.key === NAME && e.operator === 'In').flatMap((e: any) => e.values)];
      if (pinned !== undefined && allPins.every(n => n === undefined || n !== 'evil')) expect(refused).toEqual([]);
    }), { numRuns: 500 });
  });
});

function shop() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)], image: 'web' });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)], image: 'api' });
  web.allowTo(api);
  return { app, chart, ns, web, api };
}

function include(chart: Chart, yaml: string): Include {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-'));
  fs.writeFileSync(path.join(dir, 'included.yaml'), yaml);
  return new Include(chart, 'included', { url: path.join(dir, 'included.yaml') });
}

const namespacePolicy = (ns: ZeroTrustNamespace, name: string) => ns.node.findChild(name) as ApiObject;

/** Hostile changes to a valid app through the escape hatches; each synthesizes cleanly without its rules. */
const HOSTILE: Array<[string, (app: ReturnType<typeof shop>) => void, RegExp | RegExp[]]> = [
  ['ApiObject: an ingress from namespaces labelled by a team', ({ chart }) => new ApiObject(chart, 'partners', from(inNamespaces({ matchLabels: { team: 'partners' } }))),
    /^\[ZT419\] shop\/partners: NetworkPolicy shop\/x, spec\.ingress\[0\]\.from\[0\]\.namespaceSelector: the namespaceSelector does not pin/],
  ['patch: the server\'s NetworkPolicy admits every namespace but its own', ({ api }) => api.networkPolicy.addJsonPatch(JsonPatch.add('/spec/ingress/-',
    { from: [inNamespaces({ matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['shop'] }] })], ports: [{ protocol: 'TCP', port: 8080 }] })),
  /^\[ZT419\] shop\/api\/NetworkPolicy: NetworkPolicy shop\/api, spec\.ingress\[1\]\.from\[0\]\.namespaceSelector/],
  ['patch: the DNS rule opens kube-dns on every port from 53 up', ({ ns }) => namespacePolicy(ns, 'zt-allow-dns').addJsonPatch(JsonPatch.add('/spec/egress/0/ports/1/endPort', 65535)),
    // No longer the namespace's exact shape, its `{}` podSelector opens every pod of the namespace too.
    [/^\[ZT420\] shop\/ns\/zt-allow-dns: NetworkPolicy shop\/zt-allow-dns, spec\.egress\[0\]\.to\[0\]: the peer selects pods of "kube-system"/,
      /^\[ZT428\] shop\/ns\/zt-allow-dns: NetworkPolicy shop\/zt-allow-dns, spec\.podSelector: the policy's podSelector does not pin/]],
  ['patch: the istiod rule loses its podSelector', ({ ns }) => namespacePolicy(ns, 'zt-allow-istiod').addJsonPatch(JsonPatch.remove('/spec/egress/0/to/0/podSelector')),
    [/^\[ZT420\] shop\/ns\/zt-allow-istiod: NetworkPolicy shop\/zt-allow-istiod, spec\.egress\[0\]\.to\[0\]: the peer selects pods of "istio-system"/,
      /^\[ZT428\] shop\/ns\/zt-allow-istiod: NetworkPolicy shop\/zt-allow-istiod, spec\.podSelector: the policy's podSelector does not pin/]],
  ['patch: the server admits a principal of another namespace', ({ api }) => api.authorizationPolicy!.addJsonPatch(JsonPatch.add('/spec/rules/0/from/0/source/principals/-', 'cluster.local/ns/attacker/sa/web')),
    /^\[ZT421\] shop\/api\/AuthorizationPolicy: AuthorizationPolicy shop\/api, spec\.rules\[0\]\.from\[0\]\.source\.principals\[1\]: principal "cluster\.local\/ns\/attacker\/sa\/web"/],
  ['patch: the server admits an address range', ({ api }) => api.authorizationPolicy!.addJsonPatch(JsonPatch.add('/spec/rules/0/from/-', { source: { ipBlocks: ['10.0.0.0/8'] } })),
    /^\[ZT422\] shop\/api\/AuthorizationPolicy: AuthorizationPolicy shop\/api, spec\.rules\[0\]\.from\[1\]\.source: the source admits clients by address alone \(10\.0\.0\.0\/8\)/],
  ['ApiObject: a PERMISSIVE PeerAuthentication for the whole mesh', ({ chart }) => new ApiObject(chart, 'mesh-wide', obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'PERMISSIVE' } }, 'default', 'istio-system')),
    /^\[ZT423\] shop\/mesh-wide: PeerAuthentication istio-system\/default, spec\.mtls\.mode: the mesh's root namespace applies it/],
  ['ApiObject: mesh-wide STRICT mTLS and allow-nothing are hardening, not openings', ({ chart }) => {
    new ApiObject(chart, 'mesh-strict', obj('security.istio.io/v1', 'PeerAuthentication', { mtls: { mode: 'STRICT' } }, 'default', 'istio-system'));
    new ApiObject(chart, 'mesh-allow-nothing', obj('security.istio.io/v1', 'AuthorizationPolicy', {}, 'allow-nothing', 'istio-system'));
  }, []],
  ['cdk8s-plus: a LoadBalancer Service', ({ chart }) => new kplus.Service(chart, 'lb', { metadata: { namespace: 'shop' }, type: kplus.ServiceType.LOAD_BALANCER, ports: [{ port: 80, targetPort: 8080 }], selector: kplus.Pods.select(chart, 'api-pods', { labels: { 'zero-trust.cdk8s.io/workload': 'api' } }) }),
    /^\[ZT424\] shop\/lb\/Resource: Service shop\/[\w-]+, spec\.type: a Service of type LoadBalancer/],
  ['patch: the Deployment binds a hostPort', ({ api }) => (api.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Deployment') as ApiObject)
    .addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/ports/0/hostPort', 8080)),
  /^\[ZT424\] shop\/api\/Deployment\/Resource: Deployment shop\/[\w-]+, spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort: hostPort 8080/],
  ['patch: the server admits a public range', ({ api }) => api.networkPolicy.addJsonPatch(JsonPatch.add('/spec/ingress/-', { from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] })),
    /^\[ZT427\] shop\/api\/NetworkPolicy: NetworkPolicy shop\/api, spec\.ingress\[1\]\.from\[0\]\.ipBlock: the ipBlock 198\.51\.100\.0\/24 admits clients outside the cluster/],
  ['Include: an Ingress to the server', ({ chart }) => include(chart, 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api, namespace: shop}\nspec: {defaultBackend: {service: {name: api, port: {number: 8080}}}}\n'),
    /^\[ZT425\] shop\/included\/api-ingress-shop[\w-]*: Ingress shop\/api: it brings traffic/],
  ['Include: a VM joining as the server\'s identity', ({ chart }) => include(chart, 'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm, namespace: shop}\nspec: {address: 203.0.113.9, serviceAccount: api, labels: {zero-trust.cdk8s.io/workload: api}}\n'),
    /^\[ZT426\] shop\/included\/vm-workloadentry-shop[\w-]*: WorkloadEntry shop\/vm: it adds a workload outside Kubernetes/],
];

describe('through the escape hatches, on a valid app', () => {
  test('the app itself synthesizes', () => {
    expect(() => shop().app.synthYaml()).not.toThrow();
  });

  test.each(HOSTILE)('%s', (_name, attack, message) => {
    const s = shop();
    attack(s);
    let errors: string[] = [];
    try {
      s.app.synthYaml();
    } catch (e) {
      errors = (e as Error).message.split('\n').flatMap(l => /^\s*\[zero-trust\] (\[ZT\d{3}\].*)/.exec(l)?.[1] ?? []);
    }
    // Only the new rules speak: the proof, which compares against known pods, cannot see any of these.
    expect(errors).toEqual([message].flat().map(m => expect.stringMatching(m)));
  });

  test('a suppression with a reason silences the rule and is kept on the object', () => {
    const { app, chart } = shop();
    const lb = new ApiObject(chart, 'lb', service({ type: 'LoadBalancer' }));
    expect(() => app.synthYaml()).toThrow(/\[ZT424\] shop\/lb: Service shop\/x, spec\.type/);
    ZeroTrustRules.suppress(lb, 'ZT424', 'the public web front end, behind the cloud firewall');
    expect(() => app.synthYaml()).not.toThrow();
    expect(Testing.synth(chart).find(o => o.kind === 'Service' && o.metadata.name === 'x').metadata.annotations)
      .toEqual({ 'zero-trust.cdk8s.io/suppress.ZT424': 'the public web front end, behind the cloud firewall' });
  });

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system'])('managing %s fails at once (ZT209)', name => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => new ZeroTrustNamespace(chart, 'sys', { name })).toThrow(
      `[ZT209] c/sys: namespace "${name}" belongs to the cluster or the mesh, and its deny-all policies would cut off what every namespace needs. Manage only your application's namespaces; their policies already reach cluster DNS and istiod.`);
  });
});

/** Every ApiObject and the managed namespaces with their trust domains, as the guard collects them. */
function collect(app: App): ManifestContext {
  const objects: ManifestObject[] = [];
  const managed = new Map<string, { mesh: `${MeshMode}`; trustDomain: string; services: string[] }>();
  for (const c of app.node.findAll()) {
    if (ApiObject.isApiObject(c)) objects.push({ manifest: c.toJson(), path: c.node.path });
    if (c instanceof ZeroTrustNamespace) managed.set(c.name, { mesh: c.mesh, trustDomain: c.trustDomain, services: [] });
  }
  for (const c of app.node.findAll()) if (c instanceof MeshedService) managed.get(c.namespace.name)!.services.push(c.name);
  return { objects, managed };
}

describe('valid apps raise none of these rules', () => {
  test('a mixed sidecar, ambient and out-of-mesh app, with another trust domain and an external peer', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'mixed');
    const front = new ZeroTrustNamespace(chart, 'front', { name: 'front' });
    const back = new ZeroTrustNamespace(chart, 'back', { name: 'back', mesh: MeshMode.AMBIENT, allowDns: false });
    const legacy = new ZeroTrustNamespace(chart, 'legacy', { name: 'legacy', mesh: MeshMode.NONE });
    const fed = new ZeroTrustNamespace(chart, 'fed', { name: 'fed', trustDomain: 'example.org', mesh: MeshMode.AMBIENT });
    const web = new MeshedService(chart, 'web', { namespace: front, name: 'web', ports: [ServicePort.http(8080)], image: 'web' });
    const api = new MeshedService(chart, 'api', { namespace: back, name: 'api', ports: [ServicePort.grpc(9090)], image: 'api' });
    const batch = new MeshedService(chart, 'batch', { namespace: legacy, name: 'batch', ports: [ServicePort.tcp(7000)], image: 'batch' });
    const jobs = new MeshedService(chart, 'jobs', { namespace: legacy, name: 'jobs', ports: [ServicePort.tcp(7001)], image: 'jobs' });
    const a = new MeshedService(chart, 'a', { namespace: fed, name: 'a', ports: [ServicePort.http(80)], image: 'a' });
    const b = new MeshedService(chart, 'b', { namespace: fed, name: 'b', ports: [ServicePort.http(80)] });
    // A cdk8s-plus workload enrolled into a service carries its workload label.
    b.enrol(new kplus.Deployment(chart, 'b-pods', { metadata: { namespace: 'fed' }, serviceAccount: b.serviceAccount, containers: [{ image: 'b', portNumber: 80 }] }));
    web.allowTo(api);
    api.allowTo(api, { allowSelf: true });
    batch.allowTo(jobs);
    a.allowTo(b);
    api.allowToExternal(ExternalPeer.cidr('203.0.113.0/24'), { ports: [5432] });
    // collect() does not read the addresses the services declare to the guard (ZT441); the synth below does.
    expect(runManifestRules(collect(app)).map(f => `${f.ruleId} ${f.path}`)).toEqual(['ZT441 mixed/api/NetworkPolicy', 'ZT501 mixed/legacy/Namespace']);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(() => app.synthYaml()).not.toThrow();
    } finally {
      warn.mockRestore();
    }
  });
});
