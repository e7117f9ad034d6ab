import { compileRule, GATEWAY_API_CRDS_PATH, gatewayApiCrdsAvailable, ISTIO_CRDS_PATH, istioCrdsAvailable, loadCrdSchemas, validateManifests } from './_schema';

const ABSENT = '/nonexistent/shared/istio/crds.yaml';
const istio = istioCrdsAvailable();
if (!istio) console.warn(`Istio CRD bundle not found at ${ISTIO_CRDS_PATH}: Istio schema and CEL checks skipped`);
const istioTest = istio ? test : test.skip;
const gatewayApi = gatewayApiCrdsAvailable();
if (!gatewayApi) console.warn(`Gateway API CRD bundle not found at ${GATEWAY_API_CRDS_PATH}: Gateway API schema and CEL checks skipped`);
const gatewayApiTest = gatewayApi ? test : test.skip;

const meta = (name: string) => ({ name, namespace: 'shop' });
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } };
const networkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: meta('api'),
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 9090, protocol: 'TCP' }] }],
  },
};
const peerAuthentication = {
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: meta('default'),
  spec: { mtls: { mode: 'STRICT' } },
};
const authorizationPolicy = {
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: meta('api'),
  spec: {
    action: 'ALLOW',
    selector: { matchLabels: { app: 'api' } },
    rules: [{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
      to: [{ operation: { ports: ['9090'] } }],
    }],
  },
};
const destinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: meta('api'),
  spec: { host: 'api.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
};

describe('Kubernetes objects', () => {
  test('a Namespace and a NetworkPolicy are valid', () => {
    expect(validateManifests([namespace, networkPolicy])).toEqual({ errors: [], skipped: [] });
  });

  test('a string where an object belongs is an error naming the object and the path', () => {
    const bad = { ...networkPolicy, spec: { ...networkPolicy.spec, podSelector: 'app=api' } };
    expect(validateManifests([bad]).errors).toEqual(['NetworkPolicy shop/api: /spec/podSelector must be object']);
  });

  test('a wrong enum value is an error', () => {
    const bad = { ...networkPolicy, spec: { ...networkPolicy.spec, policyTypes: ['Ingres'] } };
    expect(validateManifests([bad]).errors).toEqual([
      'NetworkPolicy shop/api: /spec/policyTypes/0 must be equal to one of the allowed values (Egress, Ingress)',
    ]);
  });

  test('a kind without a schema is an error, not a silent pass', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('w') };
    expect(validateManifests([widget]).errors).toEqual(['Widget shop/w: no schema for example.com/v1 Widget']);
  });
});

