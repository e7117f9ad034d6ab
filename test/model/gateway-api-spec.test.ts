// Every object an IngressGateway emits, in both mesh modes, is valid: Gateway API kinds against their CRD's OpenAPI
// schema and CEL rules from ../shared/gateway-api/crds.yaml, Istio and Kubernetes kinds as ever (each bundle skipped,
// with a notice, without it). Also the hostname helpers of the spec.
import { ExternalPeer, GatewayListener, IngressGateway, MeshedService, MeshMode, RoutePath, ServicePort, ZeroTrustNamespace } from '../../src';
import { gatewayHostnameProblem, hostnameWithin } from '../../src/model/_gateway-api-spec';
import { GATEWAY_API_CRDS_PATH, gatewayApiCrdsAvailable, istioCrdsAvailable, validateManifests } from '../_schema';
import { newChart, synthAll } from '../_util';

function gatewayApp() {
  const { app, chart } = newChart();
  for (const mesh of [MeshMode.SIDECAR, MeshMode.AMBIENT]) {
    const edge = new ZeroTrustNamespace(chart, `edge-${mesh}`, { name: `edge-${mesh}` });
    const shop = new ZeroTrustNamespace(chart, `shop-${mesh}`, { name: `shop-${mesh}`, mesh });
    const web = new MeshedService(chart, `web-${mesh}`, { namespace: shop, name: 'web', ports: [ServicePort.http(8080), ServicePort.grpc(9090)] });
    const gw = new IngressGateway(chart, `gw-${mesh}`, {
      namespace: edge,
      name: 'public',
      listeners: [GatewayListener.http(), GatewayListener.https({ hostname: '*.example.com', certificates: ['shop-tls', 'shop-ecdsa'] }), GatewayListener.http({ port: 8081 })],
      sources: [ExternalPeer.cidr('203.0.113.0/24', ['203.0.113.0/28']), ExternalPeer.cidr('2001:db8::/32')],
    });
    gw.route(web, { port: 8080, hostnames: ['shop.example.com'], paths: [RoutePath.prefix('/api'), RoutePath.exact('/')], listeners: ['http', 'https'] });
    gw.route(web, { port: 9090, listeners: ['https'] });
  }
  return synthAll(app);
}

describe('emitted gateway objects are structurally valid', () => {
  const objects = gatewayApp();
  const report = validateManifests(objects);
  if (!gatewayApiCrdsAvailable()) {
    console.warn(`SKIPPED: Gateway API schema and CEL checks: the CRD bundle is not at ${GATEWAY_API_CRDS_PATH}`);
  }

  test('the app emits every Gateway API kind we generate', () => {
    expect([...new Set(objects.filter(o => o.apiVersion.startsWith('gateway.networking.k8s.io/')).map(o => o.kind))].sort()).toEqual(['GRPCRoute', 'Gateway', 'HTTPRoute']);
  });

  test('no schema or CEL error', () => {
    expect(report.errors).toEqual([]);
  });

  (gatewayApiCrdsAvailable() && istioCrdsAvailable() ? test : test.skip)('Gateway API kinds were checked, with no CEL rule left unevaluated', () => {
    expect(report.skipped).toEqual([]);
  });
});

describe('hostnames', () => {
  test.each([
    ['shop.example.com', undefined],
    ['*.example.com', undefined],
    ['Shop.example.com', 'hostname "Shop.example.com" is not a lowercase DNS name, optionally starting with "*."'],
    ['a.*.example.com', 'hostname "a.*.example.com" is not a lowercase DNS name, optionally starting with "*."'],
    ['192.0.2.1', 'hostname "192.0.2.1" is an IP address, which Gateway API hostnames cannot be'],
    [`${'a'.repeat(250)}.com`, `hostname "${'a'.repeat(250)}.com" is 254 characters long, over the limit of 253`],
  ])('%p: %p', (hostname, problem) => {
    expect(gatewayHostnameProblem(hostname)).toBe(problem);
  });

  test.each([
    ['shop.example.com', 'shop.example.com', true],
    ['shop.example.com', '*.example.com', true],
    ['a.shop.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['*.shop.example.com', '*.example.com', true],
    ['*.example.com', 'shop.example.com', true],
    ['*.example.org', 'shop.example.com', false],
    ['other.example.com', 'shop.example.com', false],
  ])('route %p under listener %p: %p', (route, listener, within) => {
    expect(hostnameWithin(route, listener)).toBe(within);
  });
});
