// The objects an EgressGateway declares pass ZT425 exactly; any other Gateway or route, or change to them, is refused.
import { ManifestContext, runManifestRules } from '../../src/rules/_manifest-rules';

const WORKLOAD = 'zero-trust.cdk8s.io/workload';

function obj(apiVersion: string, kind: string, spec: any, name: string, extra: any = {}): any {
  return { apiVersion, kind, metadata: { name, namespace: 'shop', ...extra }, spec };
}

const LISTENER = { name: 'tls-443.api.stripe.com', hostname: 'api.stripe.com', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'Same' } } };
const gateway = (spec: any = {}, annotations: any = { 'networking.istio.io/service-type': 'ClusterIP' }) => obj('gateway.networking.k8s.io/v1', 'Gateway', {
  gatewayClassName: 'istio', infrastructure: { labels: { [WORKLOAD]: 'egress' } }, listeners: [LISTENER], ...spec,
}, 'egress', { annotations });
const toGateway = (backend: any = { group: '', kind: 'Service', name: 'egress-istio', port: 443 }, parent: any = { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'egress.api.stripe.com' }) =>
  obj('gateway.networking.k8s.io/v1', 'TLSRoute', { parentRefs: [parent], hostnames: ['api.stripe.com'], rules: [{ backendRefs: [backend] }] }, 'egress-mesh.api.stripe.com');
const toHost = (backend: any = { group: 'networking.istio.io', kind: 'Hostname', name: 'api.stripe.com', port: 443 }, parent: any = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'egress', sectionName: LISTENER.name }) =>
  obj('gateway.networking.k8s.io/v1', 'TLSRoute', { parentRefs: [parent], hostnames: ['api.stripe.com'], rules: [{ backendRefs: [backend] }] }, 'egress-out.api.stripe.com');
const entry = (spec: any = {}) => obj('networking.istio.io/v1', 'ServiceEntry', {
  hosts: ['api.stripe.com'], ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'], ...spec,
}, 'egress.api.stripe.com');

const DECLARED = [gateway(), toGateway(), toHost(), entry()];

function context(objects: any[]): ManifestContext {
  return {
    objects: objects.map((manifest, i) => ({ manifest, path: `app/obj${i}` })),
    managed: new Map([['shop', { mesh: 'sidecar' as const, services: ['payment'] }]]),
    ends: [{ namespace: 'shop', selector: { [WORKLOAD]: 'egress' }, principal: 'cluster.local/ns/shop/sa/egress-istio' }],
    declared: DECLARED,
  };
}

const ids = (objects: any[]) => runManifestRules(context(objects)).map(f => `${f.ruleId} ${f.message.split(': ')[1]}`);

