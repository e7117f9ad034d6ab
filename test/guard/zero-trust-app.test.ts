import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, JsonPatch, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AllowFlow, MeshedService, MeshMode, ServicePort, ZeroTrustApp, ZeroTrustNamespace, ZeroTrustRules } from '../../src';
import { registerRenderedCheck } from '../../src/guard/_rendered-checks';
import { cdk8sSynth, readTree, tempDir } from '../_util';

type AppClass = new (props: AppProps) => App;

/** Two namespaces with flows, cdk8s-plus objects, and (when `linked`) a chart dependency and nested charts. */
function cluster(AppType: AppClass, props: AppProps, linked: boolean): App {
  const app = new AppType(props);
  const base = new Chart(app, 'base');
  const payNs = new ZeroTrustNamespace(base, 'payments', { name: 'payments', mesh: MeshMode.AMBIENT });
  const api = new MeshedService(base, 'api', { namespace: payNs, name: 'api', ports: [ServicePort.grpc(9090), ServicePort.tcp(9091)], image: 'api:1' });

  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const shopNs = new ZeroTrustNamespace(shop, 'shop', { name: 'shop' });
  const web = new MeshedService(shop, 'web', { namespace: shopNs, name: 'web', ports: [ServicePort.http(8080)], image: 'web:1' });
  const cart = new MeshedService(shop, 'cart', { namespace: shopNs, name: 'cart', ports: [ServicePort.http(8080)] });
  new AllowFlow(shop, 'web-to-api', { from: web, to: api, ports: [9090] });
  web.allowTo(cart);
  cart.allowTo(api);
  // The suppression's annotation must be on the objects before they are rendered.
  ZeroTrustRules.suppress(cart, 'ZT411', 'cart is a fixture of the synth tests');

  const tools = new Chart(app, 'tools', { namespace: 'tools' });
  const a = new kplus.Deployment(tools, 'a', { containers: [{ image: 'a', portNumber: 80 }], metadata: { namespace: 'tools' } });
  const b = new kplus.Deployment(tools, 'b', { containers: [{ image: 'b', portNumber: 81 }], metadata: { namespace: 'tools' }, isolate: true });
  a.connections.allowTo(b);
  const config = new kplus.ConfigMap(tools, 'config', { data: { key: 'value' } });
  // cdk8s names a resource's file from the rendered name in one output type and from the construct's in another.
  new ApiObject(tools, 'patched', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'before' } })
    .addJsonPatch(JsonPatch.replace('/metadata/name', 'after'));

  // Constructs (and so cdk8s) order children with integer-like ids first, whatever the order they were added in.
  const numbered = new Chart(app, '7');
  new kplus.ConfigMap(numbered, 'config', { data: { numbered: 'yes' } });

  if (linked) {
    // An in-chart dependency reorders the chart's objects.
    a.node.addDependency(config);
    shop.addDependency(base);
    const platform = new Chart(app, 'platform');
    new ApiObject(platform, 'marker', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform' } });
    const monitoring = new Chart(platform, 'monitoring', { namespace: 'monitoring' });
    const agent = new kplus.ConfigMap(monitoring, 'agent', { data: { scrape: 'true' } });
    // A cross-chart construct dependency: every ApiObject of one side depends on every one of the other.
    agent.node.addDependency(payNs);
    // A chart declared earlier that depends on one declared later is synthesized after it.
    config.node.addDependency(platform);
  }
  return app;
}

const outputTypes = [
  YamlOutputType.FILE_PER_CHART,
  YamlOutputType.FILE_PER_APP,
  YamlOutputType.FILE_PER_RESOURCE,
  YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
];

function synthTree(AppType: AppClass, props: AppProps, linked: boolean, synth = (app: App) => app.synth()): Record<string, string> {
  const outdir = tempDir();
  synth(cluster(AppType, { ...props, outdir }, linked));
  return readTree(outdir);
}

