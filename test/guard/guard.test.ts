import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshedService, MeshMode, ServicePort, ZeroTrustNamespace, ZeroTrustRules } from '../../src';
import { PodInput } from '../../src/analyzer/reachability-input';
import { ZeroTrustGuard } from '../../src/guard/_guard';
import { cdk8sSynth } from '../_util';

function shop() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)] });
  web.allowTo(api);
  return { app, chart, ns, web, api };
}

/** A hand-written NetworkPolicy, as a user would add one beside the constructs. */
function networkPolicy(chart: Chart, name: string, namespace: string, spec: any): ApiObject {
  return new ApiObject(chart, name, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
}

/** A hand-written AuthorizationPolicy in namespace shop. */
function authorizationPolicy(chart: Chart, name: string, spec: any): ApiObject {
  return new ApiObject(chart, name, { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'shop' }, spec });
}

const WEB_FOR_NAMESPACE = { selector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } }, rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] };

describe('the app-level guard', () => {
  test('a clean app synthesizes', () => {
    const { app } = shop();
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('a hand-written NetworkPolicy that opens a namespace fails the synth, naming rule, object and path', () => {
    const { app, chart } = shop();
    networkPolicy(chart, 'open', 'shop', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{}] }] });
    expect(() => app.synthYaml()).toThrow(/\[ZT401\] shop\/open: NetworkPolicy shop\/open/);
    // The analyzer cannot read an empty peer (the API server rejects it too), and says so rather than guess.
    expect(() => app.synthYaml()).toThrow(
      /\[ZT417\] shop\/open: the reachability analyzer cannot read it, so ZT416 cannot prove what it allows: NetworkPolicy shop\/open: spec.ingress\[0\].from\[0\]/);
  });

  test('a cdk8s-plus NetworkPolicy is checked too', () => {
    const { app, chart } = shop();
    new kplus.NetworkPolicy(chart, 'plus', {
      metadata: { namespace: 'shop' },
      ingress: { rules: [{ peer: kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'any') }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT403\]/);
  });

  test('an escape-hatch patch that weakens mTLS is found in the synthesized objects', () => {
    const { app, ns } = shop();
    const pa = ns.node.findChild('PeerAuthentication') as ApiObject;
    pa.addJsonPatch(JsonPatch.replace('/spec/mtls/mode', 'PERMISSIVE'));
    expect(() => app.synthYaml()).toThrow(/\[ZT408\] shop\/ns\/PeerAuthentication: .*PERMISSIVE/);
  });

  test('a patch that makes an AuthorizationPolicy admit everything fails', () => {
    const { app, api } = shop();
    api.authorizationPolicy!.addJsonPatch(JsonPatch.replace('/spec/rules', [{}]));
    expect(() => app.synthYaml()).toThrow(/\[ZT407\] shop\/api\/AuthorizationPolicy:/);
  });

  test('a patch that removes the injection label fails', () => {
    const { app, ns } = shop();
    ns.apiObject.addJsonPatch(JsonPatch.remove('/metadata/labels/istio-injection'));
    expect(() => app.synthYaml()).toThrow(/\[ZT409\] shop\/ns\/Namespace:/);
  });

  test('a suppression with a reason lets the synth pass and shows the reason on the object', () => {
    const { app, chart } = shop();
    const open = networkPolicy(chart, 'open', 'shop', { podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    expect(() => app.synthYaml()).toThrow(/\[ZT403\]/);
    ZeroTrustRules.suppress(open, 'ZT403', 'the load balancer health checks come from everywhere');
    const objects = Testing.synth(chart);
    const np = objects.find(o => o.metadata.name === 'open');
    expect(np.metadata.annotations).toEqual({ 'zero-trust.cdk8s.io/suppress.ZT403': 'the load balancer health checks come from everywhere' });
  });

  test('objects outside managed namespaces are not checked', () => {
    const { app, chart } = shop();
    networkPolicy(chart, 'elsewhere', 'unmanaged', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('warnings are printed once per app, however many charts cdk8s validates for', () => {
    const app = new App({ outdir: Testing.app().outdir });
    for (const name of ['a', 'b', 'c']) {
      const chart = new Chart(app, name);
      new ZeroTrustNamespace(chart, 'ns', { name, mesh: MeshMode.NONE });
    }
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // cdk8s's own synth validates once more per chart.
      cdk8sSynth(app);
      const lines = warn.mock.calls.map(c => String(c[0]));
      expect(lines.filter(l => l.includes('[ZT501]'))).toHaveLength(3);
      expect(lines.every(l => l.startsWith('warning: [ZT501] '))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('ZT416: what the policies allow equals what was declared, per side', () => {
  test('a hand-written policy that lets every pod of the namespace reach api fails, naming the side and the pair', () => {
    const { app, chart } = shop();
    new MeshedService(chart, 'admin', { namespace: chart.node.findChild('ns') as ZeroTrustNamespace, name: 'admin', ports: [ServicePort.http(80)] });
    networkPolicy(chart, 'wide', 'shop', {
      podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'admin' } } }], ports: [{ port: 8080 }] }],
    });
    expect(() => app.synthYaml()).toThrow(
      /\[ZT416\] shop\/api: the ingress of shop\/api differs from the declared flows: it allows shop\/admin -> shop\/api on 8080\/TCP, which no flow declares \(.*shop\/wide spec.ingress\[0\] admits shop\/admin/);
    // Only the ingress side differs: admin's egress and api's authorization still refuse it.
    expect(() => app.synthYaml()).not.toThrow(/the egress of shop\/admin/);
    expect(() => app.synthYaml()).not.toThrow(/the authorization of shop\/api/);
  });

  test('an AuthorizationPolicy that admits a whole namespace fails on the authorization side', () => {
    const { app, chart } = shop();
    authorizationPolicy(chart, 'ns-wide', WEB_FOR_NAMESPACE);
    // Port 1 stands for every port the policies do not name.
    expect(() => app.synthYaml()).toThrow(
      /\[ZT416\] shop\/web: the authorization of shop\/web differs from the declared flows: it allows shop\/api -> shop\/web on 1\/TCP, .*; allows shop\/api -> shop\/web on 8080\/TCP/);
  });

  test.each([
    ['a port range', [{ port: 1, endPort: 65535 }], /it allows shop\/web -> shop\/api on 1\/TCP, which no flow declares/],
    ['another protocol on the declared port', [{ port: 8080, protocol: 'UDP' }], /it allows shop\/web -> shop\/api on 8080\/UDP, which no flow declares/],
    ['a port the server does not serve', [{ port: 9999 }], /it allows shop\/web -> shop\/api on 9999\/TCP, which no flow declares/],
  ])('a policy that admits a declared client on %s fails: every port and protocol is checked', (_, ports, message) => {
    const { app, chart } = shop();
    networkPolicy(chart, 'more', 'shop', {
      podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } } }], ports }],
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: the ingress of shop\/api differs from the declared flows/);
    expect(() => app.synthYaml()).toThrow(message);
  });

  test('a client workload without container ports is checked too', () => {
    const { app, chart, web } = shop();
    const ns = chart.node.findChild('ns') as ZeroTrustNamespace;
    const job = new MeshedService(chart, 'job', { namespace: ns, name: 'job', ports: [ServicePort.tcp(9)] });
    job.enrol(new kplus.Pod(chart, 'job-pod', { metadata: { namespace: 'shop' }, serviceAccount: job.serviceAccount, containers: [{ image: 'x' }] }));
    networkPolicy(chart, 'job-in', 'shop', {
      podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'job' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'web' } } }] }],
    });
    expect(web.name).toBe('web');
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/job: the ingress of shop\/shop-job-pod-[0-9a-f]+ differs from the declared flows: it allows shop\/web -> shop\/shop-job-pod-[0-9a-f]+ on 1\/SCTP/);
  });

  test('a DENY policy that refuses a declared flow fails too', () => {
    const { app, chart } = shop();
    authorizationPolicy(chart, 'deny', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] });
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/api: the authorization of shop\/api differs from the declared flows: it refuses shop\/web -> shop\/api on 8080\/TCP, which a declared flow needs/);
  });

  test('an object the analyzer cannot read is ZT417 on that object; suppressing it leaves the rest proven', () => {
    const { app, chart } = shop();
    const l7 = authorizationPolicy(chart, 'l7', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['1'] }] }] });
    expect(() => app.synthYaml()).toThrow(/\[ZT417\] shop\/l7: the reachability analyzer cannot read it/);
    ZeroTrustRules.suppress(l7, 'ZT417', 'a header deny, reviewed by hand: it only narrows');
    expect(() => app.synthYaml()).not.toThrow();
    // A hole elsewhere is still found.
    authorizationPolicy(chart, 'ns-wide', WEB_FOR_NAMESPACE);
    expect(() => app.synthYaml()).toThrow(/\[ZT416\] shop\/web: the authorization of shop\/web differs/);
  });

  test.each(['AdminNetworkPolicy', 'EnvoyFilter', 'CiliumNetworkPolicy'])('a %s, which the analyzer does not model, is ZT417', kind => {
    const { app, chart } = shop();
    new ApiObject(chart, 'override', { apiVersion: 'example.io/v1', kind, metadata: { name: 'override', namespace: 'shop' }, spec: {} });
    expect(() => app.synthYaml()).toThrow(new RegExp(`\\[ZT417\\] shop/override: .*${kind} shop/override: the analyzer does not model ${kind}`));
  });

  test('ZT416 can be suppressed on the service, with a reason', () => {
    const { app, chart, web } = shop();
    const nsWide = authorizationPolicy(chart, 'ns-wide', WEB_FOR_NAMESPACE);
    ZeroTrustRules.suppress(web, 'ZT416', 'web serves the whole namespace during the migration');
    // A namespace without principals also admits ServiceAccounts created later, which the proof cannot see (ZT421).
    expect(() => app.synthYaml()).toThrow(/\[ZT421\] shop\/ns-wide: AuthorizationPolicy shop\/ns-wide, spec\.rules\[0\]\.from\[0\]\.source: the source names no principals/);
    ZeroTrustRules.suppress(nsWide, 'ZT421', 'the migration\'s clients have no ServiceAccounts of their own yet');
    expect(() => app.synthYaml()).not.toThrow();
  });
});

