import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AllowFlow, EgressGateway, ExternalPeer, GatewayListener, IngressGateway, MeshedService, MeshMode, PlatformPeer, RoutePath, ServicePort, ZeroTrustNamespace } from '../../src';
import { RULES, RULE_CATALOG, ruleMessage, ruleTableMarkdown } from '../../src/rules/_catalog';

describe('rule catalog', () => {
  test('ids are unique, well formed and in order', () => {
    const ids = RULE_CATALOG.map(r => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(id => /^ZT[1-5]\d\d$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  test('every rule has a title and a rationale', () => {
    for (const r of RULE_CATALOG) {
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.rationale.length).toBeGreaterThan(20);
    }
  });

  test('messages start with the id and name the path', () => {
    expect(ruleMessage('ZT104', 'shop/web-to-api', 'port 9999 is not a port of api', 'Declare it.'))
      .toBe('[ZT104] shop/web-to-api: port 9999 is not a port of api. Declare it.');
    expect(() => ruleMessage('ZT999', 'x', 'y', 'z')).toThrow(/unknown zero-trust rule id ZT999/);
  });

  test('one registry: the rules that inspect synthesized objects carry their check, the others only their metadata', () => {
    const checked = RULES.filter(r => r.check !== undefined).map(r => r.id);
    expect(checked).toEqual(RULE_CATALOG.map(r => r.id).filter(id => /^ZT[45]/.test(id) && id !== 'ZT416' && id !== 'ZT417'));
  });

  test('docs/rules.md documents every rule, as generated from the catalog', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
    const table = doc.split('<!-- rules:start -->')[1]?.split('<!-- rules:end -->')[0]?.trim();
    expect(table).toBe(ruleTableMarkdown());
  });
});

describe('every construct-time rule (ZT1xx-ZT3xx) has a bad input that triggers exactly it', () => {
  const http = () => [ServicePort.http(80)];
  const gateway = (chart: Chart, ns: ZeroTrustNamespace) =>
    new IngressGateway(chart, 'g', { namespace: ns, name: 'g', listeners: [GatewayListener.http()], sources: [ExternalPeer.cidr('203.0.113.0/24')] });
  const PLATFORM_PODS = { namespace: 'monitoring', serviceAccount: 'prometheus', podLabels: { app: 'prometheus' } };
  const world = () => {
    const chart = new Chart(new App(), 'c');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
    const a = new MeshedService(chart, 'a', { namespace: ns, name: 'a', ports: http() });
    const b = new MeshedService(chart, 'b', { namespace: ns, name: 'b', ports: http() });
    return { chart, ns, a, b };
  };
  const egressWorld = () => {
    const w = world();
    return { ...w, egress: new EgressGateway(w.chart, 'egress', { namespace: w.ns, name: 'egress' }) };
  };
  const CASES: Array<[string, () => void]> = [
    ['ZT101', () => { const { a } = world(); a.allowTo(a); }],
    ['ZT103', () => { const { a } = world(); a.allowTo(world().b); }],
    ['ZT104', () => { const { chart, a, b } = world(); new AllowFlow(chart, 'f', { from: a, to: b, ports: [81] }); }],
    ['ZT105', () => { const { a, b } = world(); a.allowTo(b, { ports: [] }); }],
    ['ZT106', () => {
      const { chart, a } = world();
      const other = new ZeroTrustNamespace(chart, 'o', { name: 'o', trustDomain: 'example.org' });
      a.allowTo(new MeshedService(chart, 'x', { namespace: other, name: 'x', ports: http() }));
    }],
    ['ZT107', () => {
      const { chart, b } = world();
      const plain = new ZeroTrustNamespace(chart, 'p', { name: 'p', mesh: MeshMode.NONE });
      new MeshedService(chart, 'x', { namespace: plain, name: 'x', ports: http() }).allowTo(b);
    }],
    ['ZT108', () => ExternalPeer.cidr('0.0.0.0/0')],
    ['ZT109', () => { const { chart, ns, a } = world(); a.allowTo(new MeshedService(chart, 'x', { namespace: ns, name: 'x' })); }],
    ['ZT110', () => {
      const { chart, a } = world();
      a.allowTo(new MeshedService(chart, 'x', { namespace: new ZeroTrustNamespace(chart, 'off', { name: 'off', mesh: MeshMode.NONE }), name: 'x', ports: http() }), { http: { methods: ['GET'] } });
    }],
    ['ZT111', () => { const { chart, ns, a } = world(); a.allowTo(new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: [ServicePort.tcp(5432)] }), { http: { methods: ['GET'] } }); }],
    ['ZT112', () => { const { a, b } = world(); a.allowTo(b, { http: { methods: ['get'] } }); }],
    ['ZT113', () => { const { a, b } = world(); a.allowTo(b, { http: { paths: ['/v1*'] } }); }],
    ['ZT114', () => { const { a, b } = world(); a.allowTo(b, { http: {} }); }],
    ['ZT115', () => { const { b } = world(); b.requireJwt({ issuer: 'https://issuer.example', jwksUri: 'http://issuer.example/jwks.json' }); }],
    ['ZT120', () => RoutePath.prefix('/a/../b')],
    ['ZT121', () => GatewayListener.http({ hostname: '10.0.0.1' })],
    ['ZT122', () => { const { chart, ns, a } = world(); const g = gateway(chart, ns); g.route(a, { port: 80 }); g.route(a, { port: 80, hostnames: ['a.example.com'] }); }],
    ['ZT123', () => { const { chart } = world(); gateway(chart, new ZeroTrustNamespace(chart, 'p', { name: 'p', mesh: MeshMode.NONE })); }],
    ['ZT124', () => { const { chart, ns } = world(); gateway(chart, ns).route(new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: [ServicePort.tcp(80)] }), { port: 80 }); }],
    ['ZT125', () => { const { chart, ns, a } = world(); gateway(chart, ns).route(a, { port: 80, listeners: ['https'] }); }],
    ['ZT126', () => { const { chart, ns } = world(); new IngressGateway(chart, 'g', { namespace: ns, name: 'g', listeners: [GatewayListener.http()], sources: [] }); }],
    ['ZT130', () => ExternalPeer.host('*.stripe.com', { gateway: { name: 'egress' }, addresses: ExternalPeer.cidr('203.0.113.0/24') })],
    ['ZT131', () => { const { a, egress } = egressWorld(); a.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('203.0.113.0/24') }), { ports: [80] }); }],
    ['ZT132', () => {
      const { chart, egress } = egressWorld();
      const other = new ZeroTrustNamespace(chart, 'o', { name: 'o' });
      new MeshedService(chart, 'x', { namespace: other, name: 'x', ports: http() })
        .allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('203.0.113.0/24') }), { ports: [443] });
    }],
    ['ZT133', () => { const { chart } = world(); new EgressGateway(chart, 'g', { namespace: new ZeroTrustNamespace(chart, 'amb', { name: 'amb', mesh: MeshMode.AMBIENT }), name: 'g' }); }],
    ['ZT134', () => {
      const { a, egress } = egressWorld();
      a.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('203.0.113.0/24') }), { ports: [443] });
      a.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('198.51.100.0/24') }), { ports: [443] });
    }],
    ['ZT140', () => PlatformPeer.kubernetesApiServer({ cidrs: ['0.0.0.0/0'] })],
    ['ZT141', () => { const { a } = world(); PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.1/32'] }).allowTo(a); }],
    ['ZT142', () => { const { a } = world(); PlatformPeer.ingressController(PLATFORM_PODS).allowTo(a); }],
    ['ZT143', () => {
      const { chart } = world();
      const ambient = new ZeroTrustNamespace(chart, 'amb', { name: 'amb', mesh: MeshMode.AMBIENT });
      PlatformPeer.prometheus(PLATFORM_PODS).allowTo(new MeshedService(chart, 'x', { namespace: ambient, name: 'x', ports: http() }));
    }],
    ['ZT144', () => { const { a } = world(); PlatformPeer.prometheus({ ...PLATFORM_PODS, namespace: 'shop' }).allowTo(a); }],
    ['ZT145', () => {
      const { a } = world();
      PlatformPeer.prometheus(PLATFORM_PODS).allowTo(a);
      PlatformPeer.prometheus({ ...PLATFORM_PODS, podLabels: { app: 'other' } }).allowTo(a);
    }],
    ['ZT150', () => {
      // Checked when the app is validated: a client declared later (a gateway route) may bypass the waypoint too.
      const { chart, a } = world();
      const ambient = new ZeroTrustNamespace(chart, 'amb', { name: 'amb', mesh: MeshMode.AMBIENT });
      a.allowTo(new MeshedService(chart, 'x', { namespace: ambient, name: 'x', ports: http() }), { http: { methods: ['GET'] } });
      const [error] = ambient.node.findChild('Waypoint').node.validate();
      throw new Error(error);
    }],
    ['ZT201', () => { const { chart } = world(); new ZeroTrustNamespace(chart, 'bad', { name: 'Bad' }); }],
    ['ZT202', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'zt-allow-dns', ports: http() }); }],
    ['ZT203', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: http(), labels: { k: 'a b' } }); }],
    ['ZT204', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'a', ports: http() }); }],
    ['ZT205', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'default', ports: http() }); }],
    ['ZT206', () => { const { chart, a } = world(); a.enrol(new kplus.Deployment(chart, 'd', { metadata: { namespace: 'shop' }, containers: [{ image: 'x' }] })); }],
    ['ZT207', () => { const { chart, a } = world(); a.enrol(new kplus.Deployment(chart, 'd', { serviceAccount: a.serviceAccount, containers: [{ image: 'x' }] })); }],
    ['ZT208', () => { const { chart } = world(); new ZeroTrustNamespace(chart, 'twin', { name: 'shop' }); }],
    ['ZT209', () => { const { chart } = world(); new ZeroTrustNamespace(chart, 'sys', { name: 'kube-system' }); }],
    ['ZT301', () => ServicePort.tcp(0)],
    ['ZT302', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: [ServicePort.http(80), ServicePort.tcp(80)] }); }],
    ['ZT303', () => ServicePort.tcp(80, 'UPPER')],
    ['ZT304', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: [] }); }],
    ['ZT305', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: http(), image: 'x', replicas: -3 }); }],
    ['ZT320', () => GatewayListener.http({ name: 'Web' })],
    ['ZT321', () => GatewayListener.https({ certificates: [] })],
    ['ZT340', () => { const { chart, ns } = world(); new MeshedService(chart, 'x', { namespace: ns, name: 'x', ports: http(), metricsPort: 80 }); }],
  ];

  test.each(CASES)('%s', (id, bad) => {
    let message = '';
    try {
      bad();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^\\[${id}\\] \\S+: .+\\. .+`));
    expect(message.match(/\[ZT\d{3}\]/g)).toEqual([`[${id}]`]);
  });

  test('the table covers every construct-time rule of the catalog', () => {
    expect(CASES.map(([id]) => id)).toEqual(RULE_CATALOG.map(r => r.id).filter(id => /^ZT[123]/.test(id)));
  });
});
