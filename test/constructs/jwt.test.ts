import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ExternalPeer, GatewayListener, IngressGateway, MeshedService, MeshMode, Reachability, ServicePort, ZeroTrustNamespace, ZeroTrustRules } from '../../src';
import { validateManifests } from '../_schema';
import { find, synthAll } from '../_util';

const ISSUER = 'https://login.example.com';
const JWKS = 'https://login.example.com/.well-known/jwks.json';

/** web calls api (http 8080, grpc 9090); other is declared but does not call api. */
function shop(mesh = MeshMode.SIDECAR, apiPorts = [ServicePort.http(8080), ServicePort.grpc(9090)]) {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: apiPorts });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const other = new MeshedService(chart, 'other', { namespace: ns, name: 'other', ports: [ServicePort.http(8080)] });
  return { app, chart, ns, api, web, other };
}

describe('requireJwt', () => {
  test('emits a RequestAuthentication and requires the issuer\'s request principals in every rule', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    web.allowTo(api, { ports: [9090] });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS, audiences: ['shop', 'api', 'shop'] });
    api.requireJwt({ issuer: 'https://a.example', jwksUri: 'https://a.example/jwks' });
    const objects = synthAll(app);
    expect(find(objects, 'RequestAuthentication', 'shop', 'api')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
        jwtRules: [{ issuer: 'https://a.example', jwksUri: 'https://a.example/jwks' }, { issuer: ISSUER, jwksUri: JWKS, audiences: ['api', 'shop'] }],
      },
    });
    const source = { principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: ['https://a.example/*', `${ISSUER}/*`] };
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'api').spec.rules).toEqual([
      { from: [{ source }], to: [{ operation: { ports: ['8080'], methods: ['GET'] } }] },
      { from: [{ source }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
    expect(api.requestAuthentication).toBeDefined();
  });

  test('a declared client needs a valid token too; the proof passes', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080] });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    const ask = (from: string, requestPrincipal?: string) => r.check({ from, to: 'shop/api', port: 8080, requestPrincipal }).allowed;
    expect([ask('shop/web', `${ISSUER}/alice`), ask('shop/web', ''), ask('shop/web', 'https://evil.example/alice'), ask('shop/web'), ask('shop/other', `${ISSUER}/alice`)])
      .toEqual([true, false, false, true, false]);
  });

  test('ZT416 catches a policy that no longer requires the token', () => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080] });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    api.authorizationPolicy!.addJsonPatch(JsonPatch.remove('/spec/rules/0/from/0/source/requestPrincipals'));
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: .* it allows shop\/web -> shop\/api on 8080\/TCP for ZT \/zt \(host zt\.example, no token\), which no flow declares/);
  });

  test('a RequestAuthentication written by hand does not make tokens required, and the proof still passes', () => {
    const { app, chart, api, web } = shop();
    web.allowTo(api, { ports: [8080] });
    const ra = new ApiObject(chart, 'ra', {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'ra', namespace: 'shop' },
      spec: { selector: { matchLabels: api.selector }, jwtRules: [{ issuer: ISSUER, jwksUri: JWKS }] },
    });
    expect(() => app.synthYaml()).toThrow('[ZT432] shop/ra: RequestAuthentication shop/ra: the RequestAuthentication is not one that `requireJwt` declares, as it renders it, so its keys, issuers or audiences are not the declared ones. Declare end-user tokens with `MeshedService.requireJwt`; do not patch its RequestAuthentication or add another.');
    ZeroTrustRules.suppress(ra, 'ZT432', 'the issuer is trusted; tokens are validated but not required');
    expect(() => app.synthYaml()).not.toThrow();
    expect(Reachability.ofApp(app).check({ from: 'shop/web', to: 'shop/api', port: 8080, requestPrincipal: '' }).allowed).toBe(true);
  });

  test.each<[string, (api: MeshedService) => void]>([
    ['a patched jwksUri without audiences', api => api.requestAuthentication!.addJsonPatch(
      JsonPatch.replace('/spec/jwtRules/0/jwksUri', 'https://evil.example/jwks.json'), JsonPatch.remove('/spec/jwtRules/0/audiences'))],
    ['inline jwks', api => api.requestAuthentication!.addJsonPatch(JsonPatch.remove('/spec/jwtRules/0/jwksUri'), JsonPatch.add('/spec/jwtRules/0/jwks', '{"keys":[]}'))],
  ])('ZT432 refuses the rendered RequestAuthentication changed: %s', (_name, patch) => {
    const { app, api, web } = shop();
    web.allowTo(api, { ports: [8080] });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS, audiences: ['shop'] });
    expect(() => app.synthYaml()).not.toThrow();
    patch(api);
    expect(() => app.synthYaml()).toThrow('[ZT432] shop/api/RequestAuthentication: RequestAuthentication shop/api: the RequestAuthentication is not one that `requireJwt` declares');
  });

  test.each([`${ISSUER}/tenant`, `${ISSUER}/tenant/evil`, ISSUER])(
    'ZT432 refuses a root-namespace RequestAuthentication whose issuer %s matches a declared issuer\'s request principals', issuer => {
      const { app, chart, api, web } = shop();
      web.allowTo(api, { ports: [8080] });
      api.requireJwt({ issuer: `${ISSUER}/tenant`, jwksUri: JWKS });
      const ra = (name: string, iss: string) => new ApiObject(chart, name, {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: { name, namespace: 'istio-system' },
        spec: { jwtRules: [{ issuer: iss, jwksUri: 'https://evil.example/jwks.json' }] },
      });
      // Their subjects cannot spell `<declared issuer>/`: `.../tenants/x`, `...//x`.
      ra('fine', `${ISSUER}/tenants`);
      ra('fine2', `${ISSUER}/`);
      expect(() => app.synthYaml()).not.toThrow();
      ra('evil', issuer);
      expect(() => app.synthYaml()).toThrow(`[ZT432] shop/evil: RequestAuthentication istio-system/evil, spec.jwtRules[0].issuer: issuer ${JSON.stringify(issuer)} validates tokens whose request principals match the declared "${ISSUER}/tenant/*" of \`requireJwt\`, with other keys. Give the root namespace's RequestAuthentications other issuers: not a declared one, not under one (\`<declared>/...\`), not a parent path of one.`);
    });

  test('routes from an ingress gateway need the token too: the gateway forwards it', () => {
    const { app, chart, api } = shop();
    const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'edge' });
    const gw = new IngressGateway(chart, 'gw', { namespace: edge, name: 'public', listeners: [GatewayListener.http()], sources: [ExternalPeer.cidr('203.0.113.0/24')] });
    gw.route(api, { port: 8080 });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'api').spec.rules[0].from[0].source.requestPrincipals).toEqual([`${ISSUER}/*`]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test.each<[string, () => void, string]>([
    ['a client without ports', () => {
      const { chart, ns } = shop();
      new MeshedService(chart, 'job', { namespace: ns, name: 'job' }).requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    }, `[ZT111] shop/job.requireJwt(${ISSUER}): job serves no ports. Require tokens on a service whose ports are all HTTP or gRPC.`],
    ['a server outside the mesh', () => shop(MeshMode.NONE).api.requireJwt({ issuer: ISSUER, jwksUri: JWKS }),
      `[ZT110] shop/api.requireJwt(${ISSUER}): api is outside the mesh, so no proxy would check tokens on it. Put the server in the mesh: MeshMode.SIDECAR, or MeshMode.AMBIENT, where its namespace's waypoint checks them.`],
    ['an ambient server with a TCP port', () => shop(MeshMode.AMBIENT, [ServicePort.http(8080), ServicePort.tcp(5432)]).api.requireJwt({ issuer: ISSUER, jwksUri: JWKS }),
      `[ZT111] shop/api.requireJwt(${ISSUER}): port 5432 of api is TCP, where Istio cannot check tokens, so every flow there would be refused. Require tokens on a service whose ports are all HTTP or gRPC.`],
    ['a server with a TCP port', () => shop(MeshMode.SIDECAR, [ServicePort.http(8080), ServicePort.tcp(5432)]).api.requireJwt({ issuer: ISSUER, jwksUri: JWKS }),
      `[ZT111] shop/api.requireJwt(${ISSUER}): port 5432 of api is TCP, where Istio cannot check tokens, so every flow there would be refused. Require tokens on a service whose ports are all HTTP or gRPC.`],
    ['a wildcard issuer', () => shop().api.requireJwt({ issuer: 'https://*.example.com', jwksUri: JWKS }),
      '[ZT115] shop/api.requireJwt(https://*.example.com): issuer "https://*.example.com" has a * or whitespace. Give the issuer\'s exact `iss` claim, once.'],
    ['an empty issuer', () => shop().api.requireJwt({ issuer: ' ', jwksUri: JWKS }), '[ZT115] shop/api.requireJwt( ): issuer " " is empty.'],
    ['an issuer twice', () => {
      const { api } = shop();
      api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
      api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    }, `[ZT115] shop/api.requireJwt(${ISSUER}): issuer "${ISSUER}" is required twice.`],
    ['a plain-http key set', () => shop().api.requireJwt({ issuer: ISSUER, jwksUri: 'http://login.example.com/jwks' }),
      `[ZT115] shop/api.requireJwt(${ISSUER}): jwksUri "http://login.example.com/jwks" is not an https URL. Give the https URL of the issuer's JSON Web Key Set.`],
    ['a key set that is no URL', () => shop().api.requireJwt({ issuer: ISSUER, jwksUri: 'jwks.json' }), `[ZT115] shop/api.requireJwt(${ISSUER}): jwksUri "jwks.json" is not a URL.`],
    ['an empty audience', () => shop().api.requireJwt({ issuer: ISSUER, jwksUri: JWKS, audiences: [''] }),
      `[ZT115] shop/api.requireJwt(${ISSUER}): audiences has an empty entry or is empty. Name each audience, or omit \`audiences\`.`],
  ])('%s is refused', (_, declare, message) => {
    expect(declare).toThrow(message);
  });
});

