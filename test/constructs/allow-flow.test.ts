import { App, Chart, Yaml } from 'cdk8s';
import { AllowFlow, MeshedService, MeshMode, ServicePort, ZeroTrustNamespace } from '../../src';
import { find, newChart, synthAll } from '../_util';

const sel = (name: string) => ({ matchLabels: { 'zero-trust.cdk8s.io/workload': name } });
const nsSel = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const tcp = (...ports: number[]) => ports.map(port => ({ port, protocol: 'TCP' }));

function shop(paymentsMesh = MeshMode.SIDECAR) {
  const { app, chart } = newChart();
  const shopNs = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  const payNs = new ZeroTrustNamespace(chart, 'payments', { name: 'payments', mesh: paymentsMesh });
  const web = new MeshedService(chart, 'web', { namespace: shopNs, name: 'web', ports: [ServicePort.http(8080)] });
  const cart = new MeshedService(chart, 'cart', { namespace: shopNs, name: 'cart', ports: [ServicePort.http(8080)] });
  const api = new MeshedService(chart, 'api', { namespace: payNs, name: 'api', ports: [ServicePort.grpc(9090), ServicePort.tcp(9091)] });
  return { app, chart, shopNs, payNs, web, cart, api };
}

describe('AllowFlow', () => {
  test('cross-namespace flow: client egress, server ingress (namespace AND pods in one peer), server principals', () => {
    const { app, chart, web, api } = shop();
    const flow = new AllowFlow(chart, 'web-to-api', { from: web, to: api, ports: [9090] });
    expect(flow.from).toBe(web);
    expect(flow.to).toBe(api);
    const objects = synthAll(app);

    const client = find(objects, 'NetworkPolicy', 'shop', 'web').spec;
    expect(client.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(client.ingress).toEqual([]);
    expect(client.egress).toEqual([{ to: [{ namespaceSelector: nsSel('payments'), podSelector: sel('api') }], ports: tcp(9090) }]);

    const server = find(objects, 'NetworkPolicy', 'payments', 'api').spec;
    expect(server.podSelector).toEqual(sel('api'));
    expect(server.ingress).toEqual([{ from: [{ namespaceSelector: nsSel('shop'), podSelector: sel('web') }], ports: tcp(9090) }]);
    expect(server.egress).toEqual([]);

    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec).toEqual({
      selector: sel('api'),
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['9090'] } }] }],
    });
    // The client admits nobody.
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'web').spec.rules).toBeUndefined();
  });

  test('same-namespace flow: a pod-only peer; default ports are all of the server\'s', () => {
    const { app, web, cart } = shop();
    web.allowTo(cart);
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.egress).toEqual([{ to: [{ podSelector: sel('cart') }], ports: tcp(8080) }]);
    expect(find(objects, 'NetworkPolicy', 'shop', 'cart').spec.ingress).toEqual([{ from: [{ podSelector: sel('web') }], ports: tcp(8080) }]);
  });

  test('allowFrom writes the same flow', () => {
    const { app, web, api } = shop();
    api.allowFrom(web, { ports: [9091] });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.egress[0].ports).toEqual(tcp(9091));
    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec.rules[0].to).toEqual([{ operation: { ports: ['9091'] } }]);
  });

  test('ambient: NetworkPolicies also open HBONE 15008, the AuthorizationPolicy keeps the app port', () => {
    const { app, web, api } = shop(MeshMode.AMBIENT);
    web.allowTo(api, { ports: [9090] });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.egress[0].ports).toEqual(tcp(9090, 15008));
    expect(find(objects, 'NetworkPolicy', 'payments', 'api').spec.ingress[0].ports).toEqual(tcp(9090, 15008));
    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec.rules[0].to).toEqual([{ operation: { ports: ['9090'] } }]);
  });

  test('no HBONE port when the server is outside the mesh', () => {
    const { app, chart, web } = shop(MeshMode.AMBIENT);
    const plainNs = new ZeroTrustNamespace(chart, 'plain', { name: 'plain', mesh: MeshMode.NONE });
    const legacy = new MeshedService(chart, 'legacy', { namespace: plainNs, name: 'legacy', ports: [ServicePort.tcp(5432)] });
    web.allowTo(legacy);
    expect(find(synthAll(app), 'NetworkPolicy', 'plain', 'legacy').spec.ingress[0].ports).toEqual(tcp(5432));
  });

  test('aggregation: one rule per port set, peers and principals sorted, rules sorted', () => {
    const { app, web, cart, api } = shop();
    // Declared in an unsorted order on purpose.
    web.allowTo(api, { ports: [9091, 9090] });
    cart.allowTo(api, { ports: [9090] });
    const other = new MeshedService(web.node.scope!, 'admin', { namespace: api.namespace, name: 'admin', ports: [ServicePort.http(80)] });
    other.allowTo(api, { ports: [9090] });
    const objects = synthAll(app);
    const np = find(objects, 'NetworkPolicy', 'payments', 'api').spec;
    expect(np.ingress).toEqual([
      {
        from: [
          { namespaceSelector: nsSel('shop'), podSelector: sel('cart') },
          { podSelector: sel('admin') },
        ],
        ports: tcp(9090),
      },
      { from: [{ namespaceSelector: nsSel('shop'), podSelector: sel('web') }], ports: tcp(9090, 9091) },
    ]);
    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec.rules).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/payments/sa/admin', 'cluster.local/ns/shop/sa/cart'] } }],
        to: [{ operation: { ports: ['9090'] } }],
      },
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['9090', '9091'] } }] },
    ]);
  });

  test('idempotent: the same flow declared twice, as a construct and with allowTo, is one rule', () => {
    const { app, chart, web, api } = shop();
    new AllowFlow(chart, 'web-to-api', { from: web, to: api, ports: [9090] });
    web.allowTo(api, { ports: [9090] });
    web.allowTo(api, { ports: [9090] });
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'shop', 'web').spec.egress).toHaveLength(1);
    expect(find(objects, 'AuthorizationPolicy', 'payments', 'api').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
  });

  test('a second declaration with other ports merges into the union', () => {
    const { app, web, api } = shop();
    web.allowTo(api, { ports: [9091] });
    web.allowTo(api, { ports: [9090] });
    expect(find(synthAll(app), 'NetworkPolicy', 'payments', 'api').spec.ingress[0].ports).toEqual(tcp(9090, 9091));
  });

  test('render late: a flow declared after the policies were created still lands', () => {
    const { app, web, api } = shop();
    expect(find(synthAll(app), 'NetworkPolicy', 'payments', 'api').spec.ingress).toEqual([]);
    web.allowTo(api);
    expect(find(synthAll(app), 'NetworkPolicy', 'payments', 'api').spec.ingress).toHaveLength(1);
  });

  test('allowSelf: a service calling its own replicas', () => {
    const { app, web } = shop();
    expect(() => web.allowTo(web)).toThrow(/^\[ZT101\] test\/web.allowTo\(test\/web\): a flow from web to itself\. Pass `allowSelf: true`/);
    web.allowTo(web, { allowSelf: true });
    const np = find(synthAll(app), 'NetworkPolicy', 'shop', 'web').spec;
    expect(np.ingress).toEqual([{ from: [{ podSelector: sel('web') }], ports: tcp(8080) }]);
    expect(np.egress).toEqual([{ to: [{ podSelector: sel('web') }], ports: tcp(8080) }]);
  });

  test.each([
    [{ ports: [9999] }, /^\[ZT104\] test\/web-to-api: port 9999 is not a port of api \(ports: 9090, 9091\)\. Declare it on the MeshedService or drop it from the flow\.$/],
    [{ ports: [] }, /^\[ZT105\] test\/web-to-api: the flow has no ports\. Give at least one of api's ports \(9090, 9091\), or omit `ports` for all of them\.$/],
  ])('refuses bad flow ports (%#)', (options, message) => {
    const { chart, web, api } = shop();
    expect(() => new AllowFlow(chart, 'web-to-api', { from: web, to: api, ...options })).toThrow(message);
  });

  test('refuses a flow between trust domains', () => {
    const { chart, web } = shop();
    const ns = new ZeroTrustNamespace(chart, 'other', { name: 'other', trustDomain: 'example.org' });
    const x = new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: [ServicePort.http(80)] });
    expect(() => web.allowTo(x)).toThrow(/^\[ZT106\] test\/web.allowTo\(test\/x\): web is in trust domain "cluster.local" and x in "example.org"/);
  });

  test('refuses a flow from outside the mesh into a meshed service', () => {
    const { chart, api } = shop();
    const ns = new ZeroTrustNamespace(chart, 'plain', { name: 'plain', mesh: MeshMode.NONE });
    const legacy = new MeshedService(chart, 'legacy', { namespace: ns, name: 'legacy', ports: [ServicePort.http(80)] });
    expect(() => legacy.allowTo(api)).toThrow(/^\[ZT107\] test\/legacy.allowTo\(test\/api\): legacy is in namespace "plain", which is outside the mesh, so it has no mTLS identity/);
  });

  test('refuses a flow to a service of another app', () => {
    const { web } = shop();
    const other = new Chart(new App(), 'other');
    const ns = new ZeroTrustNamespace(other, 'ns', { name: 'elsewhere' });
    const x = new MeshedService(other, 'x', { namespace: ns, name: 'x', ports: [ServicePort.http(80)] });
    expect(() => web.allowTo(x)).toThrow(/^\[ZT103\] test\/web.allowTo\(other\/x\): other\/x belongs to another app/);
  });

  test('deterministic: the same app declared in shuffled order gives byte-identical objects', () => {
    const declare = (order: number[]) => {
      const { app, chart } = newChart();
      const nss = [new ZeroTrustNamespace(chart, 'a', { name: 'a' }), new ZeroTrustNamespace(chart, 'b', { name: 'b', mesh: MeshMode.AMBIENT })];
      const specs = [['a', 'x'], ['a', 'y'], ['b', 'z'], ['b', 'w']];
      const svcs = new Map<string, MeshedService>();
      for (const i of order.map(n => n % specs.length).filter((v, idx, arr) => arr.indexOf(v) === idx)) {
        const [nsName, name] = specs[i];
        svcs.set(name, new MeshedService(chart, name, { namespace: nss[nsName === 'a' ? 0 : 1], name, ports: [ServicePort.http(80), ServicePort.tcp(81)] }));
      }
      const flows: Array<[string, string, number[]]> = [['x', 'z', [80]], ['y', 'z', [80]], ['w', 'x', [81, 80]], ['z', 'y', [81]], ['x', 'y', [80]]];
      for (const i of order.map(n => n % flows.length).filter((v, idx, arr) => arr.indexOf(v) === idx)) {
        const [f, t, ports] = flows[i];
        svcs.get(f)!.allowTo(svcs.get(t)!, { ports });
      }
      const byKey = new Map(synthAll(app).map(o => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, Yaml.stringify(o)]));
      return [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
    };
    const forward = declare([0, 1, 2, 3, 4]);
    expect(declare([4, 3, 2, 1, 0])).toEqual(forward);
    expect(declare([2, 4, 1, 3, 0])).toEqual(forward);
  });
});
