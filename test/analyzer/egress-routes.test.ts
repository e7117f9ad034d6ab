// Reachability.hostFlows: the hosts the mesh routes through an egress gateway, read from ServiceEntries and TLSRoutes,
// and allowed only when the client reaches the gateway and the gateway admits it for the host's server name.
import { Chart, Testing } from 'cdk8s';
import { EgressGateway, ExternalPeer, MeshedService, Reachability, ServicePort, ZeroTrustNamespace } from '../../src';
import { egressRoutes } from '../../src/analyzer/_egress-routes';
import { podsFromManifests, namespacesFromManifests } from '../../src/analyzer/_manifest-pods';
import { synthAll } from '../_util';

function app() {
  const a = Testing.app();
  const chart = new Chart(a, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const payment = new MeshedService(chart, 'payment', { namespace: ns, name: 'payment', ports: [ServicePort.grpc(50051)] });
  const currency = new MeshedService(chart, 'currency', { namespace: ns, name: 'currency', ports: [ServicePort.grpc(7000)] });
  const egress = new EgressGateway(chart, 'egress', { namespace: ns, name: 'egress' });
  payment.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('203.0.113.0/24') }), { ports: [443] });
  currency.allowToExternal(ExternalPeer.host('www.ecb.europa.eu', { gateway: egress, addresses: ExternalPeer.cidr('198.51.100.0/24') }), { ports: [443] });
  return a;
}

/** The analysis of the app's manifests, changed by `edit` (pods from the manifests, as the command line reads them). */
function analyse(edit: (objects: any[]) => any[] = o => o): Reachability {
  const manifests = edit(synthAll(app()));
  const pods = [...podsFromManifests(manifests), ...['payment', 'currency'].map(name => ({
    namespace: 'shop', name, labels: { 'zero-trust.cdk8s.io/workload': name }, serviceAccount: name,
  }))];
  return Reachability.analyze({ pods, manifests, namespaces: namespacesFromManifests(manifests, pods) });
}

const named = (kind: string, name: string) => (o: any) => o.kind === kind && o.metadata.name === name;

describe('Reachability.hostFlows', () => {
  test('each client reaches its own host through the gateway, and nothing else', () => {
    expect(Reachability.ofApp(app()).hostFlows()).toEqual([
      { from: 'shop/currency', host: 'www.ecb.europa.eu', port: 443, via: 'shop/egress-istio' },
      { from: 'shop/payment', host: 'api.stripe.com', port: 443, via: 'shop/egress-istio' },
    ]);
  });

  test('an entry exported to another namespace only routes no client of this one', () => {
    const r = analyse(objects => objects.map(o => named('ServiceEntry', 'egress.api.stripe.com')(o) ? { ...o, spec: { ...o.spec, exportTo: ['other'] } } : o));
    expect(r.hostFlows().map(f => f.host)).toEqual(['www.ecb.europa.eu']);
  });

  test('without the route from the gateway to the host, or with it to another host, nothing gets out', () => {
    expect(analyse(objects => objects.filter(o => !named('TLSRoute', 'egress-out.api.stripe.com')(o))).hostFlows().map(f => f.host)).toEqual(['www.ecb.europa.eu']);
    const r = analyse(objects => objects.map(o => named('TLSRoute', 'egress-out.api.stripe.com')(o)
      ? { ...o, spec: { ...o.spec, rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'evil.example.com', port: 443 }] }] } } : o));
    expect(r.hostFlows().map(f => f.host)).toEqual(['www.ecb.europa.eu']);
  });

  test('a route to a Service that is not an Istio gateway is no egress route', () => {
    const objects = synthAll(app()).map(o => named('TLSRoute', 'egress-mesh.api.stripe.com')(o)
      ? { ...o, spec: { ...o.spec, rules: [{ backendRefs: [{ name: 'payment', port: 50051 }] }] } } : o);
    expect(egressRoutes(objects).map(r => r.host)).toEqual(['www.ecb.europa.eu']);
  });

  test('a client the gateway does not admit for the host gets no host flow', () => {
    const r = analyse(objects => objects.map(o => named('AuthorizationPolicy', 'egress')(o)
      ? { ...o, spec: { ...o.spec, rules: o.spec.rules.map((rule: any) => ({ ...rule, when: [{ key: 'connection.sni', values: ['other.example.com'] }] })) } } : o));
    expect(r.hostFlows()).toEqual([]);
  });

  test('a pod of the client\'s workload without a sidecar gets no host flow', () => {
    const objects = synthAll(app());
    const pods = [...podsFromManifests(objects), { namespace: 'shop', name: 'bare', labels: { 'zero-trust.cdk8s.io/workload': 'payment' }, serviceAccount: 'payment', meshed: false }];
    const r = Reachability.analyze({ pods, manifests: objects, namespaces: namespacesFromManifests(objects, pods) });
    expect(r.hostFlows().filter(f => f.from === 'shop/bare')).toEqual([]);
  });

  test('refuses an entry or route it cannot read', () => {
    const bad = synthAll(app()).map(o => named('ServiceEntry', 'egress.api.stripe.com')(o) ? { ...o, spec: { ...o.spec, exportTo: '*' } } : o);
    expect(() => egressRoutes(bad)).toThrow('ServiceEntry shop/egress.api.stripe.com: spec.exportTo: expected a list');
  });
});