describe('requireJwt in ambient mode: the namespace\'s waypoint checks the token', () => {
  const WAYPOINT = 'cluster.local/ns/shop/sa/waypoint';
  const TARGET = [{ group: '', kind: 'Service', name: 'api' }];

  /** web calls api on 8080 (no HTTP rule); api requires tokens of ISSUER. */
  function ambientShop(audiences?: string[]) {
    const s = shop(MeshMode.AMBIENT);
    s.web.allowTo(s.api, { ports: [8080] });
    s.api.requireJwt({ issuer: ISSUER, jwksUri: JWKS, ...audiences ? { audiences } : {} });
    return s;
  }

  test('the RequestAuthentication and the waypoint\'s policy target the Service; the Service uses the waypoint; ztunnel admits only the waypoint', () => {
    const { app } = ambientShop(['shop']);
    const objects = synthAll(app);
    expect(find(objects, 'RequestAuthentication', 'shop', 'api')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { targetRefs: TARGET, jwtRules: [{ issuer: ISSUER, jwksUri: JWKS, audiences: ['shop'] }] },
    });
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'waypoint.api').spec).toEqual({
      targetRefs: TARGET,
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: [`${ISSUER}/*`] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    // ztunnel evaluates no request: a rule with request principals would never match there.
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'api').spec).toEqual({
      selector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [WAYPOINT] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    expect(find(objects, 'Service', 'shop', 'api').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(find(objects, 'Gateway', 'shop', 'waypoint').spec.gatewayClassName).toBe('istio-waypoint');
    const report = validateManifests(objects);
    for (const skipped of report.skipped) console.log(`skipped: ${skipped}`);
    expect(report.errors).toEqual([]);
  });

  test('requireJwt before any flow routes the later flows through the waypoint, whose policy has no rule until then', () => {
    const { app, api, web } = shop(MeshMode.AMBIENT);
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'waypoint.api').spec).toEqual({ targetRefs: TARGET, action: 'ALLOW' });
    web.allowTo(api, { ports: [8080], http: { methods: ['GET'] } });
    expect(find(synthAll(app), 'AuthorizationPolicy', 'shop', 'waypoint.api').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'], requestPrincipals: [`${ISSUER}/*`] } }],
      to: [{ operation: { ports: ['8080'], methods: ['GET'] } }],
    }]);
    expect(find(synthAll(app), 'NetworkPolicy', 'shop', 'web').spec.egress[0].to).toEqual([{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } }]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('the synth proves it (ZT416); through the waypoint a request needs a token of the issuer', () => {
    const { app } = ambientShop();
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    const ask = (from: string, requestPrincipal?: string) => r.check({ from, to: 'shop/api', port: 8080, method: 'GET', path: '/', requestPrincipal }).allowed;
    expect([ask('shop/web', `${ISSUER}/alice`), ask('shop/web', ''), ask('shop/web', 'https://evil.example/alice'), ask('shop/web'), ask('shop/other', `${ISSUER}/alice`)])
      .toEqual([true, false, false, true, false]);
    expect(r.explain({ from: 'shop/web', to: 'shop/api', port: 8080, requestPrincipal: 'https://evil.example/alice' }).authorization.reasons)
      .toContain('no RequestAuthentication that applies (shop/api) accepts the token\'s issuer: Istio rejects the request (401)');
  });

  test('ZT416 catches a waypoint policy that no longer requires the token, and a RequestAuthentication removed (no token is then valid)', () => {
    const patched = ambientShop();
    (patched.api.node.findChild('WaypointAuthorizationPolicy') as ApiObject).addJsonPatch(JsonPatch.remove('/spec/rules/0/from/0/source/requestPrincipals'));
    expect(() => patched.app.synthYaml()).toThrow(/\[ZT416\] shop\/api: the authorization of shop\/api differs from the declared flows: it allows shop\/web -> shop\/api on 8080\/TCP for ZT \/zt \(host zt\.example, no token\), which no flow declares/);
    const removed = ambientShop();
    removed.api.node.tryRemoveChild('RequestAuthentication');
    expect(() => removed.app.synthYaml()).toThrow(/\[ZT416\] shop\/api: the authorization of shop\/api differs from the declared flows: it refuses shop\/web -> shop\/api on 8080\/TCP, which a declared flow needs \(.*no such request is allowed, for instance ZT \/zt \(host zt\.example, no token\)/);
  });

  test.each<[string, (api: MeshedService) => void]>([
    ['a patched jwksUri', api => api.requestAuthentication!.addJsonPatch(JsonPatch.replace('/spec/jwtRules/0/jwksUri', 'https://evil.example/jwks.json'))],
    ['the selector form instead of targetRefs', api => api.requestAuthentication!.addJsonPatch(
      JsonPatch.remove('/spec/targetRefs'), JsonPatch.add('/spec/selector', { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } }))],
    ['a second target', api => api.requestAuthentication!.addJsonPatch(JsonPatch.add('/spec/targetRefs/-', { group: '', kind: 'Service', name: 'other' }))],
  ])('ZT432 accepts the rendered targetRefs form exactly and refuses it changed: %s', (_name, patch) => {
    const { app, api } = ambientShop();
    expect(() => app.synthYaml()).not.toThrow();
    patch(api);
    expect(() => app.synthYaml()).toThrow('[ZT432] shop/api/RequestAuthentication: RequestAuthentication shop/api: the RequestAuthentication is not one that `requireJwt` declares');
  });

  test('ZT432 refuses another RequestAuthentication that targets the Service with other keys', () => {
    const { app, chart } = ambientShop();
    new ApiObject(chart, 'rogue', {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'rogue', namespace: 'shop' },
      spec: { targetRefs: TARGET, jwtRules: [{ issuer: ISSUER, jwksUri: 'https://evil.example/jwks.json' }] },
    });
    expect(() => app.synthYaml()).toThrow('[ZT432] shop/rogue: RequestAuthentication shop/rogue: the RequestAuthentication is not one that `requireJwt` declares');
  });

  test('ZT432 refuses a root-namespace RequestAuthentication for every waypoint (targetRefs to the istio-waypoint GatewayClass) with the declared issuer', () => {
    const { app, chart } = ambientShop();
    new ApiObject(chart, 'all-waypoints', {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'all-waypoints', namespace: 'istio-system' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }], jwtRules: [{ issuer: ISSUER, jwksUri: 'https://evil.example/jwks.json' }] },
    });
    expect(() => app.synthYaml()).toThrow(`[ZT432] shop/all-waypoints: RequestAuthentication istio-system/all-waypoints, spec.jwtRules[0].issuer: issuer "${ISSUER}" validates tokens whose request principals match the declared "${ISSUER}/*" of \`requireJwt\`, with other keys.`);
  });

  test('property: for random ambient flows and token requirements, the synth proves it and each request is allowed exactly as declared', () => {
    const SERVICES = 4;
    fc.assert(fc.property(
      fc.array(fc.record({ from: fc.nat(SERVICES - 1), to: fc.nat(SERVICES - 1), http: fc.boolean() }), { maxLength: 6 }),
      fc.array(fc.boolean(), { minLength: SERVICES, maxLength: SERVICES }),
      (flows, tokens) => {
        const app = Testing.app();
        const chart = new Chart(app, 'c');
        const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'amb', mesh: MeshMode.AMBIENT });
        const services = tokens.map((_, i) => new MeshedService(chart, `s${i}`, { namespace: ns, name: `s${i}`, ports: [ServicePort.http(80)] }));
        tokens.forEach((required, i) => required && services[i].requireJwt({ issuer: ISSUER, jwksUri: JWKS }));
        /** Per client>server, whether any method (true) or only GET (false) is declared. */
        const declared = new Map<string, boolean>();
        for (const f of flows) {
          if (f.from === f.to) continue;
          services[f.from].allowTo(services[f.to], f.http ? { http: { methods: ['GET'] } } : {});
          declared.set(`${f.from}>${f.to}`, declared.get(`${f.from}>${f.to}`) === true || !f.http);
        }
        app.synthYaml();
        const r = Reachability.ofApp(app);
        for (let i = 0; i < SERVICES; i++) {
          for (let j = 0; j < SERVICES; j++) {
            if (i === j) continue;
            const any = declared.get(`${i}>${j}`);
            const ask = (method: string, requestPrincipal: string) => r.isAllowed({ from: `amb/s${i}`, to: `amb/s${j}`, port: 80, method, path: '/', requestPrincipal });
            expect(ask('GET', `${ISSUER}/alice`)).toBe(any !== undefined);
            expect(ask('POST', `${ISSUER}/alice`)).toBe(any === true);
            expect(ask('GET', '')).toBe(any !== undefined && !tokens[j]);
            expect(ask('GET', 'https://evil.example/alice')).toBe(any !== undefined && !tokens[j]);
          }
        }
      }), { numRuns: 25 });
  });

  test('ZT150: a sidecar client would reach the pods directly, bypassing the waypoint that checks the token', () => {
    const { app, chart, api } = shop(MeshMode.AMBIENT);
    const side = new ZeroTrustNamespace(chart, 'side', { name: 'side', mesh: MeshMode.SIDECAR });
    new MeshedService(chart, 'client', { namespace: side, name: 'client' }).allowTo(api, { ports: [8080] });
    api.requireJwt({ issuer: ISSUER, jwksUri: JWKS });
    expect(() => app.synthYaml()).toThrow('[ZT150] shop/ns/Waypoint: side/client is neither an ambient MeshedService nor an IngressGateway, so it would connect to shop/api directly, not through the waypoint, '
      + 'and the server\'s ztunnel admits only the waypoint. Declare HTTP rules or `requireJwt` only on servers whose clients are all ambient services or ingress gateways, or drop them from this server.');
  });
});
