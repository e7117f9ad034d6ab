import { gatewayPodsFromManifests } from '../../src/analyzer/_gateway-pods';
import { isReadKind } from '../../src/analyzer/_manifest-kinds';
import { podsFromManifests } from '../../src/analyzer/_manifest-pods';

const gateway = (spec: any, apiVersion = 'gateway.networking.k8s.io/v1') => ({ apiVersion, kind: 'Gateway', metadata: { name: 'egress', namespace: 'shop' }, spec });
const PASSTHROUGH = { mode: 'Passthrough' };
const LISTENERS = [
  { name: 'a', port: 443, protocol: 'TLS', tls: PASSTHROUGH }, { name: 'b', port: 8443, protocol: 'TLS', tls: PASSTHROUGH },
  { name: 'c', port: 443, protocol: 'TLS', hostname: 'x.example.com', tls: PASSTHROUGH },
];

describe('the pods Istio deploys for a Gateway of class istio', () => {
  test('an egress gateway (TLS passthrough): one pod `<name>-istio`, as its ServiceAccount, with the infrastructure labels and Istio\'s, on the listener ports, in the mesh', () => {
    expect(podsFromManifests([gateway({ gatewayClassName: 'istio', infrastructure: { labels: { 'zero-trust.cdk8s.io/workload': 'egress' } }, listeners: LISTENERS })])).toEqual([{
      namespace: 'shop',
      name: 'egress-istio',
      labels: {
        'zero-trust.cdk8s.io/workload': 'egress',
        'sidecar.istio.io/inject': 'false',
        'gateway.networking.k8s.io/gateway-name': 'egress',
        'gateway.networking.k8s.io/gateway-class-name': 'istio',
        'gateway.istio.io/managed': 'istio.io-gateway-controller',
      },
      serviceAccount: 'egress-istio',
      ports: [{ port: 443, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }],
      meshed: true,
    }]);
  });

  test('the command line reads such Gateways and ignores those of other classes', () => {
    expect(isReadKind(gateway({ gatewayClassName: 'istio', listeners: LISTENERS }))).toBe(true);
    expect(isReadKind(gateway({ gatewayClassName: 'other', listeners: LISTENERS }))).toBe(false);
    expect(podsFromManifests([gateway({ gatewayClassName: 'other', listeners: LISTENERS })])).toEqual([]);
  });

  test.each([
    [gateway({ gatewayClassName: 'istio', listeners: LISTENERS }, 'gateway.networking.k8s.io/v1beta1'), 'Gateway shop/egress: unsupported apiVersion "gateway.networking.k8s.io/v1beta1" (expected gateway.networking.k8s.io/v1)'],
    [gateway({ gatewayClassName: 'istio', listeners: [{ name: 'a' }] }), 'Gateway shop/egress: spec.listeners[0].port: expected a port number, got undefined'],
    [gateway({ gatewayClassName: 'istio', listeners: [{ name: 'http', port: '80' }] }), 'Gateway shop/egress: spec.listeners[0].port: expected a port number, got "80"'],
    [gateway({ gatewayClassName: 'istio', listeners: LISTENERS, infrastructure: { labels: { a: 1 } } }), 'Gateway shop/egress: spec.infrastructure.labels.a: expected a string'],
  ])('refuses what it cannot read', (m, message) => {
    expect(() => podsFromManifests([m])).toThrow(message);
  });
});

describe('the pods of an ingress gateway (listeners that end TLS or speak HTTP)', () => {
  const ingress = (name: string, spec: object, annotations?: object) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'edge', ...(annotations ? { annotations } : {}) },
    spec: { gatewayClassName: 'istio', ...spec },
  });
  const listeners = [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https', port: 443, protocol: 'HTTPS' }, { name: 'h2', port: 80, protocol: 'HTTP', hostname: 'a.example.com' }];

  test('its clients come from outside the mesh, so no PeerAuthentication governs it (`gateway`)', () => {
    expect(gatewayPodsFromManifests([ingress('public', { listeners })], [])).toEqual([{
      namespace: 'edge',
      name: 'public-istio',
      labels: {
        'sidecar.istio.io/inject': 'false',
        'gateway.networking.k8s.io/gateway-name': 'public',
        'gateway.networking.k8s.io/gateway-class-name': 'istio',
        'gateway.istio.io/managed': 'istio.io-gateway-controller',
      },
      serviceAccount: 'public-istio',
      ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
      meshed: true,
      gateway: true,
    }]);
  });

  test('the ServiceAccount annotation names the identity', () => {
    expect(gatewayPodsFromManifests([ingress('public', { listeners }, { 'gateway.istio.io/service-account': 'edge-gw' })], [])[0].serviceAccount).toBe('edge-gw');
  });

  test('no pod for another class, a Gateway with addresses (deployed by hand), or pods a manifest already describes', () => {
    const manual = ingress('manual', { listeners, addresses: [{ value: '10.0.0.1' }] });
    const other = { ...ingress('other', { listeners }), spec: { gatewayClassName: 'nginx', listeners } };
    const described = [{ namespace: 'edge', name: 'public-istio' }];
    expect(gatewayPodsFromManifests([manual, other, ingress('public', { listeners })], described)).toEqual([]);
  });
});
