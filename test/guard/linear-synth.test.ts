// A plain App given the linear synth by the zero-trust guard: one validation and one proof per synth, the same
// bytes as cdk8s's own synth, and checks that still run wherever no linear synth follows the validation.
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { bookinfo } from '../../examples/bookinfo';
import { seed } from '../../examples/seed';
import { MeshedService, MeshMode, Reachability, ServicePort, ZeroTrustApp, ZeroTrustNamespace } from '../../src';
import { cdk8sSynth, readTree, tempDir } from '../_util';

/** Namespace shop with services web and api, web -> api declared unless `flow` is false, in a plain App. */
function shop(app: App = new App({ outdir: tempDir() }), flow = true) {
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)] });
  if (flow) web.allowTo(api);
  return { app, chart, web, api };
}

/** A hand-written NetworkPolicy that opens every pod of namespace shop to everyone. */
function openPolicy(chart: Chart): ApiObject {
  return new ApiObject(chart, 'open', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
  });
}


describe('a plain App with zero-trust constructs', () => {
  let analyze: jest.SpiedFunction<typeof Reachability.analyze>;
  beforeEach(() => {
    analyze = jest.spyOn(Reachability, 'analyze');
  });
  afterEach(() => analyze.mockRestore());

  test.each([
    ['synth', (app: App) => app.synth()],
    ['synthYaml', (app: App) => app.synthYaml()],
  ])('%s validates once and proves once, however many charts', (_, synth) => {
    const { app } = shop();
    for (const name of ['a', 'b', 'c']) new ZeroTrustNamespace(new Chart(app, name), 'ns', { name });
    const validate = jest.fn(() => []);
    app.node.findChild('a').node.addValidation({ validate });
    synth(app);
    expect(validate).toHaveBeenCalledTimes(1);
    expect(analyze).toHaveBeenCalledTimes(1);
  });

  test('a hostile object added after a synth fails the next synth', () => {
    const { app, chart } = shop();
    app.synth();
    openPolicy(chart);
    expect(() => app.synth()).toThrow(/\[zero-trust\] \[ZT403\] shop\/open: /);
    expect(analyze).toHaveBeenCalledTimes(2);
  });

  test('a flow added after a synth is proven by the next synth', () => {
    const { app, chart, web, api } = shop(undefined, false);
    // A DENY on api's port refuses nothing declared yet.
    new ApiObject(chart, 'deny', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] },
    });
    app.synth();
    web.allowTo(api);
    expect(() => app.synth()).toThrow(
      /\[ZT416\] shop\/api: the authorization of shop\/api differs from the declared flows: it refuses shop\/web -> shop\/api on 8080\/TCP, which a declared flow needs/);
  });

  test.each([
    ['App', (outdir: string) => new App({ outdir })],
    ['ZeroTrustApp', (outdir: string) => new ZeroTrustApp({ outdir })],
  ])('under a %s, Testing.synth(chart) and chart.toJson() run the checks', (_, newApp) => {
    const { chart } = shop(newApp(tempDir()));
    expect(Testing.synth(chart)).toHaveLength(16);
    expect(analyze).toHaveBeenCalledTimes(1);
    openPolicy(chart);
    expect(() => Testing.synth(chart)).toThrow(/\[ZT403\] shop\/open: /);
    expect(() => chart.toJson()).toThrow(/\[ZT403\] shop\/open: /);
  });

  test('prints each warning once', () => {
    const app = new App({ outdir: tempDir() });
    for (const name of ['a', 'b', 'c']) new ZeroTrustNamespace(new Chart(app, name), 'ns', { name, mesh: MeshMode.NONE });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      app.synth();
      app.synth();
      expect(warn.mock.calls.map(c => String(c[0])).filter(l => l.startsWith('warning: [ZT501] '))).toHaveLength(3);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the linear synth is given', () => {
  test.each([
    ['seed', seed],
    ['bookinfo', bookinfo],
  ])('to a plain App, which writes the bytes cdk8s\'s own synth writes for example %s', (_, build) => {
    for (const yamlOutputType of [YamlOutputType.FILE_PER_CHART, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE]) {
      const [ours, theirs] = [new App({ outdir: tempDir(), yamlOutputType }), new App({ outdir: tempDir(), yamlOutputType })];
      build(ours);
      build(theirs);
      ours.synth();
      cdk8sSynth(theirs);
      expect(Object.keys(readTree(ours.outdir)).length).toBeGreaterThan(0);
      expect(readTree(ours.outdir)).toEqual(readTree(theirs.outdir));
    }
  });

  test('not to a subclass of App, whose synth may read what the subclass changes', () => {
    class MyApp extends App {}
    const { app } = shop(new MyApp({ outdir: tempDir() }));
    const validate = jest.fn(() => []);
    app.node.findChild('shop').node.addValidation({ validate });
    app.synth();
    expect(validate).toHaveBeenCalledTimes(2);
  });

  test('not to an App whose synth the user set before the first zero-trust construct', () => {
    const app = new App({ outdir: tempDir() });
    const synth = jest.fn();
    app.synth = synth;
    shop(app);
    app.synth();
    expect(synth).toHaveBeenCalledTimes(1);
  });

  test('with the first zero-trust construct, not before', () => {
    const app = new App({ outdir: tempDir() });
    expect(Object.prototype.hasOwnProperty.call(app, 'synth')).toBe(false);
    shop(app);
    expect(Object.prototype.hasOwnProperty.call(app, 'synth')).toBe(true);
  });
});
