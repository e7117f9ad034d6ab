// The example clusters: every pair of pods is allowed on each side alone exactly when a flow was declared,
// the AuthorizationPolicies admit exactly the declared principals, and every object is structurally valid.
import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { ambientOrders } from '../examples/ambient-orders';
import { bookinfo } from '../examples/bookinfo';
import { onlineBoutique } from '../examples/online-boutique';
import { seed } from '../examples/seed';
import { Reachability } from '../src';
import { validateManifests } from './_schema';
import { find } from './_util';
import { tunnelledOverHbone } from '../src/model/_constants';
import { outsideIstioAuthorization } from '../src/model/_sidecar-ports';

function synth(build: (app: App) => void) {
  const app = Testing.app();
  build(app);
  const objects = app.charts.flatMap(c => Testing.synth(c));
  return { app, objects, r: Reachability.ofApp(app) };
}

/** The expected flows of an example, from examples/<name>.flows (the file the main job checks too). */
function expectedFlows(name: string): Set<string> {
  const text = fs.readFileSync(path.join(__dirname, '..', 'examples', `${name}.flows`), 'utf8');
  return new Set(text.split('\n').map(l => l.replace(/#.*/, '').trim()).filter(l => l !== ''));
}

describe.each([
  ['seed', seed],
  ['bookinfo', bookinfo],
  ['online-boutique', onlineBoutique],
  ['ambient-orders', ambientOrders],
])('example %s', (name, build) => {
  const { objects, r } = synth(build);
  const expected = expectedFlows(name);

  test('each side the app governs allows exactly the declared flows, for every ordered pair of pods, port and protocol', () => {
    // Only the sides the app's policies govern: a platform pod's own egress and ingress are its cluster's business.
    const managed = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
    const governed = (pod: string) => managed.has(pod.split('/')[0]);
    // An ambient client reaches a server behind a waypoint through the waypoint, whose NetworkPolicy and authorization
    // decide on the client: the server's own ingress layer only tells whether the waypoint reaches it.
    const ids = (kind: string, keep: (o: any) => boolean) =>
      new Set(objects.filter(o => o.kind === kind && keep(o)).map(o => `${o.metadata.namespace}/${o.metadata.name}`));
    const behindWaypoint = ids('Service', o => o.metadata.labels?.['istio.io/use-waypoint'] !== undefined);
    const waypoints = ids('Gateway', o => o.spec.gatewayClassName === 'istio-waypoint');
    const viaWaypoint = (from: string, to: string) => behindWaypoint.has(to) && !waypoints.has(from) && r._mesh(from) === 'ambient';
    const differences: string[] = [];
    for (const from of r.pods) {
      for (const to of r.pods) {
        if (from === to) continue;
        for (const layer of ['egress', 'ingress', 'authorization'] as const) {
          if (!governed(layer === 'egress' ? from : to) || (layer === 'ingress' && viaWaypoint(from, to))) continue;
          // Every port and protocol at which this layer's verdict can change, not only the served ports.
          for (const { port, protocol, allowed } of r._verdicts(layer, from, to)) {
            // No Istio policy applies to a sidecar's uncaptured ports (15020): there NetworkPolicy alone decides.
            // HBONE hides the app port from NetworkPolicy, which sees 15008: it can only tell which pods may open the tunnel.
            const tunnel = layer !== 'authorization' && protocol === 'TCP' && tunnelledOverHbone(r._mesh(from), r._mesh(to));
            const want = (layer === 'authorization' && outsideIstioAuthorization(r._mesh(to), port, protocol, r._mesh(from)))
              || expected.has(`${from} -> ${to} ${port}/${protocol}`)
              || (tunnel && [...expected].some(flow => flow.startsWith(`${from} -> ${to} `) && flow.endsWith('/TCP')));
            const got = r.check({ from, to, port, protocol })[layer];
            if (got !== want) differences.push(`${layer} ${from} -> ${to} ${port}/${protocol}: ${got}`);
            // The proof's fast path must agree with the full evaluation.
            if (allowed !== got) differences.push(`${layer} ${from} -> ${to} ${port}/${protocol}: _verdicts says ${allowed}`);
          }
        }
      }
    }
    expect(differences).toEqual([]);
    // Flows between platform pods (listed in the .flows file for the YAML the main job reads) are the cluster's business.
    const appFlows = (flows: string[]) => flows.filter(f => governed(f.split(' -> ')[0]) || governed(f.split(' -> ')[1])).sort();
    expect(appFlows(r.allowedFlows().map(f => `${f.from} -> ${f.to} ${f.port}/${f.protocol}`))).toEqual(appFlows([...expected]));
  });

  test('every emitted object is structurally valid', () => {
    expect(validateManifests(objects).errors).toEqual([]);
  });
});

describe('bookinfo in detail', () => {
  const { objects } = synth(bookinfo);
  const principals = (ns: string, name: string) =>
    (find(objects, 'AuthorizationPolicy', ns, name).spec.rules ?? []).flatMap((r: any) => r.from.flatMap((f: any) => f.source.principals));

  test('the AuthorizationPolicies admit exactly the declared principals', () => {
    expect(principals('bookinfo-back', 'details')).toEqual(['cluster.local/ns/bookinfo-front/sa/productpage']);
    expect(principals('bookinfo-back', 'reviews')).toEqual(['cluster.local/ns/bookinfo-front/sa/productpage']);
    expect(principals('bookinfo-back', 'ratings')).toEqual(['cluster.local/ns/bookinfo-back/sa/ratings-report', 'cluster.local/ns/bookinfo-back/sa/reviews']);
    expect(principals('bookinfo-front', 'productpage')).toEqual([]);
  });

  test('productpage may only GET reviews under /reviews/', () => {
    const { r } = synth(bookinfo);
    const ask = (method: string, requestPath: string) =>
      r.check({ from: 'bookinfo-front/productpage', to: 'bookinfo-back/reviews-v2', port: 9080, method, path: requestPath }).allowed;
    expect([ask('GET', '/reviews/0'), ask('POST', '/reviews/0'), ask('GET', '/health'), ask('GET', '/reviews/../health')]).toEqual([true, false, false, false]);
  });

  test('the three reviews versions run as the one reviews identity and carry its selector', () => {
    for (const v of ['v1', 'v2', 'v3']) {
      const d = find(objects, 'Deployment', 'bookinfo-back', `reviews-${v}`);
      expect(d.spec.template.spec.serviceAccountName).toBe('reviews');
      expect(d.spec.template.metadata.labels).toMatchObject({ 'zero-trust.cdk8s.io/workload': 'reviews', 'version': v });
    }
  });

  test('the nightly ratings-report CronJob is a client: its own identity, egress to ratings only, no Service', () => {
    const cron = find(objects, 'CronJob', 'bookinfo-back', 'ratings-report');
    expect(cron.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('ratings-report');
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ 'zero-trust.cdk8s.io/workload': 'ratings-report' });
    expect(find(objects, 'NetworkPolicy', 'bookinfo-back', 'ratings-report').spec).toEqual({
      podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'ratings-report' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{ to: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'ratings' } } }], ports: [{ port: 9080, protocol: 'TCP' }] }],
    });
    expect(objects.filter((o: any) => o.metadata.name === 'ratings-report').map((o: any) => o.kind).sort()).toEqual(['CronJob', 'NetworkPolicy', 'ServiceAccount']);
  });

  test('the cross-namespace peers select the namespace and the pods in one peer', () => {
    expect(find(objects, 'NetworkPolicy', 'bookinfo-back', 'details').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bookinfo-front' } },
        podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'productpage' } },
      }],
      ports: [{ port: 9080, protocol: 'TCP' }],
    }]);
  });
});

