import { WaypointIndex, isWaypointGateway, waypointPodsFromManifests } from '../../src/analyzer/_waypoint-eval';

const gateway = (metadata: any, spec: any) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace: 'shop', ...metadata }, spec });
const HBONE = [{ name: 'mesh', port: 15008, protocol: 'HBONE' }];

describe('waypointPodsFromManifests', () => {
  test('one pod per waypoint Gateway, named and running as the Gateway, on HBONE, in the mesh', () => {
    const gw = gateway({ name: 'waypoint' }, { gatewayClassName: 'istio-waypoint', listeners: HBONE });
    expect(isWaypointGateway(gw)).toBe(true);
    expect(isWaypointGateway(gateway({ name: 'g' }, { gatewayClassName: 'istio', listeners: HBONE }))).toBe(false);
    expect(waypointPodsFromManifests([gw], [])).toEqual([{
      namespace: 'shop',
      name: 'waypoint',
      labels: {
        'sidecar.istio.io/inject': 'false',
        'istio.io/dataplane-mode': 'none',
        'gateway.networking.k8s.io/gateway-name': 'waypoint',
        'gateway.networking.k8s.io/gateway-class-name': 'istio-waypoint',
        'gateway.istio.io/managed': 'istio.io-mesh-controller',
      },
      serviceAccount: 'waypoint',
      ports: [{ port: 15008, protocol: 'TCP' }],
      meshed: true,
      waypoint: true,
    }]);
    // A pod that a manifest already describes is not derived again.
    expect(waypointPodsFromManifests([gw], [{ namespace: 'shop', name: 'waypoint' }])).toEqual([]);
  });

  test.each([
    [gateway({ name: 'w', labels: { 'istio.io/waypoint-for': 'workload' } }, { gatewayClassName: 'istio-waypoint', listeners: HBONE }),
      'Gateway shop/w: metadata.labels["istio.io/waypoint-for"]: the analyzer models only waypoints for services, not "workload"'],
    [gateway({ name: 'w' }, { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }),
      'Gateway shop/w: spec.listeners: the analyzer models only a waypoint with one HBONE listener on 15008'],
    [gateway({ name: 'w' }, { gatewayClassName: 'istio-waypoint', listeners: HBONE, addresses: [{ value: '10.0.0.1' }] }),
      'Gateway shop/w: the analyzer does not model a waypoint\'s spec.addresses or spec.infrastructure'],
    [{ ...gateway({ name: 'w' }, { gatewayClassName: 'istio-waypoint', listeners: HBONE }), apiVersion: 'gateway.networking.k8s.io/v1beta1' },
      'Gateway shop/w: unsupported apiVersion "gateway.networking.k8s.io/v1beta1" (expected gateway.networking.k8s.io/v1)'],
  ])('refuses %j', (m, message) => {
    expect(() => waypointPodsFromManifests([m], [])).toThrow(message);
  });
});

describe('WaypointIndex', () => {
  const service = (name: string, labels: Record<string, string>, ports: any[] = [{ port: 80, targetPort: 8080 }]) =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', labels }, spec: { selector: { app: name }, ports } });
  const policy = { id: 'shop/p', namespace: 'shop', action: 'ALLOW', rules: [], targets: ['api'], dryRun: false };

  const authn = { id: 'shop/jwt', namespace: 'shop', issuers: ['https://issuer.example'], targets: ['api', 'web'] };

  test('binds the pods a labelled Service selects to its waypoint, on its target ports, with the policies and RequestAuthentications that target it', () => {
    const index = new WaypointIndex(new Map([['shop', [service('api', { 'istio.io/use-waypoint': 'waypoint' }), service('web', {}),
      service('off', { 'istio.io/use-waypoint': 'none' })]]]), [policy], [authn, { ...authn, id: 'other/jwt', namespace: 'other' }]);
    expect(index.behind('shop', { app: 'api', extra: 'x' })).toEqual([{
      namespace: 'shop', waypoint: 'waypoint', service: 'api', ingress: false, ports: [8080], policies: [policy], authns: [authn],
    }]);
    expect(index.behind('shop', { app: 'web' })).toEqual([]);
    expect(index.behind('shop', { app: 'off' })).toEqual([]);
    expect(index.served('shop', 'waypoint').map(b => b.service)).toEqual(['api']);
    expect(index.served('shop', 'other')).toEqual([]);
  });

  test('records whether ingress gateways go through the waypoint too: only `istio.io/ingress-use-waypoint: "true"` sends them', () => {
    const index = new WaypointIndex(new Map([['shop', [service('api', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' }),
      service('web', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'false' })]]]), []);
    expect([index.behind('shop', { app: 'api' })[0].ingress, index.behind('shop', { app: 'web' })[0].ingress]).toEqual([true, false]);
  });

  test.each([
    [service('api', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'infra' }),
      'Service shop/api: metadata.labels["istio.io/use-waypoint-namespace"]: the analyzer models only waypoints in the Service\'s namespace'],
    [service('api', { 'istio.io/use-waypoint': 'waypoint' }, [{ port: 80, targetPort: 'http' }]),
      'Service shop/api: spec.ports[0].targetPort: the analyzer models only numeric target ports behind a waypoint'],
  ])('refuses %j', (m, message) => {
    expect(() => new WaypointIndex(new Map([['shop', [m]]]), [])).toThrow(message);
  });
});
