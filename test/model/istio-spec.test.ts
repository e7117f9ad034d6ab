// Every object the constructs emit, in every mesh mode, is valid: Kubernetes kinds against kubernetes-models,
// Istio kinds against their CRD's OpenAPI schema and CEL rules from ../shared/istio/crds.yaml (skipped, with a notice, without it).
import * as kplus from 'cdk8s-plus-27';
import { MeshedService, MeshMode, ServicePort, ZeroTrustNamespace } from '../../src';
import { istioCrdsAvailable, ISTIO_CRDS_PATH, validateManifests } from '../_schema';
import { newChart, synthAll } from '../_util';

function everyKindApp() {
  const { app, chart } = newChart();
  const services: MeshedService[] = [];
  for (const mesh of [MeshMode.SIDECAR, MeshMode.AMBIENT, MeshMode.NONE]) {
    const ns = new ZeroTrustNamespace(chart, `ns-${mesh}`, { name: `ns-${mesh}`, trustDomain: 'example.org' });
    services.push(new MeshedService(chart, `a-${mesh}`, { namespace: ns, name: 'a', ports: [ServicePort.http(8080), ServicePort.grpc(9090)], image: 'nginx' }));
    const b = new MeshedService(chart, `b-${mesh}`, { namespace: ns, name: 'b', ports: [ServicePort.tcp(5432, 'postgres')], labels: { tier: 'db' } });
    b.enrol(new kplus.StatefulSet(chart, `b-sts-${mesh}`, {
      metadata: { namespace: ns.name },
      serviceAccount: b.serviceAccount,
      containers: [{ image: 'postgres', ports: [{ number: 5432 }] }],
      service: new kplus.Service(chart, `b-headless-${mesh}`, { metadata: { namespace: ns.name }, clusterIP: 'None', ports: [{ port: 5432 }] }),
    }));
    services.push(b);
  }
  for (const from of services) {
    for (const to of services) {
      if (from !== to && (from.namespace.meshed || !to.namespace.meshed)) from.allowTo(to, { ports: [to.ports[0].port] });
    }
  }
  // Request rules and end-user tokens, on the sidecar server a.
  const [sidecarA, sidecarB] = services;
  sidecarB.allowTo(sidecarA, { ports: [8080, 9090], http: { methods: ['GET', 'POST'], paths: ['/v1/*', '/pkg.Service/Method'] } });
  sidecarA.requireJwt({ issuer: 'https://login.example.com', jwksUri: 'https://login.example.com/jwks.json', audiences: ['shop'] });
  return synthAll(app);
}

describe('emitted objects are structurally valid', () => {
  const objects = everyKindApp();
  const report = validateManifests(objects);
  if (!istioCrdsAvailable()) {
    console.warn(`SKIPPED: Istio schema and CEL checks: the CRD bundle is not at ${ISTIO_CRDS_PATH}`);
  }

  test('the app emits every kind we generate', () => {
    const kinds = new Set(objects.map(o => o.kind));
    for (const kind of ['Namespace', 'NetworkPolicy', 'ServiceAccount', 'Service', 'Deployment', 'StatefulSet', 'PeerAuthentication', 'AuthorizationPolicy', 'DestinationRule', 'RequestAuthentication']) {
      expect(kinds).toContain(kind);
    }
  });

  test('no schema or CEL error', () => {
    expect(report.errors).toEqual([]);
  });

  (istioCrdsAvailable() ? test : test.skip)('Istio kinds were checked, with no CEL rule left unevaluated', () => {
    expect(report.skipped).toEqual([]);
  });
});
