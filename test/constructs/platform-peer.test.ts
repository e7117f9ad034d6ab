import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MeshedService, MeshMode, PlatformPeer, Reachability, ServicePort, ZeroTrustNamespace } from '../../src';
import { validateManifests } from '../_schema';
import { find, synthAll } from '../_util';

const PROMETHEUS = { namespace: 'monitoring', serviceAccount: 'prometheus', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
const NGINX = { namespace: 'ingress-nginx', serviceAccount: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

/** shop (sidecar) runs web and an operator; payments (ambient) runs api; legacy (outside the mesh) runs batch. */
function cluster() {
  const app = Testing.app();
  const chart = new Chart(app, 'cluster');
  const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  const payments = new ZeroTrustNamespace(chart, 'payments', { name: 'payments', mesh: MeshMode.AMBIENT });
  const legacy = new ZeroTrustNamespace(chart, 'legacy', { name: 'legacy', mesh: MeshMode.NONE });
  const web = new MeshedService(chart, 'web', { namespace: shop, name: 'web', ports: [ServicePort.http(8080), ServicePort.http(8081)] });
  const operator = new MeshedService(chart, 'operator', { namespace: shop, name: 'operator' });
  const api = new MeshedService(chart, 'api', { namespace: payments, name: 'api', ports: [ServicePort.grpc(9090)], metricsPort: 9102 });
  const batch = new MeshedService(chart, 'batch', { namespace: legacy, name: 'batch', ports: [ServicePort.tcp(7000)], metricsPort: 9100 });
  return { app, chart, web, operator, api, batch };
}

const flowsOf = (r: Reachability, peer: string) => r.allowedFlows().filter(f => f.from === peer || f.to === peer).map(f => `${f.from} -> ${f.to} ${f.port}`);

describe('PlatformPeer.prometheus', () => {
  test('scrapes a sidecar service on the merged metrics port 15020 only: a NetworkPolicy peer, no AuthorizationPolicy rule', () => {
    const { app, web } = cluster();
    PlatformPeer.prometheus(PROMETHEUS).allowTo(web);
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ protocol: 'TCP', port: 15020 }],
    }]);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'web').spec.rules).toBeUndefined();
    const r = Reachability.ofApp(app);
    expect(flowsOf(r, 'monitoring/prometheus')).toEqual(['monitoring/prometheus -> shop/web 15020']);
    expect(r.check({ from: 'monitoring/prometheus', to: 'shop/web', port: 8080 }).allowed).toBe(false);
    expect(r.check({ from: 'shop/operator', to: 'shop/web', port: 15020 }).allowed).toBe(false);
  });

  test('an ambient Prometheus scrapes a sidecar service over HBONE, through Envoy: 15020 is admitted by its principal alone', () => {
    const { app, web } = cluster();
    PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.AMBIENT }).allowTo(web);
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 15008 }, { protocol: 'TCP', port: 15020 }]);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'web').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }],
      to: [{ operation: { ports: ['15020'] } }],
    }]);
    const r = Reachability.ofApp(app);
    expect(flowsOf(r, 'monitoring/prometheus')).toEqual(['monitoring/prometheus -> shop/web 15020']);
    expect(r.check({ from: 'payments/api', to: 'shop/web', port: 15020 }).allowed).toBe(false);
  });

  test('scrapes an ambient service on its metrics port over HBONE, as a meshed client, admitted by principal on that port alone', () => {
    const { app, api } = cluster();
    PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.SIDECAR }).allowTo(api);
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'payments', 'api').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ protocol: 'TCP', port: 9102 }, { protocol: 'TCP', port: 15008 }],
    }]);
    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }],
      to: [{ operation: { ports: ['9102'] } }],
    }]);
    expect(find(objects, 'Service', 'payments', 'api').spec.ports.map((p: any) => p.port)).toEqual([9090]);
    const r = Reachability.ofApp(app);
    expect(flowsOf(r, 'monitoring/prometheus')).toEqual(['monitoring/prometheus -> payments/api 9102']);
    expect(r.check({ from: 'monitoring/prometheus', to: 'payments/api', port: 9090 }).allowed).toBe(false);
  });

  test('scrapes a service outside the mesh on its metrics port, by NetworkPolicy alone', () => {
    const { app, batch } = cluster();
    PlatformPeer.prometheus(PROMETHEUS).allowTo(batch);
    expect(find(synthAll(app), 'NetworkPolicy', 'legacy', 'batch').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9100 }]);
    expect(flowsOf(Reachability.ofApp(app), 'monitoring/prometheus')).toEqual(['monitoring/prometheus -> legacy/batch 9100']);
  });

  test('scraping every service is one loop, and the synth proves it', () => {
    const { app, web, api, batch } = cluster();
    const prometheus = PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.SIDECAR });
    for (const service of [web, api, batch]) prometheus.allowTo(service);
    prometheus.allowTo(web);
    expect(() => app.synthYaml()).not.toThrow();
    expect(flowsOf(Reachability.ofApp(app), 'monitoring/prometheus')).toEqual([
      'monitoring/prometheus -> legacy/batch 9100',
      'monitoring/prometheus -> payments/api 9102',
      'monitoring/prometheus -> shop/web 15020',
    ]);
  });

  test.each([
    ['an ambient service, from outside the mesh', (s: ReturnType<typeof cluster>) => PlatformPeer.prometheus(PROMETHEUS).allowTo(s.api),
      '[ZT142] PlatformPeer.prometheus(monitoring).allowTo(cluster/api): monitoring/prometheus is outside the mesh, so it has no mTLS identity and api\'s STRICT mTLS would refuse the scrape of port 9102. Run the peer\'s pods in the mesh (a sidecar, or ambient mode) and pass `mesh` to the PlatformPeer.'],
    ['a service without a sidecar or a metrics port', (s: ReturnType<typeof cluster>) => PlatformPeer.prometheus(PROMETHEUS).allowTo(
      new MeshedService(s.chart, 'cache', { namespace: s.api.namespace, name: 'cache', ports: [ServicePort.tcp(6379)] })),
    '[ZT143] PlatformPeer.prometheus(monitoring).allowTo(cluster/cache): cache has no sidecar, whose merged metrics port 15020 Prometheus would scrape, and no metrics port. Give cache a `metricsPort`, the port its app serves metrics on apart from its app ports.'],
    ['ports for a scrape', (s: ReturnType<typeof cluster>) => PlatformPeer.prometheus(PROMETHEUS).allowTo(s.web, { ports: [8080] }),
      '[ZT141] PlatformPeer.prometheus(monitoring).allowTo(cluster/web): a scrape takes no ports: the service\'s mesh mode decides its metrics port. Drop `ports`: with a sidecar Prometheus scrapes 15020, otherwise the service\'s `metricsPort`.'],
    ['a call from a service', (s: ReturnType<typeof cluster>) => PlatformPeer.prometheus(PROMETHEUS).allowFrom(s.web),
      '[ZT141] PlatformPeer.prometheus(monitoring/prometheus).allowFrom(cluster/web): the peer calls services, services do not call it here. Use `peer.allowTo(service)` for the peer\'s calls to the service.'],
    ['another trust domain', (s: ReturnType<typeof cluster>) => PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.AMBIENT, trustDomain: 'other.local' }).allowTo(s.api),
      '[ZT106] PlatformPeer.prometheus(monitoring).allowTo(cluster/api): monitoring/prometheus is in trust domain "other.local" and api in "cluster.local". Give the PlatformPeer the trust domain of the service\'s namespace.'],
  ])('refuses %s', (_, declare, message) => {
    const s = cluster();
    expect(() => declare(s)).toThrow(message);
  });
});

