import { isReadKind, readObjects } from '../../src/analyzer/_manifest-kinds';

const obj = (apiVersion: string, kind: string, spec?: any) => ({ apiVersion, kind, metadata: { name: 'o', namespace: 'x' }, ...(spec ? { spec } : {}) });

describe('isReadKind', () => {
  test.each([
    ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['v1', 'ReplicationController'], ['v1', 'Namespace'], ['v1', 'Service'],
    ['networking.k8s.io/v1', 'NetworkPolicy'], ['security.istio.io/v1', 'PeerAuthentication'], ['security.istio.io/v1', 'AuthorizationPolicy'],
    ['security.istio.io/v1', 'RequestAuthentication'],
    ['extensions/v1beta1', 'Deployment'], ['extensions/v1beta1', 'NetworkPolicy'],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
    ['networking.istio.io/v1', 'ServiceEntry'], ['gateway.networking.k8s.io/v1', 'TLSRoute'],
  ])('reads %s %s', (apiVersion, kind) => {
    expect(isReadKind(obj(apiVersion, kind))).toBe(true);
  });

  test('reads a Gateway of class istio, whose pods it derives, and ignores other classes\' Gateways and other route kinds', () => {
    expect(isReadKind(obj('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'istio' }))).toBe(true);
    expect(isReadKind(obj('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'istio-waypoint' }))).toBe(true);
    expect(isReadKind(obj('gateway.networking.k8s.io/v1', 'Gateway', { gatewayClassName: 'nginx' }))).toBe(false);
    expect(isReadKind(obj('gateway.networking.k8s.io/v1', 'TCPRoute'))).toBe(false);
    expect(() => isReadKind(obj('gateway.networking.k8s.io/v1beta1', 'HTTPRoute'))).toThrow(
      'HTTPRoute x/o: unsupported apiVersion "gateway.networking.k8s.io/v1beta1" (expected gateway.networking.k8s.io/v1)');
  });

  test.each([
    ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'ServiceAccount'], ['networking.k8s.io/v1', 'Ingress'],
    ['route.openshift.io/v1', 'Route'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1alpha3', 'Gateway'],
    ['networking.istio.io/v1', 'WorkloadEntry'],
    ['telemetry.istio.io/v1', 'Telemetry'], ['kuma.io/v1alpha1', 'MeshTimeout'], ['example.notistio.io/v1', 'Sidecar'], ['serving.knative.dev/v1', 'Service'],
  ])('ignores %s %s', (apiVersion, kind) => {
    expect(isReadKind(obj(apiVersion, kind))).toBe(false);
  });

  test('ignores a DestinationRule whose TLS modes are all ISTIO_MUTUAL', () => {
    const tls = { tls: { mode: 'ISTIO_MUTUAL' } };
    expect(isReadKind(obj('networking.istio.io/v1', 'DestinationRule', {
      host: 'db', trafficPolicy: { ...tls, portLevelSettings: [{ port: { number: 5432 }, ...tls }] }, subsets: [{ name: 'v1', trafficPolicy: tls }, { name: 'v2' }],
    }))).toBe(false);
  });

  test('ignores ConfigMaps that are not the mesh configuration', () => {
    expect(isReadKind({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: 'x' }, data: { 'root-cert.pem': '' } })).toBe(false);
    expect(isReadKind({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istiod', namespace: 'x' }, data: { mesh: '' } })).toBe(false);
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
    [obj('networking.istio.io/v1', 'DestinationRule', { trafficPolicy: { portLevelSettings: [{ tls: { mode: 'ISTIO_MUTUAL' } }, { tls: { mode: 'SIMPLE' } }] } }),
      'DestinationRule x/o: spec.trafficPolicy.portLevelSettings[1].tls.mode: the analyzer models only ISTIO_MUTUAL, not "SIMPLE", which changes whether clients present their mesh identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'DISABLE' } } }] }),
      'DestinationRule x/o: spec.subsets[0].trafficPolicy.tls.mode: the analyzer models only ISTIO_MUTUAL, not "DISABLE", which changes whether clients present their mesh identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { trafficPolicy: { tls: {} } }),
      'DestinationRule x/o: spec.trafficPolicy.tls.mode: the analyzer models only ISTIO_MUTUAL, not DISABLE, the default when mode is not set, which changes whether clients present their mesh identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { sni: 'db' } }] } }),
      'DestinationRule x/o: spec.trafficPolicy.portLevelSettings[0].tls.mode: the analyzer models only ISTIO_MUTUAL, not DISABLE, the default when mode is not set, which changes whether clients present their mesh identity'],
    [obj('networking.istio.io/v1', 'DestinationRule', { subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: null } } }] }),
      'DestinationRule x/o: spec.subsets[0].trafficPolicy.tls.mode: the analyzer models only ISTIO_MUTUAL, not DISABLE, the default when mode is not set, which changes whether clients present their mesh identity'],
    [obj('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy'),
      'AuthorizationPolicy x/o: the analyzer does not model AuthorizationPolicy (policy.linkerd.io/v1alpha1), another mesh\'s authorization, which can change what is allowed'],
    [obj('access.smi-spec.io/v1alpha3', 'TrafficTarget'),
      'TrafficTarget x/o: the analyzer does not model TrafficTarget (access.smi-spec.io/v1alpha3), another mesh\'s authorization, which can change what is allowed'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'trustDomain: corp.example\n' } },
      'ConfigMap istio-system/istio: data.mesh: the analyzer does not model the mesh configuration, which can change the trust domain, the root namespace and auto mTLS, which the analyzer assumes are the defaults'],
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-canary', namespace: 'elsewhere' }, data: { mesh: '' } },
      'ConfigMap elsewhere/istio-canary: data.mesh: the analyzer does not model the mesh configuration, which can change the trust domain, the root namespace and auto mTLS, which the analyzer assumes are the defaults'],
    [{ apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name: 'default' } },
      'Istio default: the analyzer does not model Istio (sailoperator.io/v1), which installs Istio and sets the mesh configuration, which can change the trust domain, the root namespace and auto mTLS, which the analyzer assumes are the defaults'],
    [obj('install.istio.io/v1alpha1', 'IstioOperator'), 'IstioOperator x/o: the analyzer does not model IstioOperator (install.istio.io/v1alpha1), which can change what Istio allows'],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'istio.io/use-waypoint': 'w' } } },
      'Namespace x: metadata.labels["istio.io/use-waypoint"]: the analyzer models waypoints for Services only (a label on the Service), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity'],
  ])('refuses %j', (m, message) => {
    expect(() => isReadKind(m)).toThrow(message);
  });
});

describe('readObjects', () => {
  test('keeps the objects read and counts the ignored ones per kind, sorted by kind', () => {
    const pod = obj('v1', 'Pod');
    expect(readObjects([obj('v1', 'Secret'), pod, obj('v1', 'ConfigMap'), obj('v1', 'Secret')]))
      .toEqual({ read: [pod], ignored: 'ignored 3 objects of kinds it does not model: ConfigMap (1), Secret (2)' });
    expect(readObjects([obj('v1', 'ConfigMap')]).ignored).toBe('ignored 1 object of kinds it does not model: ConfigMap (1)');
  });

  test('has no line when every object is read', () => {
    expect(readObjects([obj('v1', 'Pod'), obj('v1', 'Service')]).ignored).toBeUndefined();
  });

  test('reads kinds by group and kind: another project\'s Service is ignored, not read', () => {
    expect(readObjects([obj('serving.knative.dev/v1', 'Service')])).toEqual({ read: [], ignored: 'ignored 1 object of kinds it does not model: Service (1)' });
  });
});
