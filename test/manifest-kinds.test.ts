import { ignoredKindsNote, isReadKind } from '../src/_manifest-kinds';

const obj = (apiVersion: string, kind: string, spec?: any) => ({ apiVersion, kind, metadata: { name: 'o', namespace: 'x' }, ...(spec ? { spec } : {}) });

describe('isReadKind', () => {
  test.each([
    ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['v1', 'ReplicationController'], ['v1', 'Namespace'], ['v1', 'Service'],
    ['networking.k8s.io/v1', 'NetworkPolicy'], ['security.istio.io/v1', 'PeerAuthentication'], ['security.istio.io/v1', 'AuthorizationPolicy'],
  ])('reads %s %s', (apiVersion, kind) => {
    expect(isReadKind(obj(apiVersion, kind))).toBe(true);
  });

  test.each([
    ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'ServiceAccount'], ['networking.k8s.io/v1', 'Ingress'], ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['gateway.networking.k8s.io/v1', 'Gateway'],
    ['route.openshift.io/v1', 'Route'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1alpha3', 'Gateway'],
    ['networking.istio.io/v1', 'ServiceEntry'], ['networking.istio.io/v1', 'WorkloadEntry'], ['security.istio.io/v1', 'RequestAuthentication'],
    ['telemetry.istio.io/v1', 'Telemetry'], ['kuma.io/v1alpha1', 'MeshTimeout'],
  ])('ignores %s %s', (apiVersion, kind) => {
    expect(isReadKind(obj(apiVersion, kind))).toBe(false);
  });

  test('ignores a DestinationRule whose TLS modes are all ISTIO_MUTUAL', () => {
    const tls = { tls: { mode: 'ISTIO_MUTUAL' } };
    expect(isReadKind(obj('networking.istio.io/v1', 'DestinationRule', {
      host: 'db', trafficPolicy: { ...tls, portLevelSettings: [{ port: { number: 5432 }, ...tls }] }, subsets: [{ name: 'v1', trafficPolicy: tls }, { name: 'v2' }],
    }))).toBe(false);
  });

  test.each([
    [obj('networking.istio.io/v1', 'Sidecar'), 'Sidecar x/o: the analyzer does not model Sidecar (networking.istio.io/v1), which can change what Istio allows'],
    [obj('extensions.istio.io/v1alpha1', 'WasmPlugin'), 'WasmPlugin x/o: the analyzer does not model WasmPlugin (extensions.istio.io/v1alpha1), which can change what Istio allows'],
    [obj('rbac.istio.io/v1alpha1', 'ServiceRole'), 'ServiceRole x/o: the analyzer does not model ServiceRole (rbac.istio.io/v1alpha1), which can change what Istio allows'],
    [{ apiVersion: 'rbac.istio.io/v1alpha1', kind: 'ClusterRbacConfig', metadata: { name: 'default' } },
      'ClusterRbacConfig default: the analyzer does not model ClusterRbacConfig (rbac.istio.io/v1alpha1), which can change what Istio allows'],
    [obj('authentication.istio.io/v1alpha1', 'Policy'), 'Policy x/o: the analyzer does not model Policy (authentication.istio.io/v1alpha1), which can change what Istio allows'],
    [obj('networking.istio.io/v1', 'EnvoyFilter'), 'EnvoyFilter x/o: the analyzer does not model EnvoyFilter, which can change what NetworkPolicies and Istio allow'],
    [obj('cilium.io/v2', 'CiliumNetworkPolicy'), 'CiliumNetworkPolicy x/o: the analyzer does not model CiliumNetworkPolicy, which can change what NetworkPolicies and Istio allow'],
    [obj('policy.linkerd.io/v1beta3', 'Server'), 'Server x/o: the analyzer does not model Server (policy.linkerd.io/v1beta3), another mesh\'s authorization, which can change what is allowed'],
    [obj('kuma.io/v1alpha1', 'MeshTrafficPermission'),
      'MeshTrafficPermission x/o: the analyzer does not model MeshTrafficPermission (kuma.io/v1alpha1), another mesh\'s authorization, which can change what is allowed'],
    [obj('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'istio-waypoint' }),
      'Gateway x/o: the analyzer does not model waypoint proxies, which change where Istio authorizes traffic and with which identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { trafficPolicy: { portLevelSettings: [{ tls: { mode: 'ISTIO_MUTUAL' } }, { tls: { mode: 'SIMPLE' } }] } }),
      'DestinationRule x/o: spec.trafficPolicy.portLevelSettings[1].tls.mode: the analyzer models only ISTIO_MUTUAL, not "SIMPLE", which changes whether clients present their mesh identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'DISABLE' } } }] }),
      'DestinationRule x/o: spec.subsets[0].trafficPolicy.tls.mode: the analyzer models only ISTIO_MUTUAL, not "DISABLE", which changes whether clients present their mesh identity'],
  ])('refuses %j', (m, message) => {
    expect(() => isReadKind(m)).toThrow(message);
  });
});

describe('ignoredKindsNote', () => {
  test('counts the ignored objects per kind, sorted by kind', () => {
    expect(ignoredKindsNote([obj('v1', 'Secret'), obj('v1', 'Pod'), obj('v1', 'ConfigMap'), obj('v1', 'Secret')]))
      .toBe('ignored 3 objects of kinds it does not model: ConfigMap (1), Secret (2)');
    expect(ignoredKindsNote([obj('v1', 'ConfigMap')])).toBe('ignored 1 object of kinds it does not model: ConfigMap (1)');
  });

  test('is undefined when every object is read', () => {
    expect(ignoredKindsNote([obj('v1', 'Pod'), obj('v1', 'Service')])).toBeUndefined();
  });
});
