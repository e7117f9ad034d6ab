import { FlowQuery, Reachability } from '../../src';

/*
 * Request-level authorization: foo has sidecars, amb is ambient. httpbin serves 8000 (Service port http-web) and 9000
 * (Service port tcp-raw, opaque TCP to Istio); sleep and other are clients.
 */

function ap(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec: { selector: { matchLabels: { app: 'httpbin' } }, ...spec } };
}

function ra(namespace: string, issuers: string[], selector = true): any {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: { name: 'jwt', namespace },
    spec: { ...selector ? { selector: { matchLabels: { app: 'httpbin' } } } : {}, jwtRules: issuers.map(issuer => ({ issuer, jwksUri: `${issuer}/jwks.json` })) },
  };
}

function service(namespace: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'httpbin', namespace },
    spec: { selector: { app: 'httpbin' }, ports: [{ name: 'http-web', port: 8000 }, { name: 'tcp-raw', port: 9000 }] },
  };
}

const SLEEP = 'cluster.local/ns/foo/sa/sleep';
const ISSUER = 'https://issuer.example';

function mesh(manifests: any[], ns = 'foo'): Reachability {
  return Reachability.analyze({
    namespaces: [{ name: 'foo', labels: { 'istio-injection': 'enabled' } }, { name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
    pods: [
      { namespace: ns, name: 'httpbin', labels: { app: 'httpbin' }, serviceAccount: 'httpbin', ports: [{ port: 8000 }, { port: 9000 }] },
      { namespace: 'foo', name: 'sleep', labels: { app: 'sleep' }, serviceAccount: 'sleep' },
      { namespace: 'foo', name: 'other', labels: { app: 'other' }, serviceAccount: 'other' },
    ],
    manifests: [service(ns), ...manifests],
  });
}

type Request = Omit<FlowQuery, 'from' | 'to'>;

/** The authorization verdicts from foo/sleep to foo/httpbin on each request. */
function verdicts(r: Reachability, requests: Request[], from = 'foo/sleep', to = 'foo/httpbin'): boolean[] {
  return requests.map(q => r.check({ from, to, ...q }).authorization);
}

const allowGetV1 = ap('foo', 'get-v1', { rules: [{ from: [{ source: { principals: [SLEEP] } }], to: [{ operation: { methods: ['GET'], paths: ['/v1/*'] } }] }] });

describe('ALLOW rules with methods and paths on an HTTP port', () => {
  test.each<[Request, boolean]>([
    [{ port: 8000, method: 'GET', path: '/v1/items' }, true],
    [{ port: 8000, method: 'GET', path: '/v1/items?x=../admin' }, true],
    [{ port: 8000, method: 'POST', path: '/v1/items' }, false],
    [{ port: 8000, method: 'GET', path: '/v2/items' }, false],
    [{ port: 8000, method: 'GET', path: '/v1/../admin' }, false],
    [{ port: 8000, method: 'GET', path: '/v1/%2e%2e/admin' }, false],
    [{ port: 8000, method: 'get', path: '/v1/items' }, false],
    [{ port: 8000, method: 'GET', path: '/v1/%00' }, false],
    [{ port: 8000, method: 'GET' }, true],
    [{ port: 8000, path: '/v1/x' }, true],
    [{ port: 8000, method: 'DELETE' }, false],
    [{ port: 8000 }, true],
  ])('%j: %s', (request, expected) => {
    expect(verdicts(mesh([allowGetV1]), [request])).toEqual([expected]);
  });

  test('a connection-level question says which request is allowed; other clients stay refused', () => {
    const r = mesh([allowGetV1]);
    expect(r.explain({ from: 'foo/sleep', to: 'foo/httpbin', port: 8000 }).authorization.reasons).toContain('allowed for some requests, such as GET /v1/zt (host zt.example, no token)');
    expect(verdicts(r, [{ port: 8000 }, { port: 8000, method: 'GET', path: '/v1/x' }], 'foo/other')).toEqual([false, false]);
  });

  test('the explanation of a refused request names it and the normalized path', () => {
    const reasons = mesh([allowGetV1]).explain({ from: 'foo/sleep', to: 'foo/httpbin', port: 8000, method: 'GET', path: '/v1/../admin' }).authorization.reasons;
    expect(reasons).toContain('Istio normalizes path /v1/../admin to /admin before matching');
    expect(reasons).toContain('no such request is allowed, for instance GET /admin (host zt.example, no token)');
  });
});

describe('the not-forms and hosts', () => {
  const allow = (operation: any) => mesh([ap('foo', 'p', { rules: [{ from: [{ source: { principals: [SLEEP] } }], to: [{ operation }] }] })]);
  test.each<[any, Request, boolean]>([
    [{ notMethods: ['DELETE'] }, { port: 8000, method: 'GET' }, true],
    [{ notMethods: ['DELETE'] }, { port: 8000, method: 'DELETE' }, false],
    [{ notPaths: ['/admin/*'] }, { port: 8000, path: '/admin/users' }, false],
    [{ notPaths: ['/admin/*'] }, { port: 8000, path: '/admin' }, true],
    [{ notPaths: ['/admin/*'] }, { port: 8000, path: '/x/../admin/users' }, false],
    [{ hosts: ['api.example'] }, { port: 8000, host: 'API.Example' }, true],
    [{ hosts: ['api.example'] }, { port: 8000, host: 'web.example' }, false],
    [{ hosts: ['*.example'] }, { port: 8000, host: 'Web.EXAMPLE' }, true],
    [{ notHosts: ['admin.*'] }, { port: 8000, host: 'Admin.example' }, false],
    [{ notHosts: ['admin.*'] }, { port: 8000, host: 'api.example' }, true],
    [{ notMethods: ['*'] }, { port: 8000 }, false],
    [{ methods: ['GET'], notMethods: ['GET'] }, { port: 8000 }, false],
  ])('%j, %j: %s', (operation, request, expected) => {
    expect(verdicts(allow(operation), [request])).toEqual([expected]);
  });
});

describe('HTTP-only fields where Istio sees plain TCP: ALLOW rules never match, DENY rules ignore them', () => {
  const allowSleep = ap('foo', 'allow', { rules: [{ from: [{ source: { principals: [SLEEP] } }] }] });
  const denyDelete = ap('foo', 'deny', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] });
  test.each<[string, any[], Request, boolean]>([
    ['ALLOW with methods, HTTP port', [allowGetV1], { port: 8000 }, true],
    ['ALLOW with methods, opaque TCP port', [allowGetV1], { port: 9000 }, false],
    ['ALLOW with methods, opaque TCP port, even for a matching request', [allowGetV1], { port: 9000, method: 'GET', path: '/v1/x' }, false],
    ['DENY of DELETE, HTTP port, GET', [allowSleep, denyDelete], { port: 8000, method: 'GET' }, true],
    ['DENY of DELETE, HTTP port, DELETE', [allowSleep, denyDelete], { port: 8000, method: 'DELETE' }, false],
    ['DENY of DELETE, HTTP port, any request', [allowSleep, denyDelete], { port: 8000 }, true],
    ['DENY of DELETE, opaque TCP port: denies everything', [allowSleep, denyDelete], { port: 9000 }, false],
    ['no HTTP field, opaque TCP port', [allowSleep], { port: 9000 }, true],
  ])('%s', (_, manifests, request, expected) => {
    expect(verdicts(mesh(manifests), [request])).toEqual([expected]);
  });

  test('ambient mode (ztunnel) evaluates no HTTP field, on any port', () => {
    const amb = (spec: any) => ({ ...spec, metadata: { ...spec.metadata, namespace: 'amb' } });
    const r = mesh([amb(allowGetV1)], 'amb');
    expect(verdicts(r, [{ port: 8000 }, { port: 8000, method: 'GET', path: '/v1/x' }], 'foo/sleep', 'amb/httpbin')).toEqual([false, false]);
    expect(r.explain({ from: 'foo/sleep', to: 'amb/httpbin', port: 8000 }).authorization.reasons)
      .toContain('ambient mode: ztunnel authorizes connections and evaluates no HTTP field, so ALLOW rules with HTTP-only fields never match and DENY rules ignore them');
    const denied = mesh([amb(ap('foo', 'allow', { rules: [{ from: [{ source: { principals: [SLEEP] } }] }] })), amb(denyDelete)], 'amb');
    expect(verdicts(denied, [{ port: 8000 }], 'foo/sleep', 'amb/httpbin')).toEqual([false]);
  });
});

