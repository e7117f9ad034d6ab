import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshMode, MeshedService, ServicePort, ZeroTrustNamespace } from '../../src';
import { RULE_CATALOG } from '../../src/rules/_catalog';
import { Finding, MANIFEST_RULES, ManifestContext, ManifestObject, runManifestRules } from '../../src/rules/_manifest-rules';
import { OPENING_RULES } from '../../src/rules/_openings-rules';

type Mesh = `${MeshMode}`;

const WORKLOAD = 'zero-trust.cdk8s.io/workload';
const PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { [WORKLOAD]: 'web' } } };
const PORTS = [{ protocol: 'TCP', port: 8080 }];
const PRINCIPAL = 'cluster.local/ns/shop/sa/web';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function obj(apiVersion: string, kind: string, spec: any, name = 'x', namespace = 'shop'): any {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}
const np = (spec: any) => obj('networking.k8s.io/v1', 'NetworkPolicy', { podSelector: { matchLabels: { [WORKLOAD]: 'api' } }, policyTypes: ['Ingress', 'Egress'], ...spec });
const ingress = (...rules: any[]) => np({ ingress: rules });
const ap = (spec: any) => obj('security.istio.io/v1', 'AuthorizationPolicy', { selector: { matchLabels: { [WORKLOAD]: 'api' } }, ...spec });
const allowFrom = (...from: any[]) => ap({ action: 'ALLOW', rules: [{ from, to: [{ operation: { ports: ['8080'] } }] }] });
const pa = (spec: any, name = 'x') => obj('security.istio.io/v1', 'PeerAuthentication', spec, name);
const dr = (spec: any) => obj('networking.istio.io/v1', 'DestinationRule', { host: 'api.shop.svc.cluster.local', ...spec });
const serviceAccount = (name: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop' } });
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
function workload(kind: string, podSpec: any, podMeta: any = {}, name = 'x'): any {
  const template = { metadata: podMeta, spec: { containers: [{ name: 'c', image: 'nginx' }], ...podSpec } };
  switch (kind) {
    case 'Pod': return { apiVersion: 'v1', kind, metadata: { name, namespace: 'shop', ...podMeta }, spec: template.spec };
    case 'CronJob': return obj('batch/v1', kind, { schedule: '* * * * *', jobTemplate: { spec: { template } } }, name);
    case 'Job': return obj('batch/v1', kind, { template }, name);
    default: return obj('apps/v1', kind, { selector: { matchLabels: { app: name } }, template }, name);
  }
}

/** Namespace shop, with services web and api, is managed. */
function context(manifests: any[], mesh: Mesh = 'sidecar'): ManifestContext {
  return {
    objects: manifests.map((manifest, i) => ({ manifest, path: `app/obj${i}` })),
    managed: new Map([['shop', { mesh, services: ['web', 'api'] }]]),
  };
}

interface Case {
  readonly id: string;
  readonly name: string;
  readonly objects: any[];
  readonly mesh?: Mesh;
  /** Other rules the objects break too, by design. */
  readonly also?: string[];
  readonly message: RegExp;
}

const CASES: Case[] = [
  { id: 'ZT401', name: 'ingress rule without from', objects: [ingress({ ports: PORTS })], message: /NetworkPolicy shop\/x, spec\.ingress\[0\]: the rule has no `from`, so it admits every peer\. List the peers/ },
  { id: 'ZT401', name: 'egress rule with empty to', objects: [np({ egress: [{ to: [], ports: PORTS }] })], message: /spec\.egress\[0\]: the rule has no `to`/ },
  { id: 'ZT401', name: 'empty peer', objects: [ingress({ from: [PEER, {}], ports: PORTS })], message: /spec\.ingress\[0\]\.from\[1\]: the peer is empty \(\{\}\)/ },
  { id: 'ZT402', name: 'empty namespaceSelector', objects: [ingress({ from: [{ ...PEER, namespaceSelector: {} }], ports: PORTS })], message: /from\[0\]\.namespaceSelector: an empty namespaceSelector selects every namespace/ },
  { id: 'ZT402', name: 'empty podSelector', objects: [np({ egress: [{ to: [{ podSelector: { matchLabels: {} } }], ports: PORTS }] })], message: /to\[0\]\.podSelector: an empty podSelector selects every pod/ },
  { id: 'ZT440', name: 'ServiceEntry exported to every namespace', objects: [{ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x', namespace: 'shop' }, spec: { hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['*'] } }], message: /ServiceEntry shop\/x, spec\.exportTo: exportTo \["\*"\] makes the entry visible beyond its namespace\. Set `exportTo: \["\."\]`/ },
  { id: 'ZT440', name: 'ServiceEntry without exportTo', objects: [{ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x', namespace: 'shop' }, spec: { hosts: ['api.stripe.com'], resolution: 'DNS' } }], message: /spec\.exportTo: without exportTo the entry is visible to every namespace/ },
  { id: 'ZT403', name: 'ipBlock 0.0.0.0/0', objects: [ingress({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: PORTS })], message: /from\[0\]\.ipBlock: the ipBlock 0\.0\.0\.0\/0 covers every address/ },
  { id: 'ZT403', name: 'ipBlock ::/0', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['::1/128'] } }], ports: PORTS }] })], message: /the ipBlock ::\/0 covers every address/ },
  { id: 'ZT403', name: 'ipBlock of any prefix length 0', objects: [ingress({ from: [{ ipBlock: { cidr: '10.0.0.0/0' } }], ports: PORTS })], message: /the ipBlock 10\.0\.0\.0\/0 covers/ },
  { id: 'ZT403', name: 'every IPv4 address as the IPv4-mapped IPv6 range', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '::ffff:0:0/96' } }], ports: PORTS }] })], message: /NetworkPolicy shop\/x, spec\.egress\[0\]\.to\[0\]\.ipBlock: the ipBlock ::ffff:0:0\/96 covers every address\. Name the smallest/ },
  // ZT403 reports the IPv4 addresses ::/16 maps, ZT441 the IPv6 ones it holds too.
  { id: 'ZT403', also: ['ZT441'], name: 'an IPv6 block that holds the IPv4-mapped range', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '::/16' } }], ports: PORTS }] })], message: /NetworkPolicy shop\/x, spec\.egress\[0\]\.to: the ipBlocks ::\/16 together cover every IPv4 address\. Name the smallest/ },
  { id: 'ZT403', name: 'two IPv4 halves in one rule', objects: [ingress({ from: [{ ipBlock: { cidr: '128.0.0.0/1' } }, PEER, { ipBlock: { cidr: '0.0.0.0/1' } }], ports: PORTS })], message: /NetworkPolicy shop\/x, spec\.ingress\[0\]\.from: the ipBlocks 128\.0\.0\.0\/1, 0\.0\.0\.0\/1 together cover every IPv4 address\. Name the smallest/ },
  // ::/2 also holds the IPv4-mapped range, so a second finding says it covers every IPv4 address.
  { id: 'ZT403', name: 'IPv6 quarters, one with an except', objects: [np({ egress: [{ to: ['4000::/2', '::/2', '8000::/1'].map((cidr, i) => ({ ipBlock: { cidr, ...(i === 2 ? { except: ['8000::/16'] } : {}) } })), ports: PORTS }] })], message: /spec\.egress\[0\]\.to: the ipBlocks 4000::\/2, ::\/2, 8000::\/1 together cover every IPv6 address/ },
  { id: 'ZT403', name: 'every address but one range', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: PORTS }] })], message: /to\[0\]\.ipBlock: the ipBlock 0\.0\.0\.0\/0 covers every address/ },
  { id: 'ZT403', name: 'every address but the internal ranges', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] } }], ports: PORTS }] })], message: /the ipBlock 0\.0\.0\.0\/0 covers every address/ },
  { id: 'ZT404', name: 'missing policyTypes', objects: [np({ policyTypes: undefined })], message: /spec\.policyTypes: policyTypes is missing or empty/ },
  { id: 'ZT404', name: 'empty policyTypes', objects: [np({ policyTypes: [] })], message: /Set policyTypes to the directions/ },
  { id: 'ZT405', name: 'spiffe:// principal', objects: [allowFrom({ source: { principals: [`spiffe://${PRINCIPAL}`] } })], message: /from\[0\]\.source\.principals\[0\]: principal "spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web" has the spiffe:\/\/ scheme.*Write it without the scheme: "cluster\.local\/ns\/shop\/sa\/web"\./ },
  { id: 'ZT405', name: 'spiffe:// in a DENY policy', objects: [ap({ action: 'DENY', rules: [{ from: [{ source: { principals: [`spiffe://${PRINCIPAL}`] } }] }] })], message: /never matches/ },
  { id: 'ZT406', name: 'wildcard principal', objects: [allowFrom({ source: { principals: ['cluster.local/ns/shop/sa/*'] } })], message: /principals\[0\]: "cluster\.local\/ns\/shop\/sa\/\*" is a wildcard/ },
  { id: 'ZT406', name: 'wildcard namespace', objects: [allowFrom({ source: { principals: [PRINCIPAL], namespaces: ['*'] } }), serviceAccount('web')], message: /namespaces\[0\]: "\*" is a wildcard/ },
  {
    id: 'ZT431',
    name: 'a dry-run AuthorizationPolicy',
    objects: [{ ...allowFrom({ source: { principals: [PRINCIPAL] } }), metadata: { name: 'x', namespace: 'shop', annotations: { 'istio.io/dry-run': 'true' } } }],
    message: /^\[ZT431\] app\/obj0: AuthorizationPolicy shop\/x, metadata\.annotations\["istio\.io\/dry-run"\]: "true": Istio logs a dry-run policy's verdict and does not enforce it\. Remove the annotation; try a policy out on a namespace the app does not manage\.$/,
  },
  {
    id: 'ZT431',
    name: 'a dry-run allow-nothing in the root namespace',
    objects: [{ ...ap({}), metadata: { name: 'x', namespace: 'istio-system', annotations: { 'istio.io/dry-run': 'false' } } }],
    message: /^\[ZT431\] app\/obj0: AuthorizationPolicy istio-system\/x, metadata\.annotations\["istio\.io\/dry-run"\]: "false": Istio logs/,
  },
  {
    id: 'ZT432',
    name: 'a RequestAuthentication that requireJwt does not declare',
    objects: [obj('security.istio.io/v1', 'RequestAuthentication', { jwtRules: [{ issuer: 'https://login.example.com', jwksUri: 'https://evil.example/jwks' }] })],
    message: /^\[ZT432\] app\/obj0: RequestAuthentication shop\/x: the RequestAuthentication is not one that `requireJwt` declares, as it renders it, so its keys, issuers or audiences are not the declared ones\. Declare end-user tokens with `MeshedService\.requireJwt`; do not patch its RequestAuthentication or add another\.$/,
  },
  { id: 'ZT407', name: 'rules: [{}], action defaulting to ALLOW', objects: [ap({ rules: [{}] })], message: /spec\.rules\[0\]: the ALLOW rule has no `from`, so it admits every client\. Name the clients/ },
  { id: 'ZT407', name: 'a rule with only `to`', objects: [ap({ action: 'ALLOW', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })], message: /has no `from`/ },
  { id: 'ZT407', name: 'an empty source', objects: [allowFrom({ source: {} })], message: /from\[0\]\.source: the source is empty/ },
  { id: 'ZT407', name: 'a from entry without source', objects: [allowFrom({})], message: /the source is empty/ },
  { id: 'ZT407', name: 'a source of not-forms only', objects: [allowFrom({ source: { notPrincipals: [PRINCIPAL], notNamespaces: ['other'] } })], message: /only not-forms/ },
  { id: 'ZT408', name: 'PERMISSIVE', objects: [pa({ mtls: { mode: 'PERMISSIVE' } }, 'default')], message: /PeerAuthentication shop\/default, spec\.mtls\.mode: mTLS mode PERMISSIVE admits plaintext/ },
  { id: 'ZT408', name: 'DISABLE in ambient', mesh: 'ambient', objects: [pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } })], message: /mTLS mode DISABLE/ },
  { id: 'ZT408', name: 'port-level PERMISSIVE', objects: [pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } })], message: /spec\.portLevelMtls\.8080\.mode: mTLS mode PERMISSIVE/ },
  { id: 'ZT409', name: 'sidecar namespace without its label', objects: [namespace('shop', { team: 'a' })], message: /Namespace shop, metadata\.labels\["istio-injection"\]: the sidecar namespace's enrolment label is missing.*Keep the label "istio-injection: enabled"/ },
  { id: 'ZT409', name: 'sidecar namespace with injection disabled', objects: [namespace('shop', { 'istio-injection': 'disabled' })], message: /enrolment label is "disabled"/ },
  { id: 'ZT409', name: 'ambient namespace opted out', mesh: 'ambient', objects: [namespace('shop', { 'istio.io/dataplane-mode': 'none' })], message: /the ambient namespace's enrolment label is "none"/ },
  { id: 'ZT409', name: 'sidecar namespace with the ambient opt-out', objects: [namespace('shop', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'none' })], message: /the label "istio\.io\/dataplane-mode: none" opts the namespace out/ },
  { id: 'ZT410', name: 'pod template label inject=false', objects: [workload('Deployment', { serviceAccountName: 'web' }, { labels: { 'sidecar.istio.io/inject': 'false' } })], message: /Deployment shop\/x, spec\.template\.metadata\.labels\["sidecar\.istio\.io\/inject"\]: the pods opt out of sidecar injection/ },
  { id: 'ZT410', name: 'Pod annotation inject=false', objects: [workload('Pod', { serviceAccountName: 'web' }, { annotations: { 'sidecar.istio.io/inject': 'False' } })], message: /Pod shop\/x, metadata\.annotations\["sidecar\.istio\.io\/inject"\]/ },
  { id: 'ZT410', name: 'label inject=no', objects: [workload('Deployment', { serviceAccountName: 'web' }, { labels: { 'sidecar.istio.io/inject': 'no' } })], message: /spec\.template\.metadata\.labels\["sidecar\.istio\.io\/inject"\]: the pods opt out of sidecar injection \("no" is not y, yes, true or on\)/ },
  { id: 'ZT410', name: 'annotation inject=disabled', objects: [workload('StatefulSet', { serviceAccountName: 'web' }, { annotations: { 'sidecar.istio.io/inject': 'disabled' } })], message: /metadata\.annotations\["sidecar\.istio\.io\/inject"\]: the pods opt out of sidecar injection \("disabled"/ },
  { id: 'ZT410', name: 'a label opt-out beats an annotation opt-in', objects: [workload('Pod', { serviceAccountName: 'web' }, { labels: { 'sidecar.istio.io/inject': 'Off' }, annotations: { 'sidecar.istio.io/inject': 'true' } })], message: /metadata\.labels\["sidecar\.istio\.io\/inject"\]: the pods opt out of sidecar injection \("Off"/ },
  ...[
    ['traffic.sidecar.istio.io/excludeInboundPorts', '8080'],
    ['traffic.sidecar.istio.io/excludeOutboundPorts', '5432'],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/8'],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'eth1'],
    ['traffic.sidecar.istio.io/includeInboundPorts', '8080'],
    ['traffic.sidecar.istio.io/includeInboundPorts', ''],
    ['sidecar.istio.io/interceptionMode', 'NONE'],
    ['sidecar.istio.io/interceptionMode', 'TPROXY'],
  ].map(([key, value]) => ({
    id: 'ZT410',
    name: `annotation ${key}: "${value}"`,
    objects: [workload('Deployment', { serviceAccountName: 'web' }, { annotations: { [key]: value } })],
    message: new RegExp(escape(`spec.template.metadata.annotations["${key}"]: "${value}" takes traffic out of the sidecar's capture, so it bypasses mTLS and the AuthorizationPolicies. Drop it`)),
  })),
  { id: 'ZT410', name: 'ambient pod opted out', mesh: 'ambient', objects: [workload('CronJob', { serviceAccountName: 'web' }, { labels: { 'istio.io/dataplane-mode': 'none' } })], message: /spec\.jobTemplate\.spec\.template\.metadata\.labels\["istio\.io\/dataplane-mode"\]: the pods opt out of ambient mode/ },
  { id: 'ZT411', name: 'Deployment without a ServiceAccount', objects: [workload('Deployment', {})], message: /Deployment shop\/x, spec\.template\.spec\.serviceAccountName: the pods run as the namespace's shared `default` ServiceAccount/ },
  { id: 'ZT411', name: 'Pod as default, outside the mesh', mesh: 'none', objects: [workload('Pod', { serviceAccountName: 'default' })], message: /Pod shop\/x, spec\.serviceAccountName/ },
  { id: 'ZT411', name: 'Job with the deprecated serviceAccount field', objects: [workload('Job', { serviceAccount: 'default' })], message: /Job shop\/x/ },
  { id: 'ZT412', name: 'DISABLE', objects: [dr({ trafficPolicy: { tls: { mode: 'DISABLE' } } })], message: /DestinationRule shop\/x, spec\.trafficPolicy\.tls\.mode: TLS mode DISABLE for host "api\.shop\.svc\.cluster\.local"/ },
  { id: 'ZT412', name: 'port-level SIMPLE on a short host', objects: [dr({ host: 'api', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] } })], message: /spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.mode: TLS mode SIMPLE/ },
  { id: 'ZT412', name: 'subset MUTUAL on a wildcard host', objects: [dr({ host: '*', subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'MUTUAL' } } }] })], message: /spec\.subsets\[0\]\.trafficPolicy\.tls\.mode: TLS mode MUTUAL/ },
  { id: 'ZT412', name: 'tls without a mode is DISABLE', objects: [dr({ trafficPolicy: { tls: { sni: 'api.shop' } } })], message: /DestinationRule shop\/x, spec\.trafficPolicy\.tls\.mode: TLS mode DISABLE \(unset\) for host "api\.shop\.svc\.cluster\.local" replaces Istio mTLS/ },
  { id: 'ZT413', name: 'host network', objects: [workload('DaemonSet', { serviceAccountName: 'agent', hostNetwork: true })], message: /DaemonSet shop\/x, spec\.template\.spec\.hostNetwork: the pods share the node's network/ },
  { id: 'ZT414', name: 'second namespace-wide PeerAuthentication', objects: [pa({ mtls: { mode: 'STRICT' } }, 'default'), pa({ selector: { matchLabels: {} } }, 'extra')], message: /PeerAuthentication shop\/extra, spec\.selector: a second namespace-wide PeerAuthentication/ },
  { id: 'ZT415', name: 'Sidecar ALLOW_ANY', objects: [obj('networking.istio.io/v1', 'Sidecar', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } })], message: /Sidecar shop\/x, spec\.outboundTrafficPolicy\.mode: ALLOW_ANY/ },
  { id: 'ZT418', name: 'ipBlock 10.0.0.0/8', objects: [ingress({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: PORTS })], message: /NetworkPolicy shop\/x, spec\.ingress\[0\]\.from\[0\]\.ipBlock: the ipBlock 10\.0\.0\.0\/8 overlaps the private or cluster-internal 10\.0\.0\.0\/8, where pods and Services get their addresses, so it can admit them by address, bypassing their label-based identity\. Name a narrower external range, or suppress ZT418 with a reason\./ },
  { id: 'ZT418', name: '10.0.0.0/8 as IPv4-mapped IPv6', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '::ffff:10.0.0.0/104' } }], ports: PORTS }] })], message: /spec\.egress\[0\]\.to\[0\]\.ipBlock: the ipBlock ::ffff:10\.0\.0\.0\/104 overlaps the private or cluster-internal 10\.0\.0\.0\/8,/ },
  { id: 'ZT418', name: 'a block inside 172.16.0.0/12', objects: [np({ egress: [{ to: [PEER, { ipBlock: { cidr: '172.20.1.0/24' } }], ports: PORTS }] })], message: /spec\.egress\[0\]\.to\[1\]\.ipBlock: the ipBlock 172\.20\.1\.0\/24 overlaps the private or cluster-internal 172\.16\.0\.0\/12,/ },
  { id: 'ZT418', name: 'a supernet of 10.0.0.0/8', objects: [ingress({ from: [{ ipBlock: { cidr: '8.0.0.0/6' } }], ports: PORTS })], message: /the ipBlock 8\.0\.0\.0\/6 overlaps the private or cluster-internal 10\.0\.0\.0\/8,/ },
  { id: 'ZT418', name: 'half the IPv4 space', objects: [ingress({ from: [{ ipBlock: { cidr: '0.0.0.0/1' } }], ports: PORTS })], message: /the ipBlock 0\.0\.0\.0\/1 overlaps the private or cluster-internal 10\.0\.0\.0\/8, 100\.64\.0\.0\/10,/ },
  { id: 'ZT418', name: 'the carrier-grade NAT range', objects: [ingress({ from: [{ ipBlock: { cidr: '100.100.0.0/16' } }], ports: PORTS })], message: /overlaps the private or cluster-internal 100\.64\.0\.0\/10,/ },
  { id: 'ZT418', name: 'a unique local IPv6 block', objects: [ingress({ from: [{ ipBlock: { cidr: 'fd00:10::/64' } }], ports: PORTS })], message: /the ipBlock fd00:10::\/64 overlaps the private or cluster-internal fc00::\/7,/ },
  { id: 'ZT418', name: 'an except that removes only part of the overlap', objects: [ingress({ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.0.0/17'] } }], ports: PORTS })], message: /the ipBlock 192\.168\.0\.0\/16 overlaps/ },
  { id: 'ZT501', name: 'namespace outside the mesh', mesh: 'none', objects: [namespace('shop', {})], message: /^\[ZT501\] app\/obj0: Namespace shop: the namespace is outside the mesh/ },
  {
    id: 'ZT502',
    name: 'two workloads sharing a ServiceAccount',
    objects: [workload('Deployment', { serviceAccountName: 'batch' }, {}, 'a'), workload('Job', { serviceAccountName: 'batch' }, {}, 'b')],
    message: /Deployment shop\/a, spec\.template\.spec\.serviceAccountName: the pods share ServiceAccount "batch" with Job shop\/b/,
  },
  { id: 'ZT503', name: 'narrow peer on every port', objects: [ingress({ from: [PEER] })], message: /spec\.ingress\[0\]\.ports: the rule has no ports, so it admits its peers on every port/ },
  { id: 'ZT503', also: ['ZT441'], name: 'empty ports list', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [] }] })], message: /spec\.egress\[0\]\.ports/ },
  { id: 'ZT441', name: 'egress to a public block no flow declares', objects: [np({ egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: PORTS }] })], message: /^\[ZT441\] app\/obj0: NetworkPolicy shop\/x, spec\.egress\[0\]\.to\[0\]\.ipBlock: the ipBlock 198\.51\.100\.0\/24 lets the selected pods reach addresses outside the cluster directly, which no flow declares\. Declare the flow with `allowToExternal\(ExternalPeer\.cidr\(\.\.\.\)\)`, or route a host through an EgressGateway, or suppress ZT441 with a reason\.$/ },
  { id: 'ZT441', name: 'egress to the cloud metadata service', objects: [np({ egress: [{ to: [PEER, { ipBlock: { cidr: '169.254.169.254/32' } }], ports: PORTS }] })], message: /spec\.egress\[0\]\.to\[1\]\.ipBlock: the ipBlock 169\.254\.169\.254\/32 lets the selected pods/ },
];

