import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { PodInput, Reachability } from '../../src';
import { registerPodStandIn } from '../../src/analyzer/_pod-stand-ins';

function np(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const web = { namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 8080, name: 'http' }, { port: 9090, protocol: 'UDP' }] };
const db = { namespace: 'shop', name: 'db', labels: { app: 'db' }, ports: [{ port: 5432 }] };
const client = { namespace: 'edge', name: 'client', labels: { app: 'client' } };

/** edge/client may call shop/web on http; shop/web may call shop/db; nothing else enters shop. */
const shop = () => Reachability.analyze({
  pods: [web, db, client],
  manifests: [
    np('shop', 'default-deny', { podSelector: {} }),
    np('shop', 'web-from-edge', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } } }], ports: [{ port: 'http' }] }],
    }),
    np('shop', 'db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ignored' } },
  ],
});

describe('Reachability.analyze', () => {
  test('pods are sorted ids', () => {
    expect(shop().pods).toEqual(['edge/client', 'shop/db', 'shop/web']);
  });

  test('isAllowed defaults to TCP', () => {
    const r = shop();
    expect(r.isAllowed({ from: 'edge/client', to: 'shop/web', port: 8080 })).toBe(true);
    expect(r.isAllowed({ from: 'edge/client', to: 'shop/web', port: 8080, protocol: 'UDP' })).toBe(false);
    expect(r.isAllowed({ from: 'edge/client', to: 'shop/db', port: 5432 })).toBe(false);
  });

  test('check gives each layer on its own', () => {
    const r = Reachability.analyze({
      pods: [web, client],
      manifests: [np('edge', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    });
    expect(r.check({ from: 'edge/client', to: 'shop/web', port: 8080 })).toEqual({ allowed: false, egress: false, ingress: true, authorization: true });
  });

  test('explain names the isolating policies and the admitting rule', () => {
    expect(shop().explain({ from: 'edge/client', to: 'shop/web', port: 8080 })).toEqual({
      from: 'edge/client',
      to: 'shop/web',
      port: 8080,
      protocol: 'TCP',
      allowed: true,
      egress: { allowed: true, reasons: ['edge/client is not isolated for egress: no NetworkPolicy with Egress in policyTypes selects it'] },
      ingress: {
        allowed: true,
        reasons: ['shop/web is isolated for ingress by shop/default-deny, shop/web-from-edge; shop/web-from-edge spec.ingress[0] admits edge/client on 8080/TCP'],
      },
      authorization: { allowed: true, reasons: ['shop/web is not in the mesh: no proxy enforces PeerAuthentication or AuthorizationPolicy'] },
    });
  });

  test('explain says why no rule admits', () => {
    expect(shop().explain({ from: 'edge/client', to: 'shop/db', port: 5432 }).ingress).toEqual({
      allowed: false,
      reasons: ['shop/db is isolated for ingress by shop/db-from-web, shop/default-deny and no rule admits edge/client on 5432/TCP '
        + '(shop/db-from-web spec.ingress[0]: from does not match edge/client; shop/default-deny has no ingress rules)'],
    });
    expect(shop().explain({ from: 'shop/db', to: 'shop/web', port: 9090, protocol: 'UDP' }).ingress.reasons[0]).toContain(
      'shop/web-from-edge spec.ingress[0]: from does not match shop/db, ports do not match 9090/UDP');
  });

  test('a pod always reaches itself', () => {
    const r = shop();
    expect(r.check({ from: 'shop/db', to: 'shop/db', port: 5432 })).toEqual({ allowed: true, egress: true, ingress: true, authorization: true });
    expect(r.explain({ from: 'shop/db', to: 'shop/db', port: 5432 }).ingress.reasons[0]).toMatch(/^shop\/db connects to itself: loopback never leaves the pod/);
  });

  test('external endpoints: only the pod side applies', () => {
    const r = shop();
    expect(r.isAllowed({ from: '203.0.113.1', to: 'shop/web', port: 8080 })).toBe(false);
    expect(r.explain({ from: 'shop/web', to: '203.0.113.1', port: 443 })).toMatchObject({
      allowed: true,
      ingress: { allowed: true, reasons: ['203.0.113.1 is outside the cluster: no NetworkPolicy governs its ingress'] },
      authorization: { allowed: true, reasons: ['203.0.113.1 is outside the cluster: not in the mesh, no Istio policy applies'] },
    });
  });

  test('an Istio gateway pod: STRICT mTLS does not govern its listeners, its AuthorizationPolicy decides without a peer identity; it calls with its identity', () => {
    const strict = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'edge' }, spec: { mtls: { mode: 'STRICT' } } };
    const byAddress = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'gw', namespace: 'edge' },
      spec: { selector: { matchLabels: { gw: 'public' } }, rules: [{ from: [{ source: { ipBlocks: ['203.0.113.0/24'] } }, { source: { principals: ['cluster.local/ns/edge/sa/client'] } }] }] },
    };
    const apiAuthz = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'api', namespace: 'edge' },
      spec: { selector: { matchLabels: { app: 'api' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/edge/sa/gw'] } }] }] },
    };
    const gateway = { namespace: 'edge', name: 'gw', labels: { gw: 'public' }, serviceAccount: 'gw', ports: [{ port: 80 }], meshed: true, gateway: true };
    const meshedClient = { ...client, serviceAccount: 'client', meshed: true };
    const api = { namespace: 'edge', name: 'api', labels: { app: 'api' }, ports: [{ port: 8080 }], meshed: true };
    const r = Reachability.analyze({ pods: [gateway, meshedClient, api], manifests: [strict, byAddress, apiAuthz] });
    expect(r.check({ from: '203.0.113.1', to: 'edge/gw', port: 80 }).authorization).toBe(true);
    expect(r.check({ from: '198.51.100.1', to: 'edge/gw', port: 80 }).authorization).toBe(false);
    expect(r.explain({ from: 'edge/client', to: 'edge/gw', port: 80 }).authorization).toEqual({
      allowed: false,
      reasons: expect.arrayContaining(['mTLS mode of edge/gw on port 80: DISABLE, from an Istio gateway, whose listeners no PeerAuthentication governs']),
    });
    expect(r.check({ from: 'edge/gw', to: 'edge/api', port: 8080 }).authorization).toBe(true);
  });

  test('ambient pods: NetworkPolicy sees only HBONE 15008, whatever the app port', () => {
    const r = Reachability.analyze({
      namespaces: [{ name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
      pods: [web, db],
      manifests: [np('shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5432 }] }] })],
    });
    const ingress = r.explain({ from: 'shop/web', to: 'shop/db', port: 5432 }).ingress;
    expect(ingress.allowed).toBe(false);
    expect(ingress.reasons).toEqual([
      'shop/web and shop/db are meshed and one is ambient, so HBONE carries the traffic: NetworkPolicies see 15008/TCP, not port 5432',
      'shop/db is isolated for ingress by shop/db and no rule admits shop/web on 15008/TCP (shop/db spec.ingress[0]: ports do not match 15008/TCP)',
    ]);
    // Admitting 15008 admits the tunnel, and so every app port: only Istio's AuthorizationPolicy restricts those.
    const open = Reachability.analyze({
      namespaces: [{ name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
      pods: [web, db],
      manifests: [np('shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 15008 }] }] })],
    });
    expect(open.check({ from: 'shop/web', to: 'shop/db', port: 5432 }).ingress).toBe(true);
  });

  test.each([
    [{ pods: [client, client] }, 'pod edge/client is given twice'],
    [{ pods: [{ ...client, ip: '10.0.0.300' }] }, 'pod edge/client: invalid ip "10.0.0.300"'],
    [{ pods: [{ ...client, ports: [{ port: 1, protocol: 'ICMP' }] }] }, 'pod edge/client: port 1: unsupported protocol "ICMP"'],
    [{ pods: [{ ...client, ports: [{ port: 70000 }] }] }, 'pod edge/client: invalid port 70000'],
    [{ pods: [], namespaces: [{ name: 'a' }, { name: 'a' }] }, 'namespace a is given twice'],
    [{ pods: [], manifests: [null] }, 'manifests[0]: expected an object'],
  ])('rejects bad input: %s', (props, message) => {
    expect(() => Reachability.analyze(props as any)).toThrow(message);
  });

  test.each([
    [{ from: 'edge/nope', to: 'shop/web', port: 80 }, 'unknown pod or invalid IP address "edge/nope"'],
    [{ from: 'edge/client', to: 'shop/web', port: 80, protocol: 'ICMP' }, 'unsupported protocol "ICMP" (expected TCP, UDP, SCTP)'],
    [{ from: 'edge/client', to: 'shop/web', port: 0 }, 'invalid port 0'],
    [{ from: '1.1.1.1', to: '2.2.2.2', port: 80 }, '1.1.1.1 -> 2.2.2.2: at least one side must be a pod'],
  ])('rejects bad queries: %j', (query, message) => {
    expect(() => shop().isAllowed(query)).toThrow(message);
  });
});

describe('allowed flows and their renderings', () => {
  test('allowedFlows covers every destination port, skips self, and is sorted', () => {
    const r = Reachability.analyze({ pods: [web, db, client], manifests: [np('shop', 'db', { podSelector: { matchLabels: { app: 'db' } } })] });
    expect(r.allowedFlows()).toEqual([
      { from: 'edge/client', to: 'shop/web', port: 8080, protocol: 'TCP' },
      { from: 'edge/client', to: 'shop/web', port: 9090, protocol: 'UDP' },
      { from: 'shop/db', to: 'shop/web', port: 8080, protocol: 'TCP' },
      { from: 'shop/db', to: 'shop/web', port: 9090, protocol: 'UDP' },
    ]);
    expect(shop().allowedFlows()).toEqual([
      { from: 'edge/client', to: 'shop/web', port: 8080, protocol: 'TCP' },
      { from: 'shop/web', to: 'shop/db', port: 5432, protocol: 'TCP' },
    ]);
  });

  test('pods of one class get the same verdicts', () => {
    const pods: PodInput[] = ['a', 'b', 'c'].map(name => ({ namespace: 'n', name, labels: { app: 'same' }, ports: [{ port: 80 }] }));
    const r = Reachability.analyze({ pods: [...pods, { namespace: 'n', name: 'other', ports: [{ port: 80 }] }], manifests: [np('n', 'p', { podSelector: { matchLabels: { app: 'same' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'same' } } }] }] })] });
    expect(r.allowedFlows().map(f => `${f.from}->${f.to}`)).toEqual([
      'n/a->n/b', 'n/a->n/c', 'n/a->n/other', 'n/b->n/a', 'n/b->n/c', 'n/b->n/other', 'n/c->n/a', 'n/c->n/b', 'n/c->n/other',
    ]);
  });

  test('toMatrix prints clients by servers with the allowed ports', () => {
    expect(shop().toMatrix()).toBe([
      'from \\ to    edge/client  shop/db   shop/web',
      'edge/client  (self)       .         8080/TCP',
      'shop/db      .            (self)    .',
      'shop/web     .            5432/TCP  (self)',
      '',
    ].join('\n'));
  });

  test('toMermaid draws one node per pod and one labelled edge per allowed pair', () => {
    const r = Reachability.analyze({
      pods: [web, { ...client, ports: [{ port: 80 }, { port: 81 }] }],
      manifests: [np('shop', 'deny', { podSelector: {} })],
    });
    expect(r.toMermaid()).toBe([
      'flowchart LR',
      '  subgraph ns0["edge"]',
      '    p0["edge/client"]',
      '  end',
      '  subgraph ns1["shop"]',
      '    p1["shop/web"]',
      '  end',
      '  p1 -->|80/TCP, 81/TCP| p0',
      '',
    ].join('\n'));
  });
});

/** A construct that stands for pods without a workload manifest. */
class StandIn extends Construct {
  constructor(scope: Construct, id: string, private readonly pod: PodInput) {
    super(scope, id);
    registerPodStandIn(this);
  }

  public _reachabilityPods(): PodInput[] {
    return [this.pod];
  }
}

describe('Reachability.ofApp', () => {
  test('reads workloads, namespaces, policies and stand-in pods of the construct tree', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { tier: 'backend' } } });
    new ApiObject(chart, 'db', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'pg', ports: [{ containerPort: 5432 }] }] } } },
    });
    new ApiObject(chart, 'policy', np('shop', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'backend' } } }] }],
    }));
    new kplus.Deployment(chart, 'web', {
      metadata: { name: 'web', namespace: 'shop' },
      containers: [{ image: 'web', portNumber: 8080 }],
    });
    new StandIn(chart, 'stand-in', { namespace: 'edge', name: 'stand-in', labels: { app: 'stand-in' }, ports: [{ port: 7000 }] });
    const r = Reachability.ofApp(app);
    expect(r.pods).toEqual(['edge/stand-in', 'shop/db', 'shop/web']);
    expect(r.isAllowed({ from: 'shop/web', to: 'shop/db', port: 5432 })).toBe(true);
    expect(r.isAllowed({ from: 'edge/stand-in', to: 'shop/db', port: 5432 })).toBe(false);
    expect(r.isAllowed({ from: 'shop/db', to: 'edge/stand-in', port: 7000 })).toBe(true);
    expect(r.allowedFlows().filter(f => f.to === 'shop/web')).toEqual([
      { from: 'edge/stand-in', to: 'shop/web', port: 8080, protocol: 'TCP' },
      { from: 'shop/db', to: 'shop/web', port: 8080, protocol: 'TCP' },
    ]);
  });

  test('passes the mesh options on', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new StandIn(chart, 'a', { namespace: 'edge', name: 'a', meshed: true });
    new StandIn(chart, 'b', { namespace: 'edge', name: 'b', meshed: true });
    new ApiObject(chart, 'ap', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny', namespace: 'root' }, spec: {} });
    expect(Reachability.ofApp(app).isAllowed({ from: 'edge/a', to: 'edge/b', port: 80 })).toBe(true);
    expect(Reachability.ofApp(app, { rootNamespace: 'root' }).isAllowed({ from: 'edge/a', to: 'edge/b', port: 80 })).toBe(false);
  });
});