describe('Istio objects', () => {
  istioTest('a STRICT PeerAuthentication, an ALLOW AuthorizationPolicy and an ISTIO_MUTUAL DestinationRule are valid', () => {
    expect(validateManifests([peerAuthentication, authorizationPolicy, destinationRule])).toEqual({ errors: [], skipped: [] });
  });

  istioTest('an unknown field is an error, although the API server would prune it', () => {
    const bad = { ...authorizationPolicy, spec: { ...authorizationPolicy.spec, rules: [{ from: [{ source: { principal: ['x'] } }] }] } };
    expect(validateManifests([bad]).errors).toEqual([
      "AuthorizationPolicy shop/api: /spec/rules/0/from/0/source must NOT have additional properties 'principal'",
    ]);
  });

  istioTest('unknown top-level and metadata problems are errors', () => {
    const bad = { ...destinationRule, metadata: { namespace: 'shop' }, extra: true };
    expect(validateManifests([bad]).errors).toEqual([
      "DestinationRule shop/?: / must NOT have additional properties 'extra'",
      "DestinationRule shop/?: /metadata must have required property 'name'",
    ]);
  });

  istioTest('a wrong enum value is an error', () => {
    const bad = { ...peerAuthentication, spec: { mtls: { mode: 'STRICTT' } } };
    expect(validateManifests([bad]).errors).toEqual([
      'PeerAuthentication shop/default: /spec/mtls/mode must be equal to one of the allowed values (UNSET, DISABLE, PERMISSIVE, STRICT)',
    ]);
  });

  istioTest('a CEL rule violation is an error carrying the rule message', () => {
    const portLevel = { ...peerAuthentication, spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } } };
    expect(validateManifests([portLevel]).errors).toEqual([
      expect.stringMatching(/^PeerAuthentication shop\/default: \/spec portLevelMtls requires selector \(rule: has\(self\.portLevelMtls\)/),
    ]);
    const withSelector = { ...portLevel, spec: { ...portLevel.spec, selector: { matchLabels: { app: 'api' } } } };
    expect(validateManifests([withSelector]).errors).toEqual([]);
  });

  istioTest('CEL rules nested in lists and maps are evaluated at their place', () => {
    const mixed = { source: { serviceAccounts: ['shop/web'], principals: ['cluster.local/ns/shop/sa/web'] } };
    const wildcard = { matchLabels: { app: 'api*' } };
    const bad = { ...authorizationPolicy, spec: { ...authorizationPolicy.spec, selector: wildcard, rules: [{ from: [mixed] }] } };
    expect(validateManifests([bad]).errors).toEqual([
      expect.stringMatching(/^AuthorizationPolicy shop\/api: \/spec\/selector\/matchLabels\/app wildcard not allowed in label value match /),
      expect.stringMatching(/^AuthorizationPolicy shop\/api: \/spec\/rules\/0\/from\/0\/source Cannot set serviceAccounts with namespaces or principals /),
    ]);
  });

  istioTest('a rule that fails to evaluate is an error, as on the API server', () => {
    const bad = { ...peerAuthentication, spec: { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { http: { mode: 'DISABLE' } } } };
    expect(validateManifests([bad]).errors).toEqual([
      expect.stringMatching(/^PeerAuthentication shop\/default: \/spec\/portLevelMtls port must be between 1-65535 \(rule: .*; error: /),
    ]);
  });

  istioTest('Kubernetes list types and URL functions are enforced', () => {
    const port = { number: 80, name: 'http', protocol: 'HTTP' };
    const entry = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('ext'), spec: { hosts: ['a.example'], ports: [port, { ...port, number: 81 }] } };
    expect(validateManifests([entry]).errors).toEqual([
      'ServiceEntry shop/ext: /spec/ports duplicate entry ["http"] in list of type map',
    ]);
    const plugin = (url: string) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: meta('wasm'), spec: { url } });
    expect(validateManifests([plugin('oci://registry/filter:1'), plugin('registry/filter:1')]).errors).toEqual([]);
    expect(validateManifests([plugin('ftp://registry/filter')]).errors).toEqual([
      expect.stringMatching(/^WasmPlugin shop\/wasm: \/spec\/url url must have schema one of/),
    ]);
  });

  istioTest('an Istio kind or version missing from the bundle is an error', () => {
    expect(validateManifests([{ ...peerAuthentication, apiVersion: 'security.istio.io/v2' }]).errors).toEqual([
      `PeerAuthentication shop/default: no schema for security.istio.io/v2 PeerAuthentication in ${ISTIO_CRDS_PATH}`,
    ]);
  });

  istioTest('every CEL rule of the bundle compiles, so none is skipped', () => {
    const rules = new Set<string>();
    const collect = (node: any): void => {
      if (node === null || typeof node !== 'object') return;
      for (const r of node['x-kubernetes-validations'] ?? []) rules.add(r.rule);
      Object.values(node).forEach(collect);
    };
    for (const kind of loadCrdSchemas(ISTIO_CRDS_PATH).kinds!.values()) collect(kind.schema);
    expect(rules.size).toBeGreaterThan(30);
    expect([...rules].filter((r) => typeof compileRule(r) === 'string')).toEqual([]);
  });
});

