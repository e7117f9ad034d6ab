import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ExternalPeer, GatewayListener, IngressGateway, MeshedService, MeshMode, PlatformPeer, PodInput, Reachability, RoutePath, ServicePort,
  ZeroTrustNamespace,
} from '../../src';
import { validateManifests } from '../_schema';

const WAYPOINT = 'cluster.local/ns/shop/sa/waypoint';

/** An ambient shop: web calls api with an HTTP rule on 9090, batch calls api's 9091 whole, admin calls nothing. */
function shop(options: { batchMesh?: MeshMode } = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: MeshMode.AMBIENT });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(9090), ServicePort.http(9091)] });
  const batchNs = options.batchMesh === undefined ? ns : new ZeroTrustNamespace(chart, 'jobs', { name: 'jobs', mesh: options.batchMesh });
  const batch = new MeshedService(chart, 'batch', { namespace: batchNs, name: 'batch' });
  new MeshedService(chart, 'admin', { namespace: ns, name: 'admin' });
  web.allowTo(api, { ports: [9090], http: { methods: ['GET'], paths: ['/v1/*'] } });
  batch.allowTo(api, { ports: [9091] });
  return { app, chart, ns, web, api, batch };
}

function objects(app: App): any[] {
  return app.charts.flatMap(c => c.toJson());
}

function find(objs: any[], kind: string, name: string): any {
  return objs.find(o => o.kind === kind && o.metadata.name === name);
}

describe('an ambient server with an HTTP rule is reached through its namespace\'s waypoint', () => {
  test('the waypoint is a Gateway of class istio-waypoint with the HBONE listener istioctl writes, and the Service uses it', () => {
    const { app } = shop();
    const objs = objects(app);
    expect(find(objs, 'Gateway', 'waypoint')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(find(objs, 'Service', 'api').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(find(objs, 'Service', 'web').metadata.labels['istio.io/use-waypoint']).toBeUndefined();
    expect(objs.filter(o => o.kind === 'Gateway')).toHaveLength(1);
  });

  test('the waypoint applies a targetRefs policy with the clients\' principals, ports and requests', () => {
    const objs = objects(shop().app);
    expect(find(objs, 'AuthorizationPolicy', 'waypoint.api').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'api' }],
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['9090'], methods: ['GET'], paths: ['/v1/*'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/batch'] } }], to: [{ operation: { ports: ['9091'] } }] },
      ],
    });
  });

  test('the server\'s ztunnel admits only the waypoint, on every port a client reaches', () => {
    const objs = objects(shop().app);
    expect(find(objs, 'AuthorizationPolicy', 'api').spec).toEqual({
      selector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ['9090', '9091'] } }] }],
    });
  });

  test('NetworkPolicies: clients reach the waypoint on HBONE, the waypoint reaches the server, the server admits only the waypoint', () => {
    const objs = objects(shop().app);
    const waypointPeer = { podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } };
    const workload = (name: string) => ({ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': name } } });
    expect(find(objs, 'NetworkPolicy', 'web').spec.egress).toEqual([{ to: [waypointPeer], ports: [{ protocol: 'TCP', port: 15008 }] }]);
    expect(find(objs, 'NetworkPolicy', 'api').spec.ingress).toEqual([{
      from: [waypointPeer], ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 9091 }, { protocol: 'TCP', port: 15008 }],
    }]);
    const own = find(objs, 'NetworkPolicy', 'waypoint').spec;
    expect(own.podSelector).toEqual(waypointPeer.podSelector);
    expect(own.ingress).toEqual([{ from: [workload('batch'), workload('web')], ports: [{ protocol: 'TCP', port: 15008 }] }]);
    expect(own.egress).toEqual([
      { to: [workload('api')], ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 9091 }, { protocol: 'TCP', port: 15008 }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      },
    ]);
  });

  test('everything emitted validates against the Istio and Gateway API CRD schemas', () => {
    const report = validateManifests(objects(shop().app));
    for (const s of report.skipped) console.log(`skipped: ${s}`);
    expect(report.errors).toEqual([]);
  });

  test('the synth proves it (ZT416), and the analyzer answers per request through the waypoint', () => {
    const { app } = shop();
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    expect(r.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'GET', path: '/v1/items' })).toBe(true);
    expect(r.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'POST', path: '/v1/items' })).toBe(false);
    expect(r.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'GET', path: '/v2/items' })).toBe(false);
    expect(r.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9091 })).toBe(false);
    expect(r.isAllowed({ from: 'shop/batch', to: 'shop/api', port: 9091, method: 'DELETE', path: '/x' })).toBe(true);
    expect(r.isAllowed({ from: 'shop/admin', to: 'shop/api', port: 9090 })).toBe(false);
    expect(r.explain({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'GET', path: '/v1/items' }).authorization.reasons.join('; '))
      .toMatch(/through waypoint shop\/waypoint, which Service api sends port 9090 to/);
    expect(r.allowedFlows().filter(f => f.to === 'shop/api')).toEqual([
      { from: 'shop/batch', to: 'shop/api', port: 9091, protocol: 'TCP' },
      { from: 'shop/waypoint', to: 'shop/api', port: 9090, protocol: 'TCP' },
      { from: 'shop/waypoint', to: 'shop/api', port: 9091, protocol: 'TCP' },
      { from: 'shop/web', to: 'shop/api', port: 9090, protocol: 'TCP' },
    ]);
  });

  test('a flow without HTTP rules declared before the HTTP one is routed through the waypoint too', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: MeshMode.AMBIENT });
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web' });
    const batch = new MeshedService(chart, 'batch', { namespace: ns, name: 'batch' });
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(9090)] });
    batch.allowTo(api);
    web.allowTo(api, { http: { methods: ['GET'] } });
    expect(() => app.synthYaml()).not.toThrow();
    expect(find(objects(app), 'NetworkPolicy', 'batch').spec.egress[0].to).toEqual([{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }]);
  });
});

