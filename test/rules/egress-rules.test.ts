// The shapes an EgressGateway emits pass ZT425; each hostile variation of them is refused.
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

function context(objects: any[], selector: any = { [WORKLOAD]: 'egress' }): ManifestContext {
  return {
    objects: objects.map((manifest, i) => ({ manifest, path: `app/obj${i}` })),
    managed: new Map([['shop', { mesh: 'sidecar' as const, services: ['payment'] }]]),
    ends: [{ namespace: 'shop', selector, principal: 'cluster.local/ns/shop/sa/egress-istio' }],
  };
}

const ids = (objects: any[], selector?: any) => runManifestRules(context(objects, selector)).map(f => `${f.ruleId} ${f.message.split(': ')[1]}`);

describe('egress gateway objects', () => {
  test('the emitted shapes raise nothing', () => {
    expect(ids([gateway(), toGateway(), toHost(), entry()])).toEqual([]);
  });

  test.each([
    ['a Gateway without the ClusterIP annotation (a LoadBalancer)', [gateway({}, {})], 'ZT425 Gateway shop/egress'],
    ['an HTTP listener', [gateway({ listeners: [{ ...LISTENER, protocol: 'HTTP', tls: undefined }] })], 'ZT425 Gateway shop/egress'],
    ['a terminating listener', [gateway({ listeners: [{ ...LISTENER, tls: { mode: 'Terminate' } }] })], 'ZT425 Gateway shop/egress'],
    ['routes from every namespace', [gateway({ listeners: [{ ...LISTENER, allowedRoutes: { namespaces: { from: 'All' } } }] })], 'ZT425 Gateway shop/egress'],
    ['a wildcard listener', [gateway({ listeners: [{ ...LISTENER, hostname: '*.stripe.com' }] })], 'ZT425 Gateway shop/egress'],
    ['a listener for a cluster host', [gateway({ listeners: [{ ...LISTENER, hostname: 'payment.shop.svc.cluster.local' }] })], 'ZT425 Gateway shop/egress'],
    ['addresses', [gateway({ addresses: [{ value: '203.0.113.1' }] })], 'ZT425 Gateway shop/egress'],
    ['another class', [gateway({ gatewayClassName: 'other' })], 'ZT425 Gateway shop/egress'],
    ['pods no declared end selects', [gateway({ infrastructure: { labels: { [WORKLOAD]: 'debug' } } })], 'ZT425 Gateway shop/egress'],
  ])('refuses %s', (_name, objects, expected) => {
    expect(ids(objects as any[])).toEqual([expected]);
  });

  test('the gateway must be a declared end selected by the workload label alone', () => {
    expect(ids([gateway()], { [WORKLOAD]: 'egress', extra: 'x' })).toEqual(['ZT425 Gateway shop/egress']);
  });

  test.each([
    ['a route to another Service', [toGateway({ group: '', kind: 'Service', name: 'payment', port: 50051 })]],
    ['a route to a gateway Service of another namespace', [toGateway({ group: '', kind: 'Service', name: 'egress-istio', namespace: 'other', port: 443 })]],
    ['a route parented to a ServiceEntry of another namespace', [toGateway(undefined, { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'x', namespace: 'other' })]],
    ['a route attached to a Gateway that is not an egress gateway', [toHost(undefined, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' })]],
    ['a route to a cluster host', [toHost({ group: 'networking.istio.io', kind: 'Hostname', name: 'payment.shop.svc.cluster.local', port: 443 })]],
  ])('refuses %s', (_name, objects) => {
    expect(ids([gateway(), ...(objects as any[])])).toEqual([`ZT425 TLSRoute shop/${(objects as any[])[0].metadata.name}`]);
  });

  test.each([
    [['*'], 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
    [['.', 'other'], 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
    [undefined, 'ZT440 ServiceEntry shop/egress.api.stripe.com, spec.exportTo'],
  ])('refuses a ServiceEntry exported to %j', (exportTo, expected) => {
    expect(ids([entry({ exportTo })])).toEqual([expected]);
  });
});