describe('Gateway API objects', () => {
  const gateway = (listener: object) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: meta('public'),
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', ...listener }] },
  });

  gatewayApiTest('a Gateway is valid; an HTTPS listener passing TLS through breaks a CEL rule', () => {
    expect(validateManifests([gateway({})])).toEqual({ errors: [], skipped: [] });
    expect(validateManifests([gateway({ protocol: 'HTTPS', port: 443, tls: { mode: 'Passthrough' } })]).errors).toEqual([
      expect.stringMatching(/^Gateway shop\/public: \/spec\/listeners tls mode must be Terminate for protocol HTTPS /),
    ]);
  });

  gatewayApiTest('rules on list items and IP addresses are evaluated: an IP hostname, too many matches', () => {
    const route = (spec: object) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('r'), spec });
    const backendRefs = [{ name: 'web', port: 8080 }];
    expect(validateManifests([route({ hostnames: ['shop.example.com'], rules: [{ backendRefs }] })])).toEqual({ errors: [], skipped: [] });
    const tlsRoute = { ...route({ hostnames: ['10.0.0.1'], rules: [{ backendRefs }] }), kind: 'TLSRoute' };
    expect(validateManifests([tlsRoute]).errors).toEqual([
      expect.stringMatching(/^TLSRoute shop\/r: \/spec\/hostnames Hostnames cannot contain an IP /),
    ]);
    const matches = Array.from({ length: 9 }, (_, i) => ({ path: { type: 'PathPrefix', value: `/p${i}` } }));
    const rules = Array.from({ length: 15 }, () => ({ matches, backendRefs }));
    expect(validateManifests([route({ rules })]).errors).toEqual([
      expect.stringMatching(/^HTTPRoute shop\/r: \/spec\/rules While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128 /),
    ]);
  });

  gatewayApiTest('an unknown field is an error', () => {
    expect(validateManifests([gateway({ allowedRoute: {} })]).errors).toEqual([
      "Gateway shop/public: /spec/listeners/0 must NOT have additional properties 'allowedRoute'",
    ]);
  });

  gatewayApiTest('every CEL rule of the bundle compiles, so none is skipped', () => {
    const rules = new Set<string>();
    const collect = (node: any): void => {
      if (node === null || typeof node !== 'object') return;
      for (const r of node['x-kubernetes-validations'] ?? []) rules.add(r.rule);
      Object.values(node).forEach(collect);
    };
    for (const kind of loadCrdSchemas(GATEWAY_API_CRDS_PATH).kinds!.values()) collect(kind.schema);
    expect(rules.size).toBeGreaterThan(30);
    expect([...rules].filter((r) => typeof compileRule(r) === 'string')).toEqual(['self == oldSelf']);
  });
});

describe('without the Istio CRD bundle', () => {
  test('Istio objects are skipped with one notice; Kubernetes objects are still checked', () => {
    expect(loadCrdSchemas(ABSENT).kinds).toBeUndefined();
    const report = validateManifests([namespace, peerAuthentication, authorizationPolicy, { ...networkPolicy, spec: {} }], ABSENT);
    expect(report).toEqual({
      errors: ['NetworkPolicy shop/api: /spec must have required property podSelector'],
      skipped: [`Istio CRD bundle not found at ${ABSENT}: Istio schema and CEL checks skipped`],
    });
    expect(validateManifests([namespace], ABSENT).skipped).toEqual([]);
  });

  test('without the Gateway API bundle, its objects are skipped with one notice', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('r'), spec: {} };
    expect(validateManifests([route, route], ABSENT, ABSENT)).toEqual({
      errors: [],
      skipped: [`Gateway API CRD bundle not found at ${ABSENT}: Gateway API schema and CEL checks skipped`],
    });
  });

  test('a transition rule is reported as not evaluable', () => {
    expect(compileRule('self == oldSelf')).toBe('transition rule: needs the stored object (oldSelf)');
    expect(compileRule('undefinedFunction(self)')).toMatch(/^does not compile: /);
  });
});
