import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { AllowFlow, MeshedService, MeshMode, Reachability, ServicePort, ZeroTrustNamespace } from '../../src';
import { pathPatternProblem } from '../../src/constructs/_validate-http';
import { find, synthAll } from '../_util';

/** web and admin call api (http 8080, grpc 9090, tcp 9091) in namespace shop. */
function shop(mesh = MeshMode.SIDECAR) {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh });
  const ports = [ServicePort.http(8080), ServicePort.grpc(9090), ServicePort.tcp(9091)];
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const admin = new MeshedService(chart, 'admin', { namespace: ns, name: 'admin', ports: [ServicePort.http(8080)] });
  return { app, chart, ns, api, web, admin };
}

const WEB = 'cluster.local/ns/shop/sa/web';
const ADMIN = 'cluster.local/ns/shop/sa/admin';

describe('HTTP rules render into the server\'s AuthorizationPolicy', () => {
  test('methods and paths land in to.operation beside the ports, sorted; NetworkPolicy stays at port level', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080], http: { methods: ['POST', 'GET', 'GET'], paths: ['/v1/*', '/healthz'] } });
    const objects = synthAll(app);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'api').spec.rules).toEqual([{
      from: [{ source: { principals: [WEB] } }],
      to: [{ operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/healthz', '/v1/*'] } }],
    }]);
    expect(find(objects, 'NetworkPolicy', 'shop', 'api').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });

  test('declaring a flow again adds its rules; ports without http stay whole', () => {
    const { app, api, web, admin } = shop();
    web.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    web.allowTo(api, { ports: [8080], http: { methods: ['DELETE'], paths: ['/cache/*'] } });
    web.allowTo(api, { ports: [9091] });
    admin.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    admin.allowTo(api, { ports: [8080] });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'api').spec.rules).toEqual([
      // admin declared 8080 without http too: the wider declaration wins.
      { from: [{ source: { principals: [ADMIN] } }], to: [{ operation: { ports: ['8080'] } }] },
      {
        from: [{ source: { principals: [WEB] } }],
        to: [{ operation: { ports: ['8080'], methods: ['DELETE'], paths: ['/cache/*'] } }, { operation: { ports: ['8080'], methods: ['GET'] } }],
      },
      // A rule of its own: on plain TCP, Istio drops a whole ALLOW rule with an HTTP-only field.
      { from: [{ source: { principals: [WEB] } }], to: [{ operation: { ports: ['9091'] } }] },
    ]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('AllowFlow and allowFrom carry the HTTP rule too', () => {
    const { app, chart, api, web, admin } = shop();
    new AllowFlow(chart, 'web-to-api', { from: web, to: api, ports: [8080], http: { methods: ['GET'] } });
    api.allowFrom(admin, { ports: [9090], http: { paths: ['/shop.Admin/*'] } });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'api').spec.rules.map((r: any) => r.to)).toEqual([
      [{ operation: { ports: ['8080'], methods: ['GET'] } }],
      [{ operation: { ports: ['9090'], paths: ['/shop.Admin/*'] } }],
    ]);
  });

  test('the analyzer answers per request, and the ZT416 proof passes', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080, 9090], http: { methods: ['GET'], paths: ['/v1/*'] } });
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    const ask = (q: object) => r.check({ from: 'shop/web', to: 'shop/api', port: 8080, ...q }).allowed;
    expect([ask({}), ask({ method: 'GET', path: '/v1/items' }), ask({ method: 'POST', path: '/v1/items' }), ask({ method: 'GET', path: '/v1/../admin' })])
      .toEqual([true, true, false, false]);
    expect(r.check({ from: 'shop/web', to: 'shop/api', port: 9091 }).allowed).toBe(false);
  });
});

describe('ZT416 checks the requests, not only the ports', () => {
  test('a widened operation is caught', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    api.authorizationPolicy!.addJsonPatch(JsonPatch.remove('/spec/rules/0/to/0/operation/methods'));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: the authorization of shop\/api differs from the declared flows: it allows shop\/web -> shop\/api on 8080\/TCP for ZT \/zt \(host zt\.example, no token\), which no flow declares/);
  });

  test('a hand-written policy that admits more requests is caught', () => {
    const { app, chart, api, web } = shop();
    web.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    new ApiObject(chart, 'extra', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'extra', namespace: 'shop' },
      spec: { selector: { matchLabels: api.selector }, rules: [{ from: [{ source: { principals: [WEB] } }], to: [{ operation: { ports: ['8080'], methods: ['DELETE'] } }] }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: .* it allows shop\/web -> shop\/api on 8080\/TCP for DELETE \/zt \(host zt\.example, no token\), which no flow declares/);
  });

  test('a hand-written DENY that narrows a declared flow is caught too', () => {
    const { app, chart, api, web } = shop();
    web.allowTo(api, { ports: [8080] });
    new ApiObject(chart, 'deny', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { selector: { matchLabels: api.selector }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: .* it refuses shop\/web -> shop\/api on 8080\/TCP for ZT \/admin\/zt \(host zt\.example, no token\), which a declared flow needs/);
  });
});

describe('HTTP rules are checked at construct time', () => {
  test.each<[string, (s: ReturnType<typeof shop>) => void, string]>([
    ['server outside the mesh', s => s.web.allowTo(s.api, { ports: [8080], http: { methods: ['GET'] } }),
      '[ZT110] shop/web.allowTo(shop/api): api is outside the mesh, where no proxy evaluates HTTP, so the HTTP rule cannot be enforced. Drop `http` to allow the ports, or put the server in the mesh (MeshMode.SIDECAR or AMBIENT).'],
  ])('%s', (_, declare, message) => {
    expect(() => declare(shop(MeshMode.NONE))).toThrow(message);
  });

  test('a server outside the mesh', () => {
    const s = shop(MeshMode.NONE);
    expect(() => s.web.allowTo(s.api, { ports: [8080], http: { paths: ['/x'] } })).toThrow(
      '[ZT110] shop/web.allowTo(shop/api): api is outside the mesh, where no proxy evaluates HTTP, so the HTTP rule cannot be enforced.');
  });

  test.each<[string, object, string]>([
    ['a TCP port', { ports: [8080, 9091], http: { methods: ['GET'] } },
      '[ZT111] shop/web.allowTo(shop/api): port 9091 of api is TCP, where Istio evaluates no HTTP field. Give `ports` only HTTP or gRPC ports of the server with `http`, and declare the TCP ports in a flow of their own.'],
    ['all ports by default, one of them TCP', { http: { methods: ['GET'] } }, '[ZT111] shop/web.allowTo(shop/api): port 9091 of api is TCP'],
    ['a lowercase method', { ports: [8080], http: { methods: ['get'] } },
      '[ZT112] shop/web.allowTo(shop/api): method "get" is not an uppercase HTTP method. Write it in uppercase, such as "GET".'],
    ['a wildcard method', { ports: [8080], http: { methods: ['*'] } }, '[ZT112] shop/web.allowTo(shop/api): method "*" is not an uppercase HTTP method.'],
    ['an empty rule', { ports: [8080], http: {} },
      '[ZT114] shop/web.allowTo(shop/api): the HTTP rule names no method or no path, which Istio reads as any. Give methods or paths, or drop `http` (or the empty list) to admit every request.'],
    ['an empty list', { ports: [8080], http: { methods: ['GET'], paths: [] } }, '[ZT114] shop/web.allowTo(shop/api): the HTTP rule names no method or no path'],
    ['an unsafe path', { ports: [8080], http: { paths: ['/v1/../admin'] } },
      '[ZT113] shop/web.allowTo(shop/api): path "/v1/../admin" has a . or .. segment, which Istio resolves in requests before matching. Give an exact path such as "/healthz" or a prefix ending in "/*" such as "/v1/*".'],
  ])('%s', (_, options, message) => {
    const s = shop();
    expect(() => s.web.allowTo(s.api, options)).toThrow(message);
  });

  test.each([
    ['v1', 'does not start with /'],
    ['/v1*', 'has a * that is not a final /* (Istio matches only prefix, suffix and exact patterns)'],
    ['/v1/*/items', 'has a * that is not a final /* (Istio matches only prefix, suffix and exact patterns)'],
    ['*/items', 'does not start with /'],
    ['/v1/{*}/items', 'is a {*}/{**} template, which the library does not model'],
    ['/v1/{**}', 'is a {*}/{**} template, which the library does not model'],
    ['/v1/%69tems', 'has percent-encoding, which Istio decodes in requests before matching, so the pattern never matches as written'],
    ['/v1/items?id=1', 'has a query or fragment, which Istio strips from requests before matching'],
    ['/v1/#top', 'has a query or fragment, which Istio strips from requests before matching'],
    ['/v1\\items', 'has a backslash, which Istio turns into / in requests before matching'],
    ['/v1/it ems', 'has characters that are not valid in a URL path'],
    ['/v1//items', 'has an empty segment (//), which requests may merge or not depending on the mesh configuration'],
    ['/v1/./items', 'has a . or .. segment, which Istio resolves in requests before matching'],
    ['/v1/..', 'has a . or .. segment, which Istio resolves in requests before matching'],
    ['/v1/items', undefined], ['/v1/*', undefined], ['/*', undefined], ['/', undefined], ['/pkg.Service/Method', undefined], ['/a:b@c~d', undefined],
  ])('path %j: %s', (path, problem) => {
    expect(pathPatternProblem(path)).toBe(problem);
  });
});