describe('PlatformPeer.ingressController', () => {
  test('admits a meshed controller\'s pods on the given ports and its principal there', () => {
    const { app, web } = cluster();
    PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(web, { ports: [8080] });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'web').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/ingress-nginx/sa/ingress-nginx'] } }],
      to: [{ operation: { ports: ['8080'] } }],
    }]);
    expect(() => app.synthYaml()).not.toThrow();
    expect(flowsOf(Reachability.ofApp(app), 'ingress-nginx/ingress-nginx')).toEqual(['ingress-nginx/ingress-nginx -> shop/web 8080']);
  });

  test('a controller outside the mesh may call a service outside the mesh, on all its ports by default', () => {
    const { app, batch } = cluster();
    PlatformPeer.ingressController(NGINX).allowTo(batch);
    expect(() => app.synthYaml()).not.toThrow();
    expect(flowsOf(Reachability.ofApp(app), 'ingress-nginx/ingress-nginx')).toEqual(['ingress-nginx/ingress-nginx -> legacy/batch 7000']);
  });

  test.each([
    ['a meshed service from outside the mesh', (s: ReturnType<typeof cluster>) => PlatformPeer.ingressController(NGINX).allowTo(s.web),
      '[ZT142] PlatformPeer.ingressController(ingress-nginx).allowTo(cluster/web): ingress-nginx/ingress-nginx is outside the mesh, so it has no mTLS identity and web\'s STRICT mTLS would refuse it. Run the peer\'s pods in the mesh (a sidecar, or ambient mode) and pass `mesh` to the PlatformPeer.'],
    ['a port the service does not serve', (s: ReturnType<typeof cluster>) => PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(s.web, { ports: [9999] }),
      '[ZT104] PlatformPeer.ingressController(ingress-nginx).allowTo(cluster/web): port 9999 is not a port of web (ports: 8080, 8081). Declare it on the MeshedService or drop it from the flow.'],
    ['a client without ports', (s: ReturnType<typeof cluster>) => PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(s.operator),
      '[ZT109] PlatformPeer.ingressController(ingress-nginx).allowTo(cluster/operator): cluster/operator is a client without ports, so nothing may call it. Give operator the ports it serves, or declare the flow the other way, from operator.'],
    ['a peer in a managed namespace', (s: ReturnType<typeof cluster>) => PlatformPeer.ingressController({ ...NGINX, namespace: 'shop', mesh: MeshMode.SIDECAR }).allowTo(s.web),
      '[ZT144] PlatformPeer.ingressController(shop).allowTo(cluster/web): the peer\'s namespace "shop" is managed by the app. Declare its pods as a MeshedService of that namespace and allow the flow with `allowTo`.'],
    ['two different peers with one identity', (s: ReturnType<typeof cluster>) => {
      PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(s.web);
      PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR, podLabels: { app: 'other' } }).allowTo(s.web);
    }, '[ZT145] PlatformPeer.ingressController(ingress-nginx).allowTo(cluster/web): two platform peers run as ServiceAccount "ingress-nginx" in "ingress-nginx" but differ. Create the peer once and pass that PlatformPeer to every flow.'],
  ])('refuses %s', (_, declare, message) => {
    const s = cluster();
    expect(() => declare(s)).toThrow(message);
  });
});

