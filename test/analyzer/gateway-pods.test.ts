import { isReadKind } from '../../src/analyzer/_manifest-kinds';
import { podsFromManifests } from '../../src/analyzer/_manifest-pods';

const gateway = (spec: any, apiVersion = 'gateway.networking.k8s.io/v1') => ({ apiVersion, kind: 'Gateway', metadata: { name: 'egress', namespace: 'shop' }, spec });
const LISTENERS = [{ name: 'a', port: 443, protocol: 'TLS' }, { name: 'b', port: 8443, protocol: 'TLS' }, { name: 'c', port: 443, protocol: 'TLS', hostname: 'x.example.com' }];

describe('the pods Istio deploys for a Gateway of class istio', () => {
  test('one pod `<name>-istio`, as its ServiceAccount, with the infrastructure labels and Istio\'s, on the listener ports, in the mesh', () => {
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
    [gateway({ gatewayClassName: 'istio', listeners: [{ name: 'a' }] }), 'Gateway shop/egress: spec.listeners: expected a list of listeners with ports'],
    [gateway({ gatewayClassName: 'istio', listeners: LISTENERS, infrastructure: { labels: { a: 1 } } }), 'Gateway shop/egress: spec.infrastructure.labels.a: expected a string'],
  ])('refuses what it cannot read', (m, message) => {
    expect(() => podsFromManifests([m])).toThrow(message);
  });
});