describe('the ZT416 proof covers the waypoint hop', () => {
  test('a waypoint policy widened to every method fails the synth', () => {
    const { app, api } = shop();
    (api.node.findChild('WaypointAuthorizationPolicy') as ApiObject).addJsonPatch(JsonPatch.remove('/spec/rules/0/to/0/operation/methods'));
    // ZT stands for any method the rules do not name.
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/api: the authorization of shop\/api differs from the declared flows: it allows shop\/web -> shop\/api on 9090\/TCP for ZT \/v1\/zt .*ALLOW policy shop\/waypoint.api rules\[0\] matches/);
  });

  test('a waypoint without its allow-nothing default (the Service\'s policy removed) fails the synth', () => {
    const { app, api } = shop();
    api.node.tryRemoveChild('WaypointAuthorizationPolicy');
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] .*the authorization of shop\/waypoint differs from the declared flows: it allows shop\/admin -> shop\/waypoint on 15008\/TCP/);
  });

  test('a ztunnel policy that admits a client directly fails the synth: it bypasses the waypoint\'s HTTP rule', () => {
    const { app, api } = shop();
    api.authorizationPolicy!.addJsonPatch(JsonPatch.add('/spec/rules/0/from/0/source/principals/-', 'cluster.local/ns/shop/sa/web'));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/api: the authorization of shop\/api differs from the declared flows: it allows shop\/web -> shop\/api on 9090\/TCP for GET \/zt .*ALLOW policy shop\/api rules\[0\] matches: allowed\)/);
  });
});