describe('egress gateway objects', () => {
  test('the declared objects raise nothing, with suppression annotations added', () => {
    const suppressed = gateway({}, { 'networking.istio.io/service-type': 'ClusterIP', 'zero-trust.cdk8s.io/suppress.ZT403': 'stripe rotates its addresses' });
    expect(ids([gateway(), toGateway(), toHost(), entry()])).toEqual([]);
    expect(ids([suppressed])).toEqual([]);
  });

  test.each([
    ['a Gateway without the ClusterIP annotation (a LoadBalancer)', gateway({}, {})],
    ['a Gateway with another annotation', gateway({}, { 'networking.istio.io/service-type': 'ClusterIP', 'sidecar.istio.io/inject': 'false' })],
    ['a Gateway with a label', obj('gateway.networking.k8s.io/v1', 'Gateway', gateway().spec, 'egress', { annotations: gateway().metadata.annotations, labels: { [WORKLOAD]: 'payment' } })],
    ['infrastructure.parametersRef', gateway({ infrastructure: { labels: { [WORKLOAD]: 'egress' }, parametersRef: { group: '', kind: 'ConfigMap', name: 'overlay' } } })],
    ['an extra listener', gateway({ listeners: [LISTENER, { ...LISTENER, name: 'tls-443.evil.example', hostname: 'evil.example' }] })],
    ['an HTTP listener', gateway({ listeners: [{ ...LISTENER, protocol: 'HTTP', tls: undefined }] })],
    ['routes from every namespace', gateway({ listeners: [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'All' } } }] })],
    ['addresses', gateway({ addresses: [{ value: '203.0.113.1' }] })],
    ['a second Gateway of the same shape', obj('gateway.networking.k8s.io/v1', 'Gateway', gateway().spec, 'evil', { annotations: gateway().metadata.annotations })],
  ])('refuses %s', (_name, object) => {
    expect(ids([object])).toEqual([`ZT425 Gateway shop/${object.metadata.name}`]);
  });

  test.each([
    ['a route to another Service', toGateway({ group: '', kind: 'Service', name: 'payment', port: 50051 })],
    ['a route to another host', toHost({ group: 'networking.istio.io', kind: 'Hostname', name: 'evil.example', port: 443 })],
    ['a route of another name, though of the declared shape', { ...toHost(), metadata: { name: 'evil-out', namespace: 'shop' } }],
  ])('refuses %s', (_name, object) => {
    expect(ids([gateway(), object])).toEqual([`ZT425 TLSRoute shop/${object.metadata.name}`]);
  });

  test.each([
    [['*'], 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
    [['.', 'other'], 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
    [undefined, 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
  ])('refuses a ServiceEntry exported to %j', (exportTo, expected) => {
    expect(ids([entry({ exportTo })])).toEqual([expected]);
  });
});

describe('ZT441: egress to addresses outside the cluster only as declared', () => {
  const policy = (egress: any[], selector: any = { [WORKLOAD]: 'payment' }) => obj('networking.k8s.io/v1', 'NetworkPolicy', { podSelector: { matchLabels: selector }, policyTypes: ['Egress'], egress }, 'x');
  const declared = { namespace: 'shop', selector: { [WORKLOAD]: 'payment' }, ipBlocks: [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }, { cidr: '2001:db8::/32' }], ports: [443] };
  const findings = (egress: any[], selector?: any) =>
    runManifestRules({ ...context([policy(egress, selector)]), addresses: [declared] }).map(f => f.message);
  const refused = (field: string, block: string) => `[ZT441] app/obj0: NetworkPolicy shop/x, ${field}: the ipBlock ${block} lets the selected pods reach addresses outside the cluster directly, which no flow declares. Declare the flow with \`allowToExternal(ExternalPeer.cidr(...))\`, or route a host through an EgressGateway, or suppress ZT441 with a reason.`;
  const TCP_443 = [{ protocol: 'TCP', port: 443 }];

  test('the declared blocks pass, in the declared workload\'s policy, on declared ports', () => {
    expect(findings([{ to: [{ ipBlock: declared.ipBlocks[0] }, { ipBlock: declared.ipBlocks[1] }], ports: TCP_443 }])).toEqual([]);
    expect(findings([{ to: [{ ipBlock: declared.ipBlocks[1] }], ports: [{ port: 443 }] }])).toEqual([]);
  });

  test.each([
    ['an undeclared block', [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: TCP_443 }], undefined, [['spec.egress[0].to[0].ipBlock', '198.51.100.0/24']]],
    ['a declared block without its except', [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: TCP_443 }], undefined, [['spec.egress[0].to[0].ipBlock', '203.0.113.0/24']]],
    ['a declared block on another port', [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ protocol: 'TCP', port: 22 }] }], undefined, [['spec.egress[0].to[0].ipBlock', '2001:db8::/32']]],
    ['a declared block on every port', [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }], undefined, [['spec.egress[0].to[0].ipBlock', '2001:db8::/32']]],
    ['a declared block in another workload\'s policy', [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: TCP_443 }], { [WORKLOAD]: 'egress' }, [['spec.egress[0].to[0].ipBlock', '2001:db8::/32']]],
    // The rule is not the declared one, so each of its blocks is reported.
    ['a declared block beside an undeclared one', [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }, { ipBlock: { cidr: '169.254.169.254/32' } }], ports: TCP_443 }], undefined, [['spec.egress[0].to[0].ipBlock', '2001:db8::/32'], ['spec.egress[0].to[1].ipBlock', '169.254.169.254/32']]],
  ])('refuses %s', (_name, egress, selector, expected) => {
    expect(findings(egress, selector).filter(m => m.startsWith('[ZT441]'))).toEqual(expected.map(([field, block]) => refused(field, block)));
  });

  test('leaves every address to ZT403 and the private ranges to ZT418', () => {
    const ruleIds = (egress: any[]) => runManifestRules(context([policy(egress)])).map(f => f.ruleId);
    expect(ruleIds([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: TCP_443 }])).toEqual(['ZT403', 'ZT403']);
    expect(ruleIds([{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: TCP_443 }])).toEqual(['ZT418']);
    expect(ruleIds([{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }], ports: TCP_443 }])).toEqual(['ZT418']);
    expect(ruleIds([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '198.51.100.0/24' } }], ports: TCP_443 }])).toEqual(['ZT403']);
  });
});
