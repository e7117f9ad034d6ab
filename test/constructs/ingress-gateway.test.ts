import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ExternalPeer, GatewayListener, IngressGateway, MeshedService, MeshMode, Reachability, RoutePath, ServicePort,
  ZeroTrustApp, ZeroTrustNamespace, ZeroTrustRules,
} from '../../src';
import { find, synthAll } from '../_util';

const PUBLIC = ExternalPeer.cidr('203.0.113.0/24');

/** A gateway in `edge`, a frontend with HTTP and gRPC ports in `shop`, and a backend nothing routes to. */
function world(edgeMesh = MeshMode.SIDECAR, shopMesh = MeshMode.SIDECAR) {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge', mesh: edgeMesh });
  const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: shopMesh });
  const web = new MeshedService(chart, 'web', { namespace: shop, name: 'web', ports: [ServicePort.http(8080), ServicePort.grpc(9090), ServicePort.tcp(7000)] });
  const db = new MeshedService(chart, 'db', { namespace: shop, name: 'db', ports: [ServicePort.tcp(5432)] });
  const gw = new IngressGateway(chart, 'gw', {
    namespace: edge,
    name: 'public',
    listeners: [GatewayListener.http(), GatewayListener.https({ hostname: '*.example.com', certificates: ['shop-tls'] })],
    sources: [PUBLIC],
  });
  return { app, chart, edge, shop, web, db, gw };
}

const allowedRoutes = (values: string[]) => ({
  namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values }] } },
});