describe('ZeroTrustApp', () => {
  describe.each([
    ['with a chart dependency and nested charts', true],
    ['with independent charts', false],
  ])('writes the same files as App, %s', (_, linked) => {
    test.each(outputTypes.map(t => [YamlOutputType[t], t] as const))('%s', (_name, yamlOutputType) => {
      const ours = synthTree(ZeroTrustApp, { yamlOutputType }, linked);
      const theirs = synthTree(App, { yamlOutputType }, linked, cdk8sSynth);
      expect(Object.keys(ours).length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
      // A plain App, which the zero-trust guard gives the same synth.
      expect(synthTree(App, { yamlOutputType }, linked)).toEqual(theirs);
    });

    test('construct metadata', () => {
      const ours = synthTree(ZeroTrustApp, { recordConstructMetadata: true }, linked);
      expect(ours['construct-metadata.json']).toBeDefined();
      expect(ours).toEqual(synthTree(App, { recordConstructMetadata: true }, linked, cdk8sSynth));
      expect(ours).toEqual(synthTree(App, { recordConstructMetadata: true }, linked));
    });

    test('synthYaml', () => {
      const ours = cluster(ZeroTrustApp, {}, linked).synthYaml();
      expect(ours).toContain('kind: AuthorizationPolicy');
      expect(ours).toEqual(App.prototype.synthYaml.call(cluster(App, {}, linked)));
      expect(ours).toEqual(cluster(App, {}, linked).synthYaml());
    });
  });

  test('names chart files with an index when charts depend on each other, plainly otherwise', () => {
    expect(Object.keys(synthTree(ZeroTrustApp, {}, true)).sort()).toEqual([
      '0000-7.k8s.yaml',
      '0001-base.k8s.yaml',
      '0002-shop.k8s.yaml',
      // Charts in dependency order: tools depends on platform, which depends on the chart nested in it.
      expect.stringMatching(/^0003-platform-monitoring-[0-9a-f]{8}\.k8s\.yaml$/),
      '0004-platform.k8s.yaml',
      '0005-tools.k8s.yaml',
    ]);
    expect(Object.keys(synthTree(ZeroTrustApp, {}, false)).sort()).toEqual(['7.k8s.yaml', 'base.k8s.yaml', 'shop.k8s.yaml', 'tools.k8s.yaml']);
  });

  test('writes no app file for an app without charts, like App', () => {
    const outdir = tempDir();
    new ZeroTrustApp({ outdir, yamlOutputType: YamlOutputType.FILE_PER_APP }).synth();
    expect(readTree(outdir)).toEqual({});
  });

  describe('validation', () => {
    function invalid(AppType: AppClass): App {
      const app = cluster(AppType, { outdir: tempDir() }, true);
      const shop = app.node.findChild('shop');
      shop.node.findChild('web').node.addValidation({ validate: () => ['web is wrong'] });
      app.node.findChild('tools').node.addValidation({ validate: () => ['tools is wrong', 'and so is this'] });
      return app;
    }
    const expected = 'Validation failed with the following errors:\n  [shop/web] web is wrong\n  [tools] tools is wrong\n  [tools] and so is this';

    test('reports every error once, in cdk8s\'s format, and writes nothing', () => {
      const app = invalid(ZeroTrustApp);
      expect(() => app.synth()).toThrow(new Error(expected));
      expect(readTree(app.outdir)).toEqual({});
      expect(() => cdk8sSynth(invalid(App))).toThrow(new Error(expected));
    });

    test('synthYaml reports the same errors', () => {
      expect(() => invalid(ZeroTrustApp).synthYaml()).toThrow(new Error(expected));
    });

    test('zero-trust rules fail the synth as they do under App', () => {
      const broken = (AppType: AppClass) => {
        const app = cluster(AppType, { outdir: tempDir() }, false);
        const shopNs = app.node.findChild('shop').node.findChild('shop') as ZeroTrustNamespace;
        shopNs.apiObject.addJsonPatch(JsonPatch.remove('/metadata/labels/istio-injection'));
        return app;
      };
      const message = /^Validation failed with the following errors:\n {2}\[zero-trust\] \[ZT409\] shop\/shop\/Namespace: /;
      expect(() => broken(ZeroTrustApp).synth()).toThrow(message);
      expect(() => broken(ZeroTrustApp).synthYaml()).toThrow(message);
      expect(() => cdk8sSynth(broken(App))).toThrow(message);
    });
  });

  describe('checks of rendered objects', () => {
    /** Records what it is given, and reports `errors`. */
    class RenderedCheck extends Construct {
      public readonly calls: Array<Array<{ manifest: any; path: string }>> = [];
      constructor(scope: Construct, id: string, private readonly errors: string[] = []) {
        super(scope, id);
        registerRenderedCheck(this);
      }
      public _validateRendered(objects: Array<{ manifest: any; path: string }>): string[] {
        this.calls.push(objects);
        return this.errors;
      }
    }

    test('run once per synth on every rendered object, which is also what is written', () => {
      const outdir = tempDir();
      const app = cluster(ZeroTrustApp, { outdir, yamlOutputType: YamlOutputType.FILE_PER_APP }, true);
      const check = new RenderedCheck(app.node.findChild('tools'), 'check');
      app.synth();
      expect(check.calls).toHaveLength(1);
      const apiObjects = app.node.findAll().filter(ApiObject.isApiObject);
      expect(check.calls[0].map(o => o.path).sort()).toEqual(apiObjects.map(o => o.node.path).sort());
      const written = fs.readFileSync(path.join(outdir, 'app.k8s.yaml'), 'utf8');
      expect(Yaml.stringify(...check.calls[0].map(o => o.manifest))).toEqual(written);
    });

    test('their errors fail synth and synthYaml in the format of validation errors, before anything is written', () => {
      const outdir = tempDir();
      const app = cluster(ZeroTrustApp, { outdir }, false);
      new RenderedCheck(app, 'check', ['first problem', 'second problem']);
      const expected = new Error('Validation failed with the following errors:\n  [check] first problem\n  [check] second problem');
      expect(() => app.synth()).toThrow(expected);
      expect(readTree(outdir)).toEqual({});
      expect(() => app.synthYaml()).toThrow(expected);
    });

    test('do not run when a validation fails first', () => {
      const app = cluster(ZeroTrustApp, { outdir: tempDir() }, false);
      const check = new RenderedCheck(app, 'check');
      check.node.addValidation({ validate: () => ['invalid'] });
      expect(() => app.synth()).toThrow(new Error('Validation failed with the following errors:\n  [check] invalid'));
      expect(check.calls).toHaveLength(0);
    });
  });

  describe('runs each validation once per synth', () => {
    function counted(AppType: AppClass) {
      const app = cluster(AppType, { outdir: tempDir() }, true);
      const validate = jest.fn(() => []);
      app.node.findChild('shop').node.findChild('cart').node.addValidation({ validate });
      return { app, validate };
    }

    test('synth', () => {
      const { app, validate } = counted(ZeroTrustApp);
      app.synth();
      expect(validate).toHaveBeenCalledTimes(1);
    });

    test('synthYaml', () => {
      const { app, validate } = counted(ZeroTrustApp);
      app.synthYaml();
      expect(validate).toHaveBeenCalledTimes(1);
    });

    test('and renders each object once, the zero-trust rules reading that render', () => {
      const app = cluster(ZeroTrustApp, { outdir: tempDir() }, true);
      const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
      try {
        app.synth();
        expect(toJson).toHaveBeenCalledTimes(app.node.findAll().filter(ApiObject.isApiObject).length);
      } finally {
        toJson.mockRestore();
      }
    });

    test('where cdk8s\'s own App.synth validates once more per chart', () => {
      const { app, validate } = counted(App);
      cdk8sSynth(app);
      expect(validate).toHaveBeenCalledTimes(1 + app.charts.length);
    });
  });
});