describe('request principals and RequestAuthentication', () => {
  const requireToken = ap('foo', 'jwt', { rules: [{ from: [{ source: { principals: [SLEEP], requestPrincipals: [`${ISSUER}/*`] } }] }] });
  test.each<[string, any[], string | undefined, boolean]>([
    ['no token', [requireToken, ra('foo', [ISSUER])], '', false],
    ['a token of the issuer', [requireToken, ra('foo', [ISSUER])], `${ISSUER}/alice`, true],
    ['a token of another issuer is rejected', [requireToken, ra('foo', [ISSUER])], 'https://evil.example/alice', false],
    ['any request: some token passes', [requireToken, ra('foo', [ISSUER])], undefined, true],
    ['without RequestAuthentication the token is not validated', [requireToken], `${ISSUER}/alice`, false],
    ['RequestAuthentication alone admits requests without a token', [ap('foo', 'allow', { rules: [{ from: [{ source: { principals: [SLEEP] } }] }] }), ra('foo', [ISSUER])], '', true],
    ['RequestAuthentication alone still rejects a token of another issuer', [ra('foo', [ISSUER])], 'https://evil.example/alice', false],
    ['a namespace-wide RequestAuthentication applies', [requireToken, ra('foo', [ISSUER], false)], `${ISSUER}/bob`, true],
    // Istio applies a targetRefs policy at a waypoint or gateway only; the sidecar does not validate the token.
    ['a RequestAuthentication targeting the Service applies to no sidecar', [requireToken, { ...ra('foo', [ISSUER], false), spec: { ...ra('foo', [ISSUER], false).spec, targetRefs: [{ group: '', kind: 'Service', name: 'httpbin' }] } }], `${ISSUER}/bob`, false],
    ['DENY notRequestPrincipals: no token', [ap('foo', 'deny', { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] }), ra('foo', [ISSUER])], '', false],
    ['DENY notRequestPrincipals: a token', [ap('foo', 'deny', { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] }), ra('foo', [ISSUER])], `${ISSUER}/alice`, true],
  ])('%s', (_, manifests, requestPrincipal, expected) => {
    expect(verdicts(mesh(manifests), [{ port: 8000, requestPrincipal }])).toEqual([expected]);
  });

  test('the explanation names the token and the RequestAuthentication that validated it', () => {
    const r = mesh([requireToken, ra('foo', [ISSUER])]);
    expect(r.explain({ from: 'foo/sleep', to: 'foo/httpbin', port: 8000, requestPrincipal: 'https://evil.example/a' }).authorization.reasons)
      .toContain('no RequestAuthentication that applies (foo/jwt) accepts the token\'s issuer: Istio rejects the request (401)');
    expect(r.explain({ from: 'foo/sleep', to: 'foo/httpbin', port: 8000 }).authorization.reasons)
      .toContain(`the token is validated by RequestAuthentication foo/jwt: request principal ${ISSUER}/zt-subject`);
  });

  test.each([
    [ra('foo', [ISSUER], false), { targetRefs: [] }, 'RequestAuthentication foo/jwt: spec.targetRefs: expected a non-empty list'],
    [ra('foo', [ISSUER], false), { targetRef: { kind: 'Service', name: 'httpbin' } }, 'RequestAuthentication foo/jwt: spec.targetRef: the analyzer models only spec.targetRefs to Services'],
    [ra('foo', [ISSUER], false), { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] },
      'RequestAuthentication foo/jwt: spec.targetRefs[0]: the analyzer models only targetRefs to a Service (group ""), not "gateway.networking.k8s.io/Gateway"'],
    [ra('foo', [ISSUER], false), { targetRefs: [{ group: 'core', kind: 'Service', name: 'httpbin' }] },
      'RequestAuthentication foo/jwt: spec.targetRefs[0]: the analyzer models only targetRefs to a Service (group ""), not "core/Service"'],
    [ra('foo', [ISSUER]), { targetRefs: [{ kind: 'Service', name: 'httpbin' }] }, 'RequestAuthentication foo/jwt: spec.targetRefs and spec.selector are exclusive (Istio rejects both)'],
    [ra('foo', [ISSUER]), { jwtRules: [{ jwksUri: 'https://x' }] }, 'RequestAuthentication foo/jwt: spec.jwtRules[0].issuer: required'],
    [ra('foo', [ISSUER]), { jwtRules: [{ issuer: 'x', jwks_uri: 'https://x' }] }, 'RequestAuthentication foo/jwt: spec.jwtRules[0].jwks_uri: field not supported by the analyzer'],
  ])('%#: unknown RequestAuthentication input is refused', (manifest, spec, message) => {
    expect(() => mesh([{ ...manifest, spec: { ...manifest.spec, ...spec } }])).toThrow(message);
  });
});