describe('IngressGateway', () => {
  test('emits a Gateway of class istio whose listeners admit routes only from the namespaces routed to them, computed at synth', () => {
    const { app, web, gw } = world();
    const objects = () => synthAll(app);
    expect(find(objects(), 'Gateway', 'edge', 'public').spec.listeners.map((l: any) => l.allowedRoutes.namespaces.selector)).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'DoesNotExist' }] },
      { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'DoesNotExist' }] },
    ]);
    gw.route(web, { port: 8080, listeners: ['https'], hostnames: ['shop.example.com'] });
    expect(find(objects(), 'Gateway', 'edge', 'public')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'public', namespace: 'edge' },
      spec: {
        gatewayClassName: 'istio',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'DoesNotExist' }] } } } },
          {
            name: 'https',
            hostname: '*.example.com',
            port: 443,
            protocol: 'HTTPS',
            tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-tls' }] },
            allowedRoutes: allowedRoutes(['shop']),
          },
        ],
      },
    });
    expect(gw.serviceAccountName).toBe('public-istio');
    expect(gw.principal).toBe('cluster.local/ns/edge/sa/public-istio');
    expect(gw.selector).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'public' });
  });

  test('route() emits an HTTPRoute in the service\'s namespace: parentRefs per listener, hostnames, sorted path matches, one backend', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080, hostnames: ['shop.example.com'], paths: [RoutePath.prefix('/api'), RoutePath.exact('/'), RoutePath.prefix('/api')] });
    const route = find(synthAll(app), 'HTTPRoute', 'shop', 'web-8080.public.edge');
    const parent = (sectionName: string) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge', name: 'public', sectionName });
    expect(route.spec).toEqual({
      parentRefs: [parent('http'), parent('https')],
      hostnames: ['shop.example.com'],
      rules: [{
        matches: [{ path: { type: 'Exact', value: '/' } }, { path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ name: 'web', port: 8080 }],
      }],
    });
  });

  test('a gRPC port gets a GRPCRoute that sends every method; without paths an HTTP route matches every path', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 9090, listeners: ['https'] });
    const objects = synthAll(app);
    expect(find(objects, 'GRPCRoute', 'shop', 'web-9090.public.edge').spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge', name: 'public', sectionName: 'https' }],
      rules: [{ backendRefs: [{ name: 'web', port: 9090 }] }],
    });
    const { app: app2, web: web2, gw: gw2 } = world();
    gw2.route(web2, { port: 8080 });
    expect(find(synthAll(app2), 'HTTPRoute', 'shop', 'web-8080.public.edge').spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
  });

  test('the routed service admits the gateway pods on the routed port, and its principal there; nothing else changes', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080 });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } },
        podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
      }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'web').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/edge/sa/public-istio'] } }],
      to: [{ operation: { ports: ['8080'] } }],
    }]);
    expect(find(objects, 'NetworkPolicy', 'shop', 'db').spec.ingress).toEqual([]);
  });

  test('an HTTP route\'s paths narrow the sidecar server\'s AuthorizationPolicy: exact as is, a prefix by whole segments', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080, paths: [RoutePath.prefix('/api'), RoutePath.prefix('/static/'), RoutePath.exact('/healthz')] });
    gw.route(web, { port: 9090 });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'web').spec.rules).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/edge/sa/public-istio'] } }],
        to: [{ operation: { ports: ['8080'], paths: ['/api', '/api/*', '/healthz', '/static', '/static/*'] } }],
      },
      { from: [{ source: { principals: ['cluster.local/ns/edge/sa/public-istio'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    const get = (path: string) => r.check({ from: 'edge/public-istio', to: 'shop/web', port: 8080, method: 'GET', path }).allowed;
    expect(['/api', '/api/v1/items', '/healthz', '/static/x.css'].map(get)).toEqual([true, true, true, true]);
    expect(['/admin', '/apis', '/healthz/x', '/'].map(get)).toEqual([false, false, false, false]);
  });

  test('a route stays port-level where its paths cannot or need not narrow the policy: a `/` prefix, a gRPC port, an ambient server', () => {
    const rules = (shopMesh: MeshMode, route: (w: ReturnType<typeof world>) => void) => {
      const w = world(MeshMode.SIDECAR, shopMesh);
      route(w);
      expect(() => w.app.synthYaml()).not.toThrow();
      return find(synthAll(w.app), 'AuthorizationPolicy', 'shop', 'web').spec.rules.map((rule: any) => rule.to);
    };
    expect(rules(MeshMode.SIDECAR, w => w.gw.route(w.web, { port: 8080, paths: [RoutePath.prefix('/'), RoutePath.exact('/x')] })))
      .toEqual([[{ operation: { ports: ['8080'] } }]]);
    expect(rules(MeshMode.SIDECAR, w => w.gw.route(w.web, { port: 9090 }))).toEqual([[{ operation: { ports: ['9090'] } }]]);
    expect(rules(MeshMode.AMBIENT, w => w.gw.route(w.web, { port: 8080, paths: [RoutePath.prefix('/api')] }))).toEqual([[{ operation: { ports: ['8080'] } }]]);
  });

  test('ZT416 catches a route\'s paths dropped from the server\'s AuthorizationPolicy', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080, paths: [RoutePath.prefix('/api')] });
    web.authorizationPolicy!.addJsonPatch(JsonPatch.remove('/spec/rules/0/to/0/operation/paths'));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/web: the authorization of shop\/web differs from the declared flows: it allows edge\/public-istio -> shop\/web on 8080\/TCP for ZT \/zt \(host zt\.example, no token\), which no flow declares/);
  });

  test('the gateway\'s NetworkPolicy admits only the sources on the listener ports and reaches only the routed ports', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080 });
    gw.route(web, { port: 9090 });
    expect(find(synthAll(app), 'NetworkPolicy', 'edge', 'public-istio').spec).toEqual({
      podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
          podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } },
        }],
        ports: [{ port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }],
      }],
    });
  });

  test('the gateway\'s AuthorizationPolicy admits the sources, by address with their exceptions, on the listener ports', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge' });
    new IngressGateway(chart, 'gw', {
      namespace: edge,
      name: 'public',
      listeners: [GatewayListener.http({ port: 8080 })],
      sources: [PUBLIC, ExternalPeer.cidr('198.51.100.0/24', ['198.51.100.0/28'])],
    });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'edge', 'public-istio').spec).toEqual({
      selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { ipBlocks: ['203.0.113.0/24'] } }, { source: { ipBlocks: ['198.51.100.0/24'], notIpBlocks: ['198.51.100.0/28'] } }],
        to: [{ operation: { ports: ['8080'] } }],
      }],
    });
  });

  test('in ambient mode the flow also opens HBONE 15008, and the gateway reaches istiod itself', () => {
    const { app, web, gw } = world(MeshMode.AMBIENT, MeshMode.AMBIENT);
    gw.route(web, { port: 8080 });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }, { port: 15008, protocol: 'TCP' }]);
    expect(find(objects, 'NetworkPolicy', 'edge', 'public-istio').spec.egress).toEqual([
      expect.objectContaining({ ports: [{ port: 8080, protocol: 'TCP' }, { port: 15008, protocol: 'TCP' }] }),
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
        ports: [{ port: 15012, protocol: 'TCP' }],
      },
    ]);
  });

  test('routing the same port again with the same options is harmless; other options are refused', () => {
    const { app, web, gw } = world();
    const first = gw.route(web, { port: 8080, paths: [RoutePath.prefix('/a')], hostnames: ['b.example.com', 'a.example.com'] });
    expect(gw.route(web, { port: 8080, paths: [RoutePath.prefix('/a')], hostnames: ['a.example.com', 'b.example.com'] })).toBe(first);
    expect(() => gw.route(web, { port: 8080, paths: [RoutePath.prefix('/b')] })).toThrow(
      '[ZT122] c/gw.route(c/web): port 8080 of web is already routed with other options (c/gw/Route:shop:web:8080). '
      + 'Route each service port once, with all its hostnames and paths, or route it from another gateway.');
    expect(synthAll(app).filter(o => o.kind === 'HTTPRoute')).toHaveLength(1);
  });

  test.each([
    [{ port: 7000 }, '[ZT124] c/gw.route(c/web): port 7000 of web is a TCP port, which HTTP and gRPC routes cannot reach. Route an HTTP or gRPC port (ServicePort.http or ServicePort.grpc).'],
    [{ port: 9090, paths: [RoutePath.prefix('/')] }, '[ZT124] c/gw.route(c/web): port 9090 of web is a gRPC port, and a GRPCRoute matches methods, not paths. Omit `paths` for a gRPC port: the route then sends every method of the service.'],
    [{ port: 8081 }, '[ZT104] c/gw.route(c/web): port 8081 is not a port of web (ports: 8080, 9090, 7000). Declare it on the MeshedService or drop it from the flow.'],
    [{ port: 8080, listeners: ['grpc'] }, '[ZT125] c/gw.route(c/web): the gateway has no listener "grpc" (listeners: http, https). Name one of the gateway\'s listeners, or omit `listeners` for all of them.'],
    [{ port: 8080, listeners: [] }, '[ZT125] c/gw.route(c/web): the route attaches to no listener. Name at least one listener, or omit `listeners` for all of them.'],
    [{ port: 8080, hostnames: ['shop.example.org'] }, '[ZT121] c/gw.route(c/web): hostname "shop.example.org" is not under listener https\'s hostname "*.example.com", so the route would not attach there. Give hostnames under the listener\'s, or attach the route to other listeners.'],
    [{ port: 8080, hostnames: ['Shop.example.com'] }, '[ZT121] c/gw.route(c/web): hostname "Shop.example.com" is not a lowercase DNS name, optionally starting with "*.". Give a DNS name such as "shop.example.com" or "*.example.com".'],
  ])('route(%j) is refused', (options, message) => {
    const { web, gw } = world();
    expect(() => gw.route(web, options)).toThrow(message);
  });

  test('hostnames under a listener\'s wildcard attach; a wildcard route under an exact listener too', () => {
    const { web, gw } = world();
    expect(() => gw.route(web, { port: 8080, hostnames: ['a.b.example.com', '*.shop.example.com'] })).not.toThrow();
    const { chart, edge, web: web2 } = world();
    const exact = new IngressGateway(chart, 'exact', { namespace: edge, name: 'exact', listeners: [GatewayListener.http({ hostname: 'shop.example.com' })], sources: [PUBLIC] });
    expect(() => exact.route(web2, { port: 8080, hostnames: ['*.example.com'] })).not.toThrow();
    expect(() => exact.route(web2, { port: 9090, hostnames: ['example.com'] })).toThrow(/\[ZT121\] .*hostname "example.com" is not under listener http's hostname "shop.example.com"/);
  });

  test.each([
    [{ name: 'a'.repeat(58) }, /^\[ZT201\] c\/g: gateway name "a{58}-istio" is 64 characters long, over the limit of 63\. /],
    [{ name: 'Public' }, /^\[ZT201\] c\/g: gateway name "Public" is not a DNS-1035 label/],
    [{ listeners: [] }, '[ZT320] c/g: the gateway has no listeners. Give at least one, such as GatewayListener.https({ certificates: [\'shop-tls\'] }).'],
    [{ listeners: [GatewayListener.http(), GatewayListener.http({ port: 8080, name: 'http' })] }, '[ZT320] c/g: listener name "http" is used twice. Give each listener its own name.'],
    [{ listeners: [GatewayListener.http({ port: 443 }), GatewayListener.https({ certificates: ['t'] })] }, '[ZT320] c/g: listeners "http-443" and "https" share port 443. Give listeners on one port the same protocol and distinct hostnames, or use another port.'],
    [{ sources: [] }, '[ZT126] c/g: the gateway has no sources, so nothing could connect to it. Give the ranges that may connect (your load balancer\'s or CDN\'s), or ExternalPeer.anyAddressUnsafe() with a ZT403 suppression.'],
  ])('new IngressGateway(%j) is refused', (props, message) => {
    const { chart, edge } = world();
    expect(() => new IngressGateway(chart, 'g', { namespace: edge, name: 'g', listeners: [GatewayListener.http()], sources: [PUBLIC], ...props })).toThrow(message);
  });

  test('listeners may share a port with distinct hostnames', () => {
    const { chart, edge } = world();
    expect(() => new IngressGateway(chart, 'g', {
      namespace: edge,
      name: 'g',
      sources: [PUBLIC],
      listeners: [GatewayListener.http({ hostname: 'a.example.com', name: 'a' }), GatewayListener.http({ hostname: 'b.example.com', name: 'b' })],
    })).not.toThrow();
  });

  test('a gateway outside the mesh, or whose `<name>-istio` or name is taken, is refused', () => {
    const { chart, shop, edge } = world();
    const plain = new ZeroTrustNamespace(chart, 'plain', { name: 'plain', mesh: MeshMode.NONE });
    const props = { listeners: [GatewayListener.http()], sources: [PUBLIC] };
    expect(() => new IngressGateway(chart, 'g1', { ...props, namespace: plain, name: 'g' })).toThrow(
      '[ZT123] c/g1: namespace "plain" is outside the mesh, so the gateway would have no mesh identity to call services with. Put the gateway in a namespace in the mesh (MeshMode.SIDECAR or AMBIENT).');
    new MeshedService(chart, 'api-istio', { namespace: edge, name: 'api-istio', ports: [ServicePort.http(80)] });
    expect(() => new IngressGateway(chart, 'g2', { ...props, namespace: edge, name: 'api' })).toThrow(/^\[ZT204\] c\/g2: namespace "edge" already has a service named "api-istio"/);
    expect(() => new IngressGateway(chart, 'g3', { ...props, namespace: shop, name: 'web' })).toThrow(/^\[ZT204\] c\/g3: "shop\/web" already names a flow end \(c\/web\)/);
  });
});