describe('refused', () => {
  test('ZT150: a client outside ambient mode would bypass the waypoint', () => {
    const { app } = shop({ batchMesh: MeshMode.SIDECAR });
    expect(() => app.synthYaml()).toThrow(
      '[ZT150] c/ns/Waypoint: jobs/batch is neither an ambient MeshedService nor an IngressGateway, so it would connect to shop/api directly, not through the waypoint, '
      + 'and the server\'s ztunnel admits only the waypoint. Declare HTTP rules or `requireJwt` only on servers whose clients are all ambient services or ingress gateways, or drop them from this server.');
  });

  test('ZT150 leaves out a flow to ports outside the Service: a Prometheus scrape of the metrics port goes to the pods, and ztunnel admits it there', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: MeshMode.AMBIENT });
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web' });
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)], metricsPort: 9100 });
    web.allowTo(api, { http: { methods: ['GET'] } });
    PlatformPeer.prometheus({ namespace: 'monitoring', serviceAccount: 'prometheus', podLabels: { app: 'prometheus' }, mesh: MeshMode.AMBIENT }).allowTo(api);
    expect(() => app.synthYaml()).not.toThrow();
    expect(find(objects(app), 'AuthorizationPolicy', 'api').spec.rules).toEqual([
      { from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }], to: [{ operation: { ports: ['9100'] } }] },
    ]);
    const r = Reachability.ofApp(app);
    expect([9100, 8080].map(port => r.isAllowed({ from: 'monitoring/prometheus', to: 'shop/api', port }))).toEqual([true, false]);
  });

  test('ZT110 still refuses an HTTP rule to a server outside the mesh', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'plain', mesh: MeshMode.NONE });
    const a = new MeshedService(chart, 'a', { namespace: ns, name: 'a' });
    const b = new MeshedService(chart, 'b', { namespace: ns, name: 'b', ports: [ServicePort.http(80)] });
    expect(() => a.allowTo(b, { http: { methods: ['GET'] } })).toThrow(
      '[ZT110] c/a.allowTo(c/b): b is outside the mesh, where no proxy evaluates HTTP, so the HTTP rule cannot be enforced. '
      + 'Drop `http` to allow the ports, or put the server in the mesh (MeshMode.SIDECAR or AMBIENT).');
  });

  test('the name "waypoint" is taken in a namespace with a waypoint', () => {
    const { chart, ns } = shop();
    expect(() => new MeshedService(chart, 'w', { namespace: ns, name: 'waypoint' })).toThrow(/\[ZT204\] c\/w: namespace "shop" already has a service named "waypoint"/);
  });
});

describe('the rules accept the waypoint as declared and refuse hostile variants', () => {
  test('a hand-written waypoint in a managed namespace is refused', () => {
    const { app, chart } = shop();
    new ApiObject(chart, 'rogue', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'rogue', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/rogue: /);
  });

  test('a use-waypoint label naming a waypoint the app does not declare is refused', () => {
    const { app, api } = shop();
    api.service!.metadata.addLabel('istio.io/use-waypoint', 'rogue');
    expect(() => app.synthYaml()).toThrow(
      /\[ZT417\] .*Service shop\/api: metadata.labels\["istio.io\/use-waypoint"\] names "rogue", which no Gateway of class istio-waypoint in shop declares/);
  });

  test('a targetRefs policy that admits an undeclared principal at the waypoint is refused', () => {
    const { app, chart } = shop();
    new ApiObject(chart, 'extra', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'extra', namespace: 'shop' },
      spec: { targetRefs: [{ group: '', kind: 'Service', name: 'api' }], action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/admin'] } }] }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/api: the authorization of shop\/api differs from the declared flows: it allows shop\/admin -> shop\/api on 9090\/TCP/);
  });
});

test('the analyzer sends only ambient workloads through a Service\'s waypoint: a sidecar client connects to the pods, which ztunnel refuses', () => {
  const { app } = shop();
  const manifests = objects(app);
  const pods: PodInput[] = [
    { namespace: 'shop', name: 'web', labels: { 'zero-trust.cdk8s.io/workload': 'web' }, serviceAccount: 'web' },
    { namespace: 'shop', name: 'api', labels: { 'zero-trust.cdk8s.io/workload': 'api' }, serviceAccount: 'api', ports: [{ port: 9090 }] },
    // PodInput.waypoint: the pod Istio deploys for the Gateway (Reachability.ofApp derives it).
    {
      namespace: 'shop',
      name: 'waypoint',
      labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
      serviceAccount: 'waypoint',
      ports: [{ port: 15008 }],
      meshed: true,
      waypoint: true,
    },
  ];
  const ambient = Reachability.analyze({ pods, manifests, namespaces: [{ name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } }] });
  expect(ambient.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'GET', path: '/v1/a' })).toBe(true);
  const sidecarWeb: PodInput[] = [{ ...pods[0], labels: { ...pods[0].labels, 'sidecar.istio.io/inject': 'true' } }, pods[1], pods[2]];
  const mixed = Reachability.analyze({ pods: sidecarWeb, manifests, namespaces: [{ name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } }] });
  expect(mixed.isAllowed({ from: 'shop/web', to: 'shop/api', port: 9090, method: 'GET', path: '/v1/a' })).toBe(false);
});