describe('questions', () => {
  test.each<[Request, string]>([
    [{ port: 8000, path: 'v1' }, 'invalid path "v1" (expected one starting with /)'],
    [{ port: 8000, method: '' }, 'invalid method "" (expected an HTTP method such as GET)'],
    [{ port: 53, protocol: 'UDP', method: 'GET' }, 'HTTP request attributes need protocol TCP, not UDP'],
  ])('%j is refused', (request, message) => {
    expect(() => mesh([]).check({ from: 'foo/sleep', to: 'foo/httpbin', ...request })).toThrow(message);
  });
});

describe('RequestAuthentications at a waypoint: those that target the Service, and no others', () => {
  const TARGET = [{ group: '', kind: 'Service', name: 'httpbin' }];
  const security = (kind: string, name: string, spec: any) => ({ apiVersion: 'security.istio.io/v1', kind, metadata: { name, namespace: 'amb' }, spec });
  const jwtRules = [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json` }];
  /** amb/httpbin is behind the waypoint, whose policy admits amb/sleep with a token of ISSUER; ztunnel admits only the waypoint. */
  function ambient(...authns: any[]): Reachability {
    return Reachability.analyze({
      namespaces: [{ name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
      pods: [
        { namespace: 'amb', name: 'httpbin', labels: { app: 'httpbin' }, serviceAccount: 'httpbin', ports: [{ port: 8000 }] },
        { namespace: 'amb', name: 'sleep', labels: { app: 'sleep' }, serviceAccount: 'sleep' },
        // The pod Istio deploys for the Gateway (Reachability.ofApp derives it).
        { namespace: 'amb', name: 'waypoint', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, serviceAccount: 'waypoint', ports: [{ port: 15008 }], meshed: true, waypoint: true },
      ],
      manifests: [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'waypoint', namespace: 'amb' },
          spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'httpbin', namespace: 'amb', labels: { 'istio.io/use-waypoint': 'waypoint' } },
          spec: { selector: { app: 'httpbin' }, ports: [{ name: 'http', port: 8000 }] },
        },
        security('AuthorizationPolicy', 'waypoint.httpbin', {
          targetRefs: TARGET, rules: [{ from: [{ source: { principals: ['cluster.local/ns/amb/sa/sleep'], requestPrincipals: [`${ISSUER}/*`] } }] }],
        }),
        security('AuthorizationPolicy', 'httpbin', { selector: { matchLabels: { app: 'httpbin' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/amb/sa/waypoint'] } }] }] }),
        ...authns,
      ],
    });
  }
  const ask = (r: Reachability, requestPrincipal?: string) => r.check({ from: 'amb/sleep', to: 'amb/httpbin', port: 8000, method: 'GET', path: '/', requestPrincipal }).allowed;

  test('a RequestAuthentication with targetRefs to the Service: no token is refused, a token of its issuer admitted, another issuer\'s rejected', () => {
    const r = ambient(security('RequestAuthentication', 'jwt', { targetRefs: TARGET, jwtRules }));
    expect([ask(r, ''), ask(r, `${ISSUER}/alice`), ask(r, 'https://evil.example/alice'), ask(r)]).toEqual([false, true, false, true]);
    expect(r.explain({ from: 'amb/sleep', to: 'amb/httpbin', port: 8000, requestPrincipal: `${ISSUER}/alice` }).authorization.reasons)
      .toContain(`the token is validated by RequestAuthentication amb/jwt: request principal ${ISSUER}/alice`);
  });

  test.each([
    ['by selector', { selector: { matchLabels: { app: 'httpbin' } }, jwtRules }],
    ['namespace-wide', { jwtRules }],
    ['targeting another Service', { targetRefs: [{ group: '', kind: 'Service', name: 'other' }], jwtRules }],
  ])('a RequestAuthentication %s does not apply at the waypoint: the token is not validated, so no request passes', (_, spec) => {
    const r = ambient(security('RequestAuthentication', 'jwt', spec));
    expect([ask(r, ''), ask(r, `${ISSUER}/alice`), ask(r)]).toEqual([false, false, false]);
  });
});