describe('GatewayListener and RoutePath', () => {
  test('defaults: http on 80, https on 443, names from the protocol and a non-default port', () => {
    expect(GatewayListener.http()).toMatchObject({ name: 'http', port: 80, protocol: 'HTTP', certificates: [] });
    expect(GatewayListener.https({ port: 8443, certificates: ['t'] })).toMatchObject({ name: 'https-8443', port: 8443, protocol: 'HTTPS', certificates: ['t'] });
  });

  test.each([
    [() => GatewayListener.http({ port: 0 }), '[ZT301] GatewayListener.http: port 0 is outside 1-65535. Use a whole number from 1 to 65535.'],
    [() => GatewayListener.http({ name: 'Web' }), /^\[ZT320\] GatewayListener.http: listener name "Web" is not an IANA service name/],
    [() => GatewayListener.http({ hostname: '10.0.0.1' }), '[ZT121] GatewayListener.http: hostname "10.0.0.1" is an IP address, which Gateway API hostnames cannot be. Give a DNS name such as "shop.example.com" or "*.example.com", or omit it for every hostname.'],
    [() => GatewayListener.https({ certificates: [] }), '[ZT321] GatewayListener.https: the HTTPS listener has no certificates. Name the kubernetes.io/tls Secrets, in the gateway\'s namespace, that hold its certificate.'],
    [() => GatewayListener.https({ certificates: ['Shop_TLS'] }), '[ZT321] GatewayListener.https: certificate Secret name "Shop_TLS" is not a DNS-1123 subdomain. Give the name of a Secret in the gateway\'s namespace.'],
  ])('listener %#: bad input is refused', (make, message) => {
    expect(make).toThrow(message);
  });

  test.each(['api', '/a/../b', '/a//b', '/a%2fb', '/a?b', '/a#b', '/a b', '/a*'])('RoutePath.prefix(%p) is refused', path => {
    expect(() => RoutePath.prefix(path)).toThrow(new RegExp(`^\\[ZT120\\] RoutePath\\.prefix\\(${JSON.stringify(path).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): the path`));
  });

  test('property: a path is either refused with ZT120 or free of what Istio normalises', () => {
    const alphabet = fc.constantFrom('/', '.', '%', '?', '#', '*', ' ', 'a', 'b', '-', '_', '~', '\t');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 12 }).map(a => a.join('')), path => {
      let value: string;
      try {
        value = RoutePath.prefix(path).value;
      } catch (e) {
        expect((e as Error).message).toMatch(/^\[ZT120\] /);
        return;
      }
      expect(value.startsWith('/')).toBe(true);
      for (const unsafe of ['..', '//', '%', '?', '#', '*', ' ', '\t']) expect(value.includes(unsafe)).toBe(false);
    }));
  });

  test('a safe path is kept with its match type', () => {
    expect(RoutePath.exact('/healthz')).toMatchObject({ type: 'Exact', value: '/healthz' });
    expect(() => RoutePath.exact('/a/../b')).toThrow('[ZT120] RoutePath.exact("/a/../b"): the path "/a/../b" holds "..", which Istio normalises or strips before matching, so the route would not match what it reads. Give a plain path starting with "/", such as "/api", without "..", "//", "%", "?" or "#".');
  });
});