describe('Reachability HBONE between sidecar and ambient pods', () => {
  test('a sidecar client calling an ambient server needs 15008 too; two sidecars do not', () => {
    const pods = [
      { namespace: 'side', name: 'a', labels: { app: 'a' }, serviceAccount: 'a', ports: [{ port: 80 }] },
      { namespace: 'amb', name: 'b', labels: { app: 'b' }, serviceAccount: 'b', ports: [{ port: 80 }] },
      { namespace: 'side', name: 'c', labels: { app: 'c' }, serviceAccount: 'c', ports: [{ port: 80 }] },
    ];
    const onlyPort80 = (ns: string, app: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: app, namespace: ns },
      spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }] },
    });
    const r = Reachability.analyze({
      namespaces: [{ name: 'side', labels: { 'istio-injection': 'enabled' } }, { name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient' } }],
      pods,
      manifests: [onlyPort80('amb', 'b'), onlyPort80('side', 'c')],
    });
    expect(r.check({ from: 'side/a', to: 'amb/b', port: 80 }).ingress).toBe(false);
    expect(r.check({ from: 'side/a', to: 'side/c', port: 80 }).ingress).toBe(true);
  });
});

describe('the indexed peer lookup of the ZT416 proof', () => {
  const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  const RUNS = Number(process.env.FC_RUNS ?? 300);
  const NAMESPACES = ['a', 'b', 'c'];
  const APPS = ['x', 'y', 'z'];
  const label = fc.record({ app: fc.constantFrom(...APPS) });
  const peer = fc.oneof(
    label.map(l => ({ podSelector: { matchLabels: l } })),
    fc.record({ ns: fc.constantFrom(...NAMESPACES), l: label }).map(({ ns, l }) =>
      ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: l } })),
    fc.constantFrom({ namespaceSelector: { matchLabels: { tier: 'front' } } }),
    fc.constantFrom({ podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x'] }] } }),
    fc.constantFrom({ ipBlock: { cidr: '10.0.0.0/30' } }),
  );
  const rule = fc.record({ peers: fc.array(peer, { maxLength: 3 }), ports: fc.subarray([80, 443, 53]) });
  const pod = fc.record({ ns: fc.constantFrom(...NAMESPACES), app: fc.constantFrom(...APPS), ip: fc.boolean() });
  const policy = fc.record({
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.option(fc.constantFrom(...APPS)),
    ingress: fc.array(rule, { maxLength: 2 }),
    egress: fc.array(rule, { maxLength: 2 }),
  });
  const world = fc.record({ pods: fc.array(pod, { minLength: 2, maxLength: 8 }), policies: fc.array(policy, { maxLength: 5 }) });

  test(`for every pod and peer, the verdicts from the index equal those from matching every rule (seed ${SEED})`, () => {
    fc.assert(fc.property(world, w => {
      const pods = w.pods.map((p, i) => ({
        namespace: p.ns,
        name: `p${i}`,
        labels: { app: p.app },
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
        ...(p.ip ? { ip: `10.0.0.${i % 4}` } : {}),
      }));
      const manifests = w.policies.map((p, i) => np(p.ns, `np${i}`, {
        podSelector: p.app ? { matchLabels: { app: p.app } } : {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: p.ingress.map(r => ({ ...(r.peers.length > 0 ? { from: r.peers } : {}), ports: r.ports.map(port => ({ port })) })),
        egress: p.egress.map(r => ({ ...(r.peers.length > 0 ? { to: r.peers } : {}), ports: r.ports.map(port => ({ port })) })),
      }));
      const r = Reachability.analyze({ pods, manifests, namespaces: [{ name: 'a', labels: { tier: 'front' } }, { name: 'b' }, { name: 'c' }] });
      for (const id of r.pods) {
        for (const layer of ['ingress', 'egress'] as const) {
          const matched = r._peerRules(layer, id);
          if (matched === undefined) continue;
          for (const other of r.pods) {
            if (other === id) continue;
            const [from, to] = layer === 'egress' ? [id, other] : [other, id];
            expect(r._verdicts(layer, from, to, matched.get(other) ?? [])).toEqual(r._verdicts(layer, from, to));
          }
        }
      }
    }), { seed: SEED, numRuns: RUNS });
  });
});