describe('PlatformPeer.kubernetesApiServer', () => {
  test('adds egress to the API server\'s addresses on its port, accepted by the rules although private', () => {
    const { app, operator } = cluster();
    const apiServer = PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.10/32', '10.0.0.11/32'], port: 6443 });
    apiServer.allowFrom(operator);
    expect(find(synthAll(app), 'NetworkPolicy', 'shop', 'operator').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
      { to: [{ ipBlock: { cidr: '10.0.0.11/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
    ]);
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    expect(r.check({ from: 'shop/operator', to: '10.0.0.10', port: 6443 }).egress).toBe(true);
    expect(r.check({ from: 'shop/operator', to: '10.0.0.10', port: 443 }).egress).toBe(false);
  });

  test('defaults to port 443', () => {
    expect(PlatformPeer.kubernetesApiServer({ cidrs: ['203.0.113.5/32'] }).port).toBe(443);
  });

  test.each([
    [{ cidrs: [] }, '[ZT140] PlatformPeer.kubernetesApiServer(): no address is given. Give the CIDR blocks of the API server\'s endpoints.'],
    [{ cidrs: ['0.0.0.0/0'] }, '[ZT140] PlatformPeer.kubernetesApiServer(0.0.0.0/0): "0.0.0.0/0" is every address. Give the addresses of the API server\'s endpoints.'],
    [{ cidrs: ['api.example.com'] }, '[ZT140] PlatformPeer.kubernetesApiServer(api.example.com): "api.example.com" is not a CIDR block. Give an address and a prefix length, such as "10.0.0.10/32".'],
    [{ cidrs: ['10.0.0.10/32'], port: 0 }, '[ZT301] PlatformPeer.kubernetesApiServer(10.0.0.10/32): port 0 is outside 1-65535. Use a whole number from 1 to 65535.'],
  ])('refuses %p', (props, message) => {
    expect(() => PlatformPeer.kubernetesApiServer(props)).toThrow(message);
  });

  test('takes no calls to services', () => {
    const { web } = cluster();
    expect(() => PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.10/32'] }).allowTo(web)).toThrow(
      '[ZT141] PlatformPeer.kubernetesApiServer(10.0.0.10/32).allowTo(cluster/web): the API server is called by services, it does not call them here. Use `apiServer.allowFrom(service)` for a service that calls the API server.');
  });
});

describe('platform pods', () => {
  test.each([
    [{ ...PROMETHEUS, namespace: 'Monitoring' }, /^\[ZT140\] PlatformPeer.prometheus\(Monitoring\/prometheus\): /],
    [{ ...PROMETHEUS, serviceAccount: 'default' }, '[ZT140] PlatformPeer.prometheus(monitoring/default): ServiceAccount "default" is shared by every pod of the namespace without its own. Give the ServiceAccount the peer\'s pods run as.'],
    [{ ...PROMETHEUS, podLabels: {} }, '[ZT140] PlatformPeer.prometheus(monitoring/prometheus): no pod labels are given, so the peer would be every pod of the namespace. Give the labels of the peer\'s pods.'],
    [{ ...PROMETHEUS, podLabels: { 'bad key!': 'x' } }, /^\[ZT140\] PlatformPeer.prometheus\(monitoring\/prometheus\): .*Fix the label\.$/],
  ])('refuses %p', (props, message) => {
    expect(() => PlatformPeer.prometheus(props)).toThrow(message);
  });

  test('the metrics port is apart from the app ports and Istio\'s', () => {
    const { chart, web } = cluster();
    expect(() => new MeshedService(chart, 'm1', { namespace: web.namespace, name: 'm1', ports: [ServicePort.http(8080)], metricsPort: 8080 })).toThrow(
      '[ZT340] cluster/m1: metrics port 8080 is also an app port. Give the metrics port apart from the app ports, or drop it: the app ports are opened to callers, the metrics port only to Prometheus.');
    expect(() => new MeshedService(chart, 'm2', { namespace: web.namespace, name: 'm2', ports: [ServicePort.http(8080)], metricsPort: 15020 })).toThrow(
      '[ZT340] cluster/m2: metrics port 15020 is one of the ports Istio\'s proxies own in the pod (15008, 15020, 15021, 15090). Serve the app\'s metrics on a port of its own.');
    const m3 = new MeshedService(chart, 'm3', { namespace: web.namespace, name: 'm3', ports: [ServicePort.http(8080)], metricsPort: 9102, image: 'm3:1' });
    expect(m3.deployment!.containers[0].ports.map(p => p.number)).toEqual([8080, 9102]);
  });

  test('the emitted objects are valid against the Istio schemas', () => {
    const { app, web, api, operator } = cluster();
    PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.AMBIENT }).allowTo(api);
    PlatformPeer.prometheus({ ...PROMETHEUS, mesh: MeshMode.AMBIENT }).allowTo(web);
    PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(web);
    PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.10/32'] }).allowFrom(operator);
    expect(validateManifests(synthAll(app)).errors).toEqual([]);
  });
});

describe('the rules and the ZT416 proof', () => {
  const PROMETHEUS_PEER = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  };
  /** web scraped by Prometheus and called by the controller on 8080, plus a hand-written ingress policy for web. */
  function scraped(ingress?: any[]) {
    const s = cluster();
    PlatformPeer.prometheus(PROMETHEUS).allowTo(s.web);
    PlatformPeer.ingressController({ ...NGINX, mesh: MeshMode.SIDECAR }).allowTo(s.web, { ports: [8080] });
    if (ingress) {
      new ApiObject(s.chart, 'hole', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'hole', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } }, policyTypes: ['Ingress'], ingress },
      });
    }
    return s;
  }

  test('the declared peers pass the rules and the proof', () => {
    expect(() => scraped().app.synthYaml()).not.toThrow();
  });

  test('an app port opened to Prometheus is caught by the proof', () => {
    const { app } = scraped([{ from: [PROMETHEUS_PEER], ports: [{ protocol: 'TCP', port: 8081 }] }]);
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] cluster\/web: the ingress of shop\/web differs from the declared flows: it allows monitoring\/prometheus -> shop\/web on 8081\/TCP, which no flow declares/);
  });

  test('15020 opened to another pod of the app is caught by the proof', () => {
    const { app } = scraped([{ from: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'operator' } } }], ports: [{ protocol: 'TCP', port: 15020 }] }]);
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] cluster\/web: the ingress of shop\/web differs from the declared flows: it allows shop\/operator -> shop\/web on 15020\/TCP, which no flow declares/);
  });

  test.each([
    ['15020 opened to every pod of the monitoring namespace', { namespaceSelector: PROMETHEUS_PEER.namespaceSelector }],
    ['the same labels in another namespace', { ...PROMETHEUS_PEER, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant' } } }],
    ['a broader podSelector', { ...PROMETHEUS_PEER, podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Exists' }] } }],
  ])('%s is refused by ZT420', (_, peer) => {
    const { app } = scraped([{ from: [peer], ports: [{ protocol: 'TCP', port: 15020 }] }]);
    expect(() => app.synthYaml()).toThrow(/\[ZT420\] cluster\/hole: NetworkPolicy shop\/hole, spec\.ingress\[0\]\.from\[0\]: the peer selects pods of "(monitoring|tenant)", which the app does not manage/);
  });

  test('15020 opened to any address is refused by ZT403', () => {
    const { app } = scraped([{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 15020 }] }]);
    expect(() => app.synthYaml()).toThrow(/\[ZT403\] cluster\/hole: NetworkPolicy shop\/hole, spec\.ingress\[0\]\.from\[0\]\.ipBlock: the ipBlock 0\.0\.0\.0\/0 covers every address/);
  });

  test('the flow the other way, from web to Prometheus\'s pods, is caught by the proof', () => {
    const { app, web } = scraped();
    web.networkPolicy.addJsonPatch(JsonPatch.add('/spec/egress/-', { to: [PROMETHEUS_PEER], ports: [{ protocol: 'TCP', port: 9090 }] }));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] cluster\/web: the egress of shop\/web differs from the declared flows: it allows shop\/web -> monitoring\/prometheus on 9090\/TCP, which no flow declares/);
  });

  test('a peer whose namespace the app manages, declared after the flow, fails the synth: the proof sees its pods cut off', () => {
    const { app, chart, web } = cluster();
    PlatformPeer.ingressController({ ...NGINX, namespace: 'tools', mesh: MeshMode.SIDECAR }).allowTo(web, { ports: [8080] });
    new ZeroTrustNamespace(chart, 'tools', { name: 'tools' });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] zero-trust-platform-peers\/tools\.ingress-nginx: the egress of tools\/ingress-nginx differs from the declared flows: it refuses tools\/ingress-nginx -> shop\/web on 8080\/TCP, which a declared flow needs/);
  });

  test('a missing scrape rule is caught by the proof', () => {
    const { app, web } = scraped();
    web.networkPolicy.addJsonPatch(JsonPatch.remove('/spec/ingress/0'));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] cluster\/web: the ingress of shop\/web differs from the declared flows: it refuses monitoring\/prometheus -> shop\/web on 15020\/TCP, which a declared flow needs/);
  });

  test('another identity of the controller\'s namespace in the AuthorizationPolicy is still refused by ZT421', () => {
    const { app, web } = scraped();
    web.authorizationPolicy!.addJsonPatch(JsonPatch.add('/spec/rules/0/from/0/source/principals/-', 'cluster.local/ns/ingress-nginx/sa/admission'));
    expect(() => app.synthYaml()).toThrow(/\[ZT421\] cluster\/web\/AuthorizationPolicy: .*principal "cluster.local\/ns\/ingress-nginx\/sa\/admission" is not the identity/);
  });

  test('egress to private addresses other than the declared API server\'s is still refused by ZT418', () => {
    const { app, operator } = cluster();
    PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.10/32'] }).allowFrom(operator);
    operator.networkPolicy.addJsonPatch(JsonPatch.add('/spec/egress/-', { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] }));
    operator.networkPolicy.addJsonPatch(JsonPatch.add('/spec/egress/-', { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 22 }] }));
    expect(() => app.synthYaml()).toThrow(/\[ZT418\] cluster\/operator\/NetworkPolicy: NetworkPolicy shop\/operator, spec\.egress\[1\]\.to\[0\]\.ipBlock: the ipBlock 10\.0\.0\.0\/8/);
    expect(() => app.synthYaml()).toThrow(/\[ZT418\] cluster\/operator\/NetworkPolicy: NetworkPolicy shop\/operator, spec\.egress\[2\]\.to\[0\]\.ipBlock: the ipBlock 10\.0\.0\.10\/32/);
  });
});