describe('the gateway in the proof, the analyzer and the rules', () => {
  test('the synth passes, and the analyzer sees the gateway pod reach the routed port alone', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080 });
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    expect(r.pods).toContain('edge/public-istio');
    expect(r.isAllowed({ from: 'edge/public-istio', to: 'shop/web', port: 8080 })).toBe(true);
    expect(r.isAllowed({ from: 'edge/public-istio', to: 'shop/web', port: 9090 })).toBe(false);
    expect(r.isAllowed({ from: 'edge/public-istio', to: 'shop/db', port: 5432 })).toBe(false);
    expect(r.isAllowed({ from: 'shop/db', to: 'edge/public-istio', port: 80 })).toBe(false);
    expect(r.isAllowed({ from: 'shop/db', to: 'shop/web', port: 8080 })).toBe(false);
    expect(r.isAllowed({ from: '203.0.113.9', to: 'edge/public-istio', port: 443 })).toBe(true);
    expect(r.explain({ from: '203.0.113.9', to: 'edge/public-istio', port: 443 }).authorization.reasons[0]).toBe(
      'mTLS mode of edge/public-istio on port 443: DISABLE, from an Istio gateway, whose listeners no PeerAuthentication governs');
    expect(r.check({ from: '198.51.100.9', to: 'edge/public-istio', port: 443 })).toMatchObject({ ingress: false, authorization: false });
    expect(r.check({ from: '203.0.113.9', to: 'edge/public-istio', port: 8443 }).allowed).toBe(false);
  });

  test('the synth passes in ambient mode, across modes, and to a service outside the mesh', () => {
    const pairs = [
      [MeshMode.AMBIENT, MeshMode.AMBIENT], [MeshMode.SIDECAR, MeshMode.AMBIENT],
      [MeshMode.AMBIENT, MeshMode.SIDECAR], [MeshMode.SIDECAR, MeshMode.NONE],
    ];
    for (const [a, b] of pairs) {
      const { app, web, gw } = world(a, b);
      gw.route(web, { port: 8080 });
      expect(() => app.synthYaml()).not.toThrow();
    }
  });

  test('the proof counts the gateway\'s istiod egress as infrastructure in both modes (its own policy\'s in ambient mode)', () => {
    for (const mesh of [MeshMode.SIDECAR, MeshMode.AMBIENT]) {
      const { app, chart, web, gw } = world(mesh, mesh);
      gw.route(web, { port: 8080 });
      new ApiObject(chart, 'istiod', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod' } },
        spec: { containers: [{ name: 'discovery', image: 'istio/pilot', ports: [{ containerPort: 15012 }] }] },
      });
      expect(() => app.synthYaml()).not.toThrow();
    }
  });

  test('a ZeroTrustApp synthesizes a routed gateway in its single render', () => {
    const app = new ZeroTrustApp({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge' });
    const web = new MeshedService(chart, 'web', { namespace: edge, name: 'web', ports: [ServicePort.http(8080)] });
    new IngressGateway(chart, 'gw', { namespace: edge, name: 'public', listeners: [GatewayListener.http()], sources: [PUBLIC] }).route(web, { port: 8080 });
    expect(app.synthYaml()).toContain('kind: HTTPRoute');
  });

  test('ZT416 catches a missing piece: the gateway\'s egress cut by an escape hatch', () => {
    const { app, web, gw } = world();
    gw.route(web, { port: 8080 });
    gw.networkPolicy.addJsonPatch(JsonPatch.replace('/spec/egress', []));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/gw: the egress of edge\/public-istio differs from the declared flows: it refuses edge\/public-istio -> shop\/web on 8080\/TCP, which a declared flow needs/);
  });

  test('ZT416 catches a hand-written hole: the gateway pods admitted to another service', () => {
    const { app, chart, web, gw } = world();
    gw.route(web, { port: 8080 });
    new ApiObject(chart, 'hole', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'hole', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
      },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/db: the ingress of shop\/db differs from the declared flows: it allows edge\/public-istio -> shop\/db on 5432\/TCP, which no flow declares/);
  });

  test('ZT416 checks the server\'s authorization of the gateway: another port admitted, or the principal dropped', () => {
    const { app, chart, web, gw } = world();
    gw.route(web, { port: 8080 });
    new ApiObject(chart, 'wider', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'wider', namespace: 'shop' },
      spec: { selector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } }, rules: [{ from: [{ source: { principals: [gw.principal] } }], to: [{ operation: { ports: ['9090'] } }] }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] c\/web: the authorization of shop\/web differs from the declared flows: it allows edge\/public-istio -> shop\/web on 9090\/TCP, which no flow declares/);
    const second = world();
    second.gw.route(second.web, { port: 8080 });
    second.web.authorizationPolicy!.addJsonPatch(JsonPatch.replace('/spec/rules/0/from/0/source/principals', ['cluster.local/ns/shop/sa/db']));
    expect(() => second.app.synthYaml()).toThrow(/\[ZT416\] c\/web: the authorization of shop\/web differs from the declared flows: .*refuses edge\/public-istio -> shop\/web on 8080\/TCP, which a declared flow needs/);
  });

  test('every address is refused by ZT403 until suppressed on the gateway with a reason', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge' });
    const gw = new IngressGateway(chart, 'gw', { namespace: edge, name: 'public', listeners: [GatewayListener.http()], sources: [ExternalPeer.anyAddressUnsafe()] });
    expect(() => app.synthYaml()).toThrow(/\[ZT403\] c\/gw\/NetworkPolicy: NetworkPolicy edge\/public-istio, spec.ingress\[0\].from\[0\].ipBlock: the ipBlock 0.0.0.0\/0 covers every address/);
    ZeroTrustRules.suppress(gw, 'ZT403', 'the public storefront is open to the internet');
    expect(() => app.synthYaml()).not.toThrow();
  });

  describe('hostile objects are still refused (ZT422, ZT425, ZT427)', () => {
    const routed = () => {
      const w = world();
      w.gw.route(w.web, { port: 8080 });
      return w;
    };
    const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge', name: 'public' };

    test('a hand-written HTTPRoute sending to a second backend', () => {
      const { app, chart } = routed();
      new ApiObject(chart, 'second', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'second', namespace: 'shop' },
        spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] },
      });
      expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/second: HTTPRoute shop\/second: it brings traffic from outside the cluster/);
    });

    test('our route changed to a second backend by an escape hatch', () => {
      const { app, gw, web } = routed();
      gw.route(web, { port: 8080 }).addJsonPatch(JsonPatch.add('/spec/rules/0/backendRefs/-', { name: 'db', port: 5432 }));
      expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/gw\/Route:shop:web:8080: HTTPRoute shop\/web-8080.public.edge: it brings traffic/);
    });

    test('our Gateway opened to routes from every namespace', () => {
      const { app, gw } = routed();
      gw.gateway.addJsonPatch(JsonPatch.replace('/spec/listeners/0/allowedRoutes', { namespaces: { from: 'All' } }));
      expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/gw\/Gateway: Gateway edge\/public: it brings traffic/);
    });

    test('our Gateway given an annotation or a label by an escape hatch, which Istio reads or copies to what it deploys', () => {
      for (const patch of [
        JsonPatch.add('/metadata/annotations', { 'networking.istio.io/service-type': 'NodePort' }),
        JsonPatch.add('/metadata/labels', { 'istio.io/rev': 'canary' }),
      ]) {
        const { app, gw } = routed();
        gw.gateway.addJsonPatch(patch);
        expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/gw\/Gateway: Gateway edge\/public: it brings traffic/);
      }
    });

    test('the chart\'s labels on our Gateway are its own', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { labels: { team: 'storefront' } });
      const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge' });
      const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
      const web = new MeshedService(chart, 'web', { namespace: shop, name: 'web', ports: [ServicePort.http(8080)] });
      const gw = new IngressGateway(chart, 'gw', { namespace: edge, name: 'public', listeners: [GatewayListener.http()], sources: [ExternalPeer.cidr('203.0.113.0/24')] });
      gw.route(web, { port: 8080 });
      expect(Testing.synth(chart).find(o => o.kind === 'Gateway').metadata.labels).toEqual({ team: 'storefront' });
      expect(() => app.synthYaml()).not.toThrow();
    });

    test('a hand-written Gateway with allowedRoutes All', () => {
      const { app, chart } = routed();
      new ApiObject(chart, 'open', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'open', namespace: 'edge' },
        spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
      });
      expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/open: Gateway edge\/open: it brings traffic/);
    });

    test('a hand-written route from a namespace that routes nothing to the gateway', () => {
      const { app, chart } = routed();
      new ZeroTrustNamespace(chart, 'other', { name: 'other' });
      new ApiObject(chart, 'sneak', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'sneak', namespace: 'other' },
        spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: 'x', port: 80 }] }] },
      });
      expect(() => app.synthYaml()).toThrow(/\[ZT425\] c\/sneak: HTTPRoute other\/sneak: it brings traffic/);
    });

    test('the gateway\'s policies widened by an escape hatch are no longer exempt', () => {
      const { app, gw } = routed();
      gw.networkPolicy.addJsonPatch(JsonPatch.add('/spec/ingress/0/from/-', { ipBlock: { cidr: '198.51.100.0/24' } }));
      gw.authorizationPolicy.addJsonPatch(JsonPatch.add('/spec/rules/0/from/-', { source: { ipBlocks: ['198.51.100.0/24'] } }));
      expect(() => app.synthYaml()).toThrow(/\[ZT422\] c\/gw\/AuthorizationPolicy: [^\n]*\n.*\[ZT427\] c\/gw\/NetworkPolicy: NetworkPolicy edge\/public-istio, spec.ingress\[0\].from\[0\].ipBlock: the ipBlock 203.0.113.0\/24/s);
    });

    test('a hand-written AuthorizationPolicy admitting by address, like the gateway\'s', () => {
      const { app, chart, gw } = routed();
      new ApiObject(chart, 'byip', {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'byip', namespace: 'edge' },
        spec: { ...gw._declaredManifests()[2].spec as object },
      });
      expect(() => app.synthYaml()).toThrow(/\[ZT422\] c\/byip: AuthorizationPolicy edge\/byip, spec.rules\[0\].from\[0\].source: the source admits clients by address alone/);
    });
  });
});
