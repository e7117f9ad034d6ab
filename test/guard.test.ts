import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshedService, MeshMode, ServicePort, ZeroTrustNamespace, ZeroTrustRules } from '../src';

function shop() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(8080)] });
  web.allowTo(api);
  return { app, chart, ns, web, api };
}

describe('the app-level guard', () => {
  test('a clean app synthesizes', () => {
    const { app } = shop();
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('a hand-written NetworkPolicy that opens a namespace fails the synth, naming rule, object and path', () => {
    const { app, chart } = shop();
    new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{}] }] },
    });
    expect(() => app.synthYaml()).toThrow(/\[ZT401\] shop\/open: NetworkPolicy shop\/open/);
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
    const open = new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{}] }] },
    });
    ZeroTrustRules.suppress(open, 'ZT401', 'the load balancer health checks come from everywhere');
    const objects = Testing.synth(chart);
    const np = objects.find(o => o.metadata.name === 'open');
    expect(np.metadata.annotations).toEqual({ 'zero-trust.cdk8s.io/suppress.ZT401': 'the load balancer health checks come from everywhere' });
  });

  test('objects outside managed namespaces are not checked', () => {
    const { app, chart } = shop();
    new ApiObject(chart, 'elsewhere', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'unmanaged' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{}] }] },
    });
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
      app.synth();
      const lines = warn.mock.calls.map(c => String(c[0]));
      expect(lines.filter(l => l.includes('[ZT501]'))).toHaveLength(3);
      expect(lines.every(l => l.startsWith('warning: [ZT501] '))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});