describe('online-boutique in detail', () => {
  const { objects, r } = synth(onlineBoutique);
  const WORKLOAD = 'zero-trust.cdk8s.io/workload';

  test('the gateway admits HTTPS from outside to the frontend alone, by one route', () => {
    const gateway = find(objects, 'Gateway', 'boutique-edge', 'storefront');
    expect(gateway.spec.gatewayClassName).toBe('istio');
    expect(gateway.spec.listeners.map((l: any) => [l.protocol, l.port, l.hostname])).toEqual([['HTTPS', 443, 'shop.example.com']]);
    expect(gateway.spec.listeners[0].allowedRoutes.namespaces).toEqual({
      from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['boutique'] }] },
    });
    const routes = objects.filter((o: any) => o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute');
    expect(routes.map((o: any) => o.spec.rules.flatMap((rule: any) => rule.backendRefs.map((b: any) => `${b.name}:${b.port}`)))).toEqual([['frontend:8080']]);
    expect(r.isAllowed({ from: 'boutique-edge/storefront-istio', to: 'boutique/frontend', port: 8080 })).toBe(true);
    for (const to of ['boutique/checkoutservice', 'boutique/cartservice']) {
      expect(r.isAllowed({ from: 'boutique-edge/storefront-istio', to, port: to.endsWith('checkoutservice') ? 5050 : 7070 })).toBe(false);
    }
  });

  test('the frontend admits the gateway and the load generator, by principal', () => {
    const rules = find(objects, 'AuthorizationPolicy', 'boutique', 'frontend').spec.rules;
    expect(rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/boutique-edge/sa/storefront-istio', 'cluster.local/ns/boutique/sa/loadgenerator'] } }],
      to: [{ operation: { ports: ['8080'] } }],
    }]);
  });

  test('Prometheus reaches the merged metrics port of every pod and no app port', () => {
    const prometheusPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    };
    const payment = find(objects, 'NetworkPolicy', 'boutique', 'paymentservice').spec;
    expect(payment.podSelector).toEqual({ matchLabels: { [WORKLOAD]: 'paymentservice' } });
    expect(payment.ingress).toContainEqual({ from: [prometheusPeer], ports: [{ port: 15020, protocol: 'TCP' }] });
    expect(r.isAllowed({ from: 'monitoring/prometheus', to: 'boutique/paymentservice', port: 15020 })).toBe(true);
    expect(r.isAllowed({ from: 'monitoring/prometheus', to: 'boutique/paymentservice', port: 50051 })).toBe(false);
    // No AuthorizationPolicy names Prometheus: Istio does not apply policy to 15020.
    const principals = objects.filter((o: any) => o.kind === 'AuthorizationPolicy')
      .flatMap((o: any) => (o.spec.rules ?? []).flatMap((rule: any) => (rule.from ?? []).flatMap((f: any) => f.source.principals ?? [])));
    expect(principals.filter((p: string) => p.includes('monitoring'))).toEqual([]);
  });

  test('the payment service reaches api.stripe.com only through the egress gateway, which admits it for that host alone', () => {
    expect(r.hostFlows().map(f => `${f.from} -> ${f.host} ${f.port} via ${f.via}`)).toEqual(['boutique/paymentservice -> api.stripe.com 443 via boutique/egress-istio']);
    const payment = find(objects, 'NetworkPolicy', 'boutique', 'paymentservice').spec;
    // Its only egress beyond the mesh is the gateway's pods: no ipBlock.
    expect(payment.egress.flatMap((rule: any) => rule.to).filter((peer: any) => peer.ipBlock)).toEqual([]);
    const entry = find(objects, 'ServiceEntry', 'boutique', 'egress.api.stripe.com');
    expect(entry.spec).toMatchObject({ hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] });
  });
});