describe('an IngressGateway route to an ambient server behind the waypoint goes through it', () => {
  const ISSUER = 'https://idp.example';
  const GATEWAY = 'cluster.local/ns/edge/sa/public-istio';
  /** The ambient shop, and a gateway in `edge` routing /api to api's 9090, which requires tokens; in either order. */
  function edge(options: { jwtFirst?: boolean; edgeMesh?: MeshMode } = {}) {
    const w = shop();
    const edgeNs = new ZeroTrustNamespace(w.chart, 'edge', { name: 'edge', mesh: options.edgeMesh ?? MeshMode.SIDECAR });
    const gw = new IngressGateway(w.chart, 'gw', { namespace: edgeNs, name: 'public', listeners: [GatewayListener.http()], sources: [ExternalPeer.cidr('203.0.113.0/24')] });
    const jwt = () => w.api.requireJwt({ issuer: ISSUER, jwksUri: `${ISSUER}/jwks` });
    if (options.jwtFirst) jwt();
    gw.route(w.api, { port: 9090, paths: [RoutePath.prefix('/api')] });
    if (!options.jwtFirst) jwt();
    return { ...w, gw };
  }

  test('the Service is labelled for ingress, whatever the order of the route and of what puts the server behind the waypoint', () => {
    for (const jwtFirst of [false, true]) {
      const objs = objects(edge({ jwtFirst }).app);
      expect(find(objs, 'Service', 'api').metadata.labels).toEqual({
        'istio.io/ingress-use-waypoint': 'true', 'istio.io/use-waypoint': 'waypoint', 'zero-trust.cdk8s.io/workload': 'api',
      });
    }
    // A server the gateway routes to that is not behind a waypoint keeps the plain label set.
    const w = shop();
    const edgeNs = new ZeroTrustNamespace(w.chart, 'edge', { name: 'edge' });
    new IngressGateway(w.chart, 'gw', { namespace: edgeNs, name: 'public', listeners: [GatewayListener.http()], sources: [ExternalPeer.cidr('203.0.113.0/24')] })
      .route(w.web, { port: 8080, paths: [RoutePath.prefix('/api')] });
    const objs = objects(w.app);
    expect(find(objs, 'Service', 'web').metadata.labels).toEqual({ 'zero-trust.cdk8s.io/workload': 'web' });
    expect(objs.filter(o => o.kind === 'AuthorizationPolicy').map(o => o.metadata.name)).not.toContain('waypoint.web');
    // Its ztunnel policy admits the gateway on the port alone: ztunnel evaluates no path.
    expect(find(objs, 'AuthorizationPolicy', 'web').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/edge/sa/public-istio'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
  });

  test('the gateway reaches the waypoint on HBONE, never the server\'s pods, and the waypoint admits the gateway pods', () => {
    const objs = objects(edge().app);
    expect(objs.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'public-istio').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }],
      ports: [{ port: 15008, protocol: 'TCP' }],
    }]);
    expect(find(objs, 'NetworkPolicy', 'waypoint').spec.ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } } },
        { podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'batch' } } },
        { podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } } },
      ],
      ports: [{ port: 15008, protocol: 'TCP' }],
    }]);
    expect(JSON.stringify(find(objs, 'NetworkPolicy', 'api').spec.ingress)).not.toContain('edge');
  });

  test('the waypoint\'s policy admits the gateway\'s principal on the route\'s paths with a token; the server\'s ztunnel still admits only the waypoint', () => {
    const objs = objects(edge().app);
    const token = { requestPrincipals: [`${ISSUER}/*`] };
    expect(find(objs, 'AuthorizationPolicy', 'waypoint.api').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'api' }],
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'], ...token } }], to: [{ operation: { ports: ['9090'], methods: ['GET'], paths: ['/v1/*'] } }] },
        { from: [{ source: { principals: [GATEWAY], ...token } }], to: [{ operation: { ports: ['9090'], paths: ['/api', '/api/*'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/batch'], ...token } }], to: [{ operation: { ports: ['9091'] } }] },
      ],
    });
    expect(find(objs, 'AuthorizationPolicy', 'api').spec.rules).toEqual([
      { from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ['9090', '9091'] } }] },
    ]);
  });

  test('the emitted objects are valid against the Istio and Gateway API schemas', () => {
    const report = validateManifests(objects(edge().app));
    for (const s of report.skipped) console.log(`skipped: ${s}`);
    expect(report.errors).toEqual([]);
  });

  test('the synth proves it in either mode of the gateway\'s namespace, and the analyzer answers per request: a token and a routed path needed', () => {
    for (const edgeMesh of [MeshMode.SIDECAR, MeshMode.AMBIENT]) {
      const { app } = edge({ edgeMesh });
      expect(() => app.synthYaml()).not.toThrow();
      const r = Reachability.ofApp(app);
      const ask = (path: string, requestPrincipal: string, method = 'GET') =>
        r.isAllowed({ from: 'edge/public-istio', to: 'shop/api', port: 9090, method, path, requestPrincipal });
      expect([ask('/api/items', `${ISSUER}/alice`), ask('/api', `${ISSUER}/alice`, 'POST'), ask('/api/items', ''), ask('/api/items', 'https://evil.example/alice'), ask('/admin', `${ISSUER}/alice`)])
        .toEqual([true, true, false, false, false]);
      expect(r.isAllowed({ from: 'edge/public-istio', to: 'shop/api', port: 9091 })).toBe(false);
      expect(r.explain({ from: 'edge/public-istio', to: 'shop/api', port: 9090, method: 'GET', path: '/api', requestPrincipal: `${ISSUER}/alice` }).authorization.reasons)
        .toContain('through waypoint shop/waypoint, which Service api sends port 9090 to: the waypoint checks edge/public-istio, then shop/api\'s ztunnel checks the waypoint');
    }
  });

  test('without the label the gateway connects to the pods, which ztunnel refuses: the synth fails (ZT416), and the analyzer refuses the flow', () => {
    const { app, api } = edge();
    const request = { from: 'edge/public-istio', to: 'shop/api', port: 9090, method: 'GET', path: '/api', requestPrincipal: `${ISSUER}/alice` };
    expect(Reachability.ofApp(app).check(request)).toEqual({ allowed: true, egress: true, ingress: true, authorization: true });
    api.service!.addJsonPatch(JsonPatch.remove('/metadata/labels/istio.io~1ingress-use-waypoint'));
    expect(Reachability.ofApp(app).check(request)).toEqual({ allowed: false, egress: false, ingress: false, authorization: false });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/gw: the egress of edge\/public-istio differs from the declared flows: it refuses edge\/public-istio -> shop\/api on 9090\/TCP, which a declared flow needs/);
  });

  test('ZT150 still refuses a sidecar client of the same server', () => {
    const { app, chart, api } = edge();
    const side = new ZeroTrustNamespace(chart, 'side', { name: 'side', mesh: MeshMode.SIDECAR });
    new MeshedService(chart, 'client', { namespace: side, name: 'client' }).allowTo(api, { ports: [9090] });
    expect(() => app.synthYaml()).toThrow('[ZT150] c/ns/Waypoint: side/client is neither an ambient MeshedService nor an IngressGateway');
  });
});

test('ZT417 keeps refusing what the analyzer does not model: a namespace labelled to use a waypoint', () => {
  const { app, ns } = shop();
  const namespace = ns.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Namespace') as ApiObject;
  namespace.metadata.addLabel('istio.io/use-waypoint', 'waypoint');
  expect(() => app.synthYaml()).toThrow(
    /\[ZT417\] .*namespace shop: label istio.io\/use-waypoint=waypoint: the analyzer models waypoints for Services only, not for namespaces or pods/);
});

test('ZT417 refuses a namespace labelled to send ingress gateways through its Services\' waypoints: the analyzer models the label on Services only', () => {
  const { app, ns } = shop();
  const namespace = ns.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Namespace') as ApiObject;
  namespace.metadata.addLabel('istio.io/ingress-use-waypoint', 'true');
  expect(() => app.synthYaml()).toThrow(
    /\[ZT417\] .*namespace shop: label istio.io\/ingress-use-waypoint=true: the analyzer models it on Services only, not on namespaces or pods/);
});

test('property: for random ambient topologies with HTTP rules, the synth proves the waypoints and each request is allowed exactly as declared', () => {
  const SERVICES = 5;
  fc.assert(fc.property(
    fc.array(fc.record({
      from: fc.nat(SERVICES - 1), to: fc.nat(SERVICES - 1), port: fc.constantFrom(80, 81), http: fc.boolean(),
    }), { maxLength: 8 }),
    fc.boolean(),
    (flows, twoNamespaces) => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      const a = new ZeroTrustNamespace(chart, 'a', { name: 'a', mesh: MeshMode.AMBIENT });
      const b = twoNamespaces ? new ZeroTrustNamespace(chart, 'b', { name: 'b', mesh: MeshMode.AMBIENT }) : a;
      const services = [...Array(SERVICES).keys()].map(i =>
        new MeshedService(chart, `s${i}`, { namespace: i % 2 ? b : a, name: `s${i}`, ports: [ServicePort.http(80), ServicePort.http(81)] }));
      /** Per client>server:port, whether any request (true) or only GET (false) is declared. */
      const declared = new Map<string, boolean>();
      const id = (i: number) => `${services[i].namespace.name}/s${i}`;
      for (const f of flows) {
        if (f.from === f.to) continue;
        services[f.from].allowTo(services[f.to], { ports: [f.port], ...f.http ? { http: { methods: ['GET'] } } : {} });
        const key = `${id(f.from)}>${id(f.to)}:${f.port}`;
        declared.set(key, declared.get(key) === true || !f.http);
      }
      app.synthYaml();
      const r = Reachability.ofApp(app);
      for (let i = 0; i < SERVICES; i++) {
        for (let j = 0; j < SERVICES; j++) {
          if (i === j) continue;
          for (const port of [80, 81]) {
            const any = declared.get(`${id(i)}>${id(j)}:${port}`);
            expect(r.isAllowed({ from: id(i), to: id(j), port, method: 'GET', path: '/' })).toBe(any !== undefined);
            expect(r.isAllowed({ from: id(i), to: id(j), port, method: 'POST', path: '/' })).toBe(any === true);
          }
        }
      }
    }), { numRuns: 40 });
});