describe('property: a scrape reaches the metrics port and nothing else', () => {
  const MODES = [MeshMode.SIDECAR, MeshMode.AMBIENT, MeshMode.NONE];
  test('for any mesh modes of the service and of Prometheus, and any app ports', () => {
    // A namespace outside the mesh warns (ZT501) at every synth.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fc.assert(fc.property(
      fc.constantFrom(...MODES), fc.constantFrom(...MODES), fc.uniqueArray(fc.integer({ min: 1024, max: 9000 }), { minLength: 1, maxLength: 3 }),
      (serviceMode, prometheusMode, appPorts) => {
        const app = Testing.app();
        const chart = new Chart(app, 'c');
        const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: serviceMode });
        const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: appPorts.map(p => ServicePort.tcp(p)), metricsPort: 9100 });
        const prometheus = PlatformPeer.prometheus({ ...PROMETHEUS, mesh: prometheusMode });
        if (serviceMode === MeshMode.AMBIENT && prometheusMode === MeshMode.NONE) {
          expect(() => prometheus.allowTo(web)).toThrow(/^\[ZT142\]/);
          return;
        }
        prometheus.allowTo(web);
        expect(() => app.synthYaml()).not.toThrow();
        const metrics = serviceMode === MeshMode.SIDECAR ? 15020 : 9100;
        const r = Reachability.ofApp(app);
        expect(flowsOf(r, 'monitoring/prometheus')).toEqual([`monitoring/prometheus -> shop/web ${metrics}`]);
        for (const port of [...appPorts, 15020, 9100].filter(p => p !== metrics)) {
          expect(r.isAllowed({ from: 'monitoring/prometheus', to: 'shop/web', port })).toBe(false);
        }
      }), { numRuns: 25 });
    warn.mockRestore();
  });
});
