import { gatewayPodsFromManifests } from '../../src/analyzer/_manifest-gateways';

const gateway = (name: string, spec: object, annotations?: object) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'edge', ...(annotations ? { annotations } : {}) },
  spec: { gatewayClassName: 'istio', ...spec },
});
const listeners = [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https', port: 443, protocol: 'HTTPS' }, { name: 'h2', port: 80, protocol: 'HTTP', hostname: 'a.example.com' }];

describe('gatewayPodsFromManifests', () => {
  test('one pod per istio Gateway: named and running as <name>-istio, labelled with the gateway name, on the listener ports, in the mesh', () => {
    expect(gatewayPodsFromManifests([gateway('public', { listeners })], [])).toEqual([{
      namespace: 'edge',
      name: 'public-istio',
      labels: { 'gateway.networking.k8s.io/gateway-name': 'public' },
      serviceAccount: 'public-istio',
      ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
      meshed: true,
      gateway: true,
    }]);
  });

  test('the ServiceAccount annotation names the identity', () => {
    expect(gatewayPodsFromManifests([gateway('public', { listeners }, { 'gateway.istio.io/service-account': 'edge-gw' })], [])[0].serviceAccount).toBe('edge-gw');
  });

  test('no pod for another class, a Gateway with addresses (deployed by hand), or pods a manifest already describes', () => {
    const manual = gateway('manual', { listeners, addresses: [{ value: '10.0.0.1' }] });
    const other = { ...gateway('other', { listeners }), spec: { gatewayClassName: 'nginx', listeners } };
    const described = [{ namespace: 'edge', name: 'public-istio' }];
    expect(gatewayPodsFromManifests([manual, other, gateway('public', { listeners })], described)).toEqual([]);
  });

  test('a listener without a port number is an error naming the Gateway', () => {
    expect(() => gatewayPodsFromManifests([gateway('public', { listeners: [{ name: 'http', port: '80' }] })], [])).toThrow(
      'Gateway edge/public: spec.listeners[0].port: expected a port number, got "80"');
  });
});