/** A flow end the app does not run: pods in another namespace that the app declares flows with, as a gateway or a platform peer would. */
class ForeignEnd extends Construct {
  public readonly namespace = { name: 'monitoring', mesh: MeshMode.SIDECAR, trustDomain: 'cluster.local', meshed: true };
  public readonly selector = { app: 'scraper' };
  public readonly principal = 'cluster.local/ns/monitoring/sa/scraper';
  constructor(scope: Construct, id: string, public readonly name: string) {
    super(scope, id);
    ZeroTrustGuard.registerEnd(this);
  }
  public _reachabilityPods(): PodInput[] {
    return [{ namespace: 'monitoring', name: this.name, labels: { ...this.selector }, serviceAccount: 'scraper', meshed: true }];
  }
}

describe('flow ends beyond MeshedService', () => {
  /** shop, plus a flow from a foreign end, in a namespace the app does not manage, to api. */
  function withForeignEnd(register = true) {
    const s = shop();
    const end = register ? new ForeignEnd(s.chart, 'scraper', 'scraper') : undefined;
    const from = end ?? {
      name: 'scraper',
      namespace: new ForeignEnd(new Construct(Testing.app(), 'elsewhere'), 'x', 'scraper').namespace,
      selector: { app: 'scraper' },
      principal: 'cluster.local/ns/monitoring/sa/scraper',
    };
    ZeroTrustGuard.flowGraph(s.chart).declare({ from, to: s.api, ports: [8080] });
    return s;
  }

  test('a flow from a registered end is rendered, accepted by the rules and proven like a flow between services', () => {
    const { app } = withForeignEnd();
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('the same peer without a registered end is an unmanaged peer and an undeclared principal', () => {
    const { app } = withForeignEnd(false);
    expect(() => app.synthYaml()).toThrow(/\[ZT420\] shop\/api\/NetworkPolicy: .*the peer selects pods of "monitoring", which the app does not manage/);
    expect(() => app.synthYaml()).toThrow(/\[ZT421\] shop\/api\/AuthorizationPolicy: .*principal "cluster.local\/ns\/monitoring\/sa\/scraper" is not the identity/);
  });

  test('a look-alike peer (other labels, or no namespace) is not the end\'s and is still refused', () => {
    const { app, chart } = withForeignEnd();
    networkPolicy(chart, 'lookalike', 'shop', {
      podSelector: { matchLabels: { 'zero-trust.cdk8s.io/workload': 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'scraper', tier: 'x' } } }] }],
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT420\] shop\/lookalike: .*spec\.ingress\[0\]\.from\[0\]: the peer selects pods of "monitoring"/);
  });

  test('pods that stand for no registered end are refused by the proof: the flow is not the end\'s', () => {
    const { app, chart } = withForeignEnd(false);
    ZeroTrustRules.suppress(chart, 'ZT420', 'this test is about the proof');
    ZeroTrustRules.suppress(chart, 'ZT421', 'this test is about the proof');
    // The same pods, but from a construct that is not an end: the policies admit them and nothing declares it.
    new ApiObject(chart, 'scraper-pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scraper', namespace: 'monitoring', labels: { app: 'scraper' } },
      spec: { serviceAccountName: 'scraper', containers: [{ name: 'c', image: 'x' }] },
    });
    expect(() => app.synthYaml()).toThrow(
      /\[ZT416\] shop\/api: the ingress of shop\/api differs from the declared flows: it allows monitoring\/scraper -> shop\/api on 8080\/TCP, which no flow declares/);
  });

  test('two ends with one key are refused at once', () => {
    const { chart } = shop();
    new ForeignEnd(chart, 'one', 'scraper');
    expect(() => new ForeignEnd(chart, 'two', 'scraper')).toThrow(
      '[ZT204] shop/two: "monitoring/scraper" already names a flow end (shop/one). Give each service, gateway and platform peer of a namespace its own name: the name is its identity.');
  });

  test('a pod that two ends select is ambiguous, and the proof says so', () => {
    const { app, chart } = withForeignEnd();
    const twin = new ForeignEnd(chart, 'twin', 'twin');
    ZeroTrustGuard.flowGraph(chart).declare({ from: twin, to: chart.node.findChild('api') as MeshedService, ports: [8080] });
    expect(() => app.synthYaml()).toThrow(
      /\[ZT416\] shop\/scraper: pod monitoring\/scraper is selected by monitoring\/scraper and monitoring\/twin, so the flows it may take are ambiguous/);
  });
});