describe('ambient-orders in detail', () => {
  const { objects, r } = synth(ambientOrders);
  const rulesOf = (name: string) => find(objects, 'AuthorizationPolicy', 'orders', name).spec.rules
    .map((rule: any) => {
      const { principals, requestPrincipals } = rule.from[0].source;
      return { principals, requestPrincipals, to: rule.to[0].operation };
    });
  const ORDERS = { from: 'orders/storefront', to: 'orders/orders-api', port: 8080 };
  const SHOPPER = 'https://login.example.com/shopper-42';

  test('the orders API is behind the namespace\'s waypoint, and its ztunnel policy admits the waypoint and Prometheus alone', () => {
    expect(find(objects, 'Gateway', 'orders', 'waypoint').spec.gatewayClassName).toBe('istio-waypoint');
    expect(find(objects, 'Service', 'orders', 'orders-api').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(find(objects, 'AuthorizationPolicy', 'orders', 'orders-api').spec.selector).toEqual({ matchLabels: { 'zero-trust.cdk8s.io/workload': 'orders-api' } });
    expect(rulesOf('orders-api')).toEqual([
      { principals: ['cluster.local/ns/orders/sa/waypoint'], requestPrincipals: undefined, to: { ports: ['8080'] } },
      { principals: ['cluster.local/ns/monitoring/sa/prometheus'], requestPrincipals: undefined, to: { ports: ['9102'] } },
    ]);
  });

  test('the waypoint admits the storefront\'s GET and POST under /orders/, with a shopper\'s token only', () => {
    expect(find(objects, 'AuthorizationPolicy', 'orders', 'waypoint.orders-api').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'orders-api' }]);
    expect(rulesOf('waypoint.orders-api')).toEqual([{
      principals: ['cluster.local/ns/orders/sa/storefront'],
      requestPrincipals: ['https://login.example.com/*'],
      to: { methods: ['GET', 'POST'], paths: ['/orders/*'], ports: ['8080'] },
    }]);
    expect(find(objects, 'RequestAuthentication', 'orders', 'orders-api').spec).toEqual({
      jwtRules: [{ issuer: 'https://login.example.com', jwksUri: 'https://login.example.com/.well-known/jwks.json', audiences: ['orders'] }],
      targetRefs: [{ group: '', kind: 'Service', name: 'orders-api' }],
    });
    const ask = (method: string, requestPath: string, requestPrincipal = SHOPPER) =>
      r.check({ ...ORDERS, method, path: requestPath, requestPrincipal }).allowed;
    expect([ask('POST', '/orders/'), ask('GET', '/orders/42'), ask('DELETE', '/orders/42'), ask('GET', '/admin'), ask('GET', '/orders/42', '')])
      .toEqual([true, true, false, false, false]);
  });

  test('ingress-nginx reaches the storefront on 8080 alone, not the orders API', () => {
    expect(rulesOf('storefront')[0]).toEqual({ principals: ['cluster.local/ns/ingress-nginx/sa/ingress-nginx'], requestPrincipals: undefined, to: { ports: ['8080'] } });
    expect(r.isAllowed({ from: 'ingress-nginx/ingress-nginx', to: 'orders/storefront', port: 8080 })).toBe(true);
    expect(r.isAllowed({ from: 'ingress-nginx/ingress-nginx', to: 'orders/orders-api', port: 8080 })).toBe(false);
    expect(r.isAllowed({ from: 'ingress-nginx/ingress-nginx', to: 'orders/storefront', port: 9102 })).toBe(false);
  });

  test('the operator reaches the API server\'s endpoints on 6443 and nothing else', () => {
    const egress = find(objects, 'NetworkPolicy', 'orders', 'orders-operator').spec.egress;
    expect(egress).toEqual(['10.0.0.10/32', '10.0.0.11/32'].map(cidr => ({ to: [{ ipBlock: { cidr } }], ports: [{ port: 6443, protocol: 'TCP' }] })));
    expect(r.isAllowed({ from: 'orders/orders-operator', to: '10.0.0.10', port: 6443 })).toBe(true);
    expect(r.isAllowed({ from: 'orders/orders-operator', to: '10.0.0.12', port: 6443 })).toBe(false);
    expect(r.isAllowed({ from: 'orders/orders-operator', to: '10.0.0.10', port: 443 })).toBe(false);
    expect(r.isAllowed({ from: 'orders/orders-operator', to: 'orders/orders-api', port: 8080 })).toBe(false);
  });
});