/** Blocks just outside the private and cluster-internal ranges, and a private range that except removes whole. */
const EDGE_BLOCKS = [
  ...['172.15.0.0/16', '172.32.0.0/11', '100.128.0.0/16', '192.169.0.0/16', '169.254.0.0/16', 'fe80::/10', '2001:db8::/32', 'fe00::/8'].map(cidr => ({ cidr })),
  { cidr: '8.0.0.0/6', except: ['10.0.0.0/9', '10.128.0.0/9'] },
];

function ids(findings: Finding[]): string[] {
  return [...new Set(findings.map(f => f.ruleId))].sort();
}

describe('manifest rules', () => {
  test.each(CASES.map(c => [`${c.id}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const findings = runManifestRules(context(c.objects, c.mesh));
    expect(ids(findings)).toEqual([c.id, ...c.also ?? []].sort());
    const own = findings.filter(f => f.ruleId === c.id);
    expect(own[0].message).toMatch(c.message);
    expect(own[0].message.startsWith(`[${c.id}] app/obj`)).toBe(true);
  });

  test('every manifest rule is in the catalog and has a bad input above (or in test/openings-rules.test.ts)', () => {
    const catalogIds = RULE_CATALOG.map(r => r.id);
    const openings = OPENING_RULES.map(r => r.id);
    for (const { id } of MANIFEST_RULES) {
      expect(catalogIds).toContain(id);
      expect(openings.includes(id) || CASES.some(c => c.id === id)).toBe(true);
    }
    // ZT416 and ZT417 are the guard's reachability rules (test/guard.test.ts), not manifest rules.
    expect(MANIFEST_RULES.map(r => r.id)).toEqual(catalogIds.filter(id => /^ZT[45]/.test(id) && !['ZT416', 'ZT417'].includes(id)));
  });

  test('a full message names the path, the object, the place, the problem and the fix', () => {
    const [f] = runManifestRules(context([ingress({ from: [PEER, {}], ports: PORTS })]));
    expect(f).toEqual({
      ruleId: 'ZT401',
      path: 'app/obj0',
      message: '[ZT401] app/obj0: NetworkPolicy shop/x, spec.ingress[0].from[1]: the peer is empty ({}), so it admits every pod of every namespace and every address. Select the peer\'s namespace and pods in one peer.',
    });
  });

  test('objects outside managed namespaces are ignored', () => {
    const bad = CASES.flatMap(c => c.objects);
    const elsewhere = bad.map(m => m.kind === 'Namespace'
      ? { ...m, metadata: { ...m.metadata, name: 'other' } }
      : { ...m, metadata: { ...m.metadata, namespace: 'other' } });
    const withoutNamespace = bad.filter(m => m.kind !== 'Namespace').map(m => ({ ...m, metadata: { name: m.metadata.name } }));
    expect(runManifestRules(context([...elsewhere, ...withoutNamespace]))).toEqual([]);
  });

  test('mesh-only rules skip namespaces outside the mesh', () => {
    const meshOnly = CASES.filter(c => ['ZT408', 'ZT409', 'ZT410', 'ZT412', 'ZT414', 'ZT415'].includes(c.id));
    for (const c of meshOnly) {
      expect(runManifestRules(context(c.objects.filter(m => m.kind !== 'Namespace'), 'none'))).toEqual([]);
    }
  });

  test('sidecar opt-outs and capture annotations do not matter in ambient namespaces', () => {
    const sidecarOnly = CASES.filter(c => c.id === 'ZT410' && c.mesh !== 'ambient');
    expect(sidecarOnly.length).toBeGreaterThan(5);
    for (const c of sidecarOnly) {
      expect(runManifestRules(context(c.objects, 'ambient'))).toEqual([]);
    }
  });

  test('ZT418 leaves to ZT403 the blocks of a family that a rule covers whole', () => {
    const findings = runManifestRules(context([ingress({ from: [{ ipBlock: { cidr: '::/0' } }, { ipBlock: { cidr: '10.1.0.0/16' } }, { ipBlock: { cidr: 'fd00::/8' } }], ports: PORTS })]));
    expect(findings.map(f => f.message.replace(/ \(.*|, (where|so) .*/, ''))).toEqual([
      '[ZT403] app/obj0: NetworkPolicy shop/x, spec.ingress[0].from[0].ipBlock: the ipBlock ::/0 covers every address. Name the smallest CIDR block that holds the peer.',
      '[ZT418] app/obj0: NetworkPolicy shop/x, spec.ingress[0].from[1].ipBlock: the ipBlock 10.1.0.0/16 overlaps the private or cluster-internal 10.0.0.0/8',
    ]);
  });

  test('ZT418 accepts the declared API server egress in exactly its shape, and refuses its variants, other workloads\' rules and private blocks not declared internal', () => {
    const apiServer = (rule: any) => ({ ...context([np({ egress: [rule] })]), addresses: [{ namespace: 'shop', selector: { [WORKLOAD]: 'api' }, ipBlocks: [{ cidr: '10.0.0.10/32' }], ports: [6443], internal: true }] });
    const ruleIds = (rule: any) => runManifestRules(apiServer(rule)).map(f => f.ruleId);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] })).toEqual([]);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ port: 6443 }] })).toEqual([]);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] })).toEqual(['ZT418']);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'UDP', port: 6443 }] })).toEqual(['ZT418']);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }] })).toEqual(['ZT418', 'ZT503']);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 6443 }] })).toEqual(['ZT418']);
    expect(ruleIds({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }, { ipBlock: { cidr: '10.0.0.11/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] })).toEqual(['ZT418', 'ZT418']);
    const forWeb = np({ podSelector: { matchLabels: { [WORKLOAD]: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }] });
    expect(runManifestRules({ ...apiServer({}), objects: context([forWeb]).objects }).map(f => f.ruleId)).toEqual(['ZT418']);
    expect(runManifestRules({ ...apiServer({}), objects: context([ingress({ from: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] })]).objects })
      .map(f => f.ruleId)).toEqual(['ZT418']);
    const external = { ...apiServer({ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }) };
    expect(runManifestRules({ ...external, addresses: [{ ...external.addresses[0], internal: false }] }).map(f => f.ruleId)).toEqual(['ZT418']);
  });

  test('legal but close inputs trigger nothing', () => {
    const good = [
      ap({}), // allow-nothing
      ap({ action: 'ALLOW', rules: [] }),
      ap({ action: 'DENY', rules: [{}] }),
      ap({ action: 'DENY', rules: [{ from: [{ source: { notPrincipals: [PRINCIPAL] } }] }] }),
      allowFrom({ source: { principals: [PRINCIPAL], notNamespaces: ['other'] } }),
      serviceAccount('web'),
      np({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), // deny-all
      ingress({ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }), // ambient probes
      ingress({ from: [{ ipBlock: { cidr: 'fe80::1/128' } }] }),
      dr({ host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } }), // TLS origination to an outside host
      dr({ trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }),
      pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'STRICT' } } }),
      pa({ selector: { matchLabels: { app: 'api' } } }),
      workload('Deployment', { serviceAccountName: 'api' }, { labels: { 'sidecar.istio.io/inject': 'true' } }),
      workload('Deployment', { serviceAccountName: 'yes' }, { labels: { 'sidecar.istio.io/inject': 'YES' } }, 'yes'),
      workload('Deployment', { serviceAccountName: 'label-wins' }, { labels: { 'sidecar.istio.io/inject': 'on' }, annotations: { 'sidecar.istio.io/inject': 'false' } }, 'label-wins'),
      workload('Deployment', { serviceAccountName: 'defaults' }, { annotations: { 'sidecar.istio.io/inject': '', 'sidecar.istio.io/interceptionMode': 'REDIRECT' } }, 'defaults'),
      workload('Deployment', { serviceAccountName: 'capture-all' }, {
        annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '*', 'traffic.sidecar.istio.io/excludeInboundPorts': '', 'traffic.sidecar.istio.io/excludeOutboundIPRanges': ' ' },
      }, 'capture-all'),
      // Just outside the private and cluster-internal ranges, and a private range that except removes whole.
      // (As declared egress: ingress from outside the cluster is ZT427's, undeclared egress ZT441's.)
      ...EDGE_BLOCKS.map(ipBlock => np({ egress: [{ to: [{ ipBlock }], ports: PORTS }] })),
      // Workloads enrolled into the same MeshedService share its identity on purpose.
      workload('Deployment', { serviceAccountName: 'web' }, { labels: { 'zero-trust.cdk8s.io/workload': 'web' } }, 'web-v1'),
      workload('Deployment', { serviceAccountName: 'web' }, { labels: { 'zero-trust.cdk8s.io/workload': 'web' } }, 'web-v2'),
      obj('networking.istio.io/v1', 'Sidecar', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }),
      namespace('shop', { 'istio-injection': 'enabled' }),
    ];
    const edges = { namespace: 'shop', selector: { [WORKLOAD]: 'api' }, ipBlocks: EDGE_BLOCKS, ports: [8080] };
    expect(runManifestRules({ ...context(good), addresses: [edges] })).toEqual([]);
  });

  test('findings are sorted by path, then rule id, then message', () => {
    const findings = runManifestRules(context([
      workload('Deployment', { hostNetwork: true }),
      ingress({ from: [{ podSelector: {} }, {}] }),
    ]));
    expect(findings.map(f => `${f.path} ${f.ruleId}`)).toEqual(['app/obj0 ZT411', 'app/obj0 ZT413', 'app/obj1 ZT401', 'app/obj1 ZT402']);
  });
});

/** Every ApiObject's manifest and path, and the managed namespaces, as the app-level guard collects them. */
function collect(app: App): ManifestContext {
  const objects: ManifestObject[] = [];
  const managed = new Map<string, { mesh: Mesh; services: string[] }>();
  for (const c of app.node.findAll()) {
    if (ApiObject.isApiObject(c)) objects.push({ manifest: c.toJson(), path: c.node.path });
    if (c instanceof ZeroTrustNamespace) managed.set(c.name, { mesh: c.mesh, services: [] });
  }
  for (const c of app.node.findAll()) if (c instanceof MeshedService) managed.get(c.namespace.name)!.services.push(c.name);
  return { objects, managed };
}

describe('the objects our constructs emit', () => {
  test.each([MeshMode.SIDECAR, MeshMode.AMBIENT])('%s namespaces with flows break no rule', mesh => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh });
    const pay = new ZeroTrustNamespace(chart, 'pay', { name: 'pay', mesh, allowDns: false });
    const web = new MeshedService(chart, 'web', { namespace: shop, name: 'web', ports: [ServicePort.http(8080)], image: 'nginx' });
    const api = new MeshedService(chart, 'api', { namespace: shop, name: 'api', ports: [ServicePort.grpc(9090), ServicePort.tcp(9091)], image: 'api' });
    const card = new MeshedService(chart, 'card', { namespace: pay, name: 'card', ports: [ServicePort.http(8443)] });
    const job = new kplus.Job(chart, 'migrate', {
      metadata: { namespace: 'pay' },
      serviceAccount: card.serviceAccount,
      containers: [{ image: 'migrate' }],
    });
    card.enrol(job);
    web.allowTo(api, { ports: [9090] });
    api.allowTo(card);
    web.allowTo(card);
    api.allowTo(api, { allowSelf: true });
    new MeshedService(chart, 'lonely', { namespace: pay, name: 'lonely', ports: [ServicePort.tcp(7000)] });

    const ctx = collect(app);
    expect(ctx.objects.map(o => o.manifest.kind)).toEqual(expect.arrayContaining(['Deployment', 'Job', 'AuthorizationPolicy', 'NetworkPolicy', 'PeerAuthentication']));
    expect(runManifestRules(ctx)).toEqual([]);
  });

  test('user objects in a managed namespace are checked whoever emitted them', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    new ApiObject(chart, 'raw', ap({ rules: [{}] }));
    const policy = new kplus.NetworkPolicy(chart, 'plus', {
      metadata: { namespace: 'shop' },
      selector: kplus.Pods.select(chart, 'web', { labels: { app: 'web' } }),
    });
    policy.addEgressRule(kplus.Pods.all(chart, 'all'), [kplus.NetworkPolicyPort.tcp(8080)]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-'));
    fs.writeFileSync(path.join(dir, 'pa.yaml'), 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: legacy, namespace: shop}\nspec: {selector: {matchLabels: {app: legacy}}, mtls: {mode: PERMISSIVE}}\n');
    new Include(chart, 'included', { url: path.join(dir, 'pa.yaml') });
    expect(runManifestRules(collect(app)).map(f => `${f.ruleId} ${f.path}`)).toEqual([
      'ZT408 test/included/legacy-peerauthentication-shop',
      'ZT402 test/plus/Resource',
      'ZT428 test/plus/Resource',
      'ZT407 test/raw',
      'ZT429 test/raw',
    ]);
  });

  test('a namespace outside the mesh only warns ZT501', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: MeshMode.NONE });
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)], image: 'nginx' });
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)] });
    web.allowTo(api);
    expect(runManifestRules(collect(app)).map(f => `${f.ruleId} ${f.path}`)).toEqual(['ZT501 test/shop/Namespace']);
  });
});
