import { App, Chart, Testing } from 'cdk8s';
import { ExternalPeer, MeshedService, Reachability, ServicePort, ZeroTrustNamespace, ZeroTrustRules } from '../../src';
import { find, synthAll } from '../_util';

function shop() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop');
  const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
  const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
  return { app, chart, web };
}

describe('ExternalPeer', () => {
  test('cidr keeps the block and its sorted exceptions', () => {
    const peer = ExternalPeer.cidr('10.0.0.0/8', ['10.2.0.0/16', '10.1.0.0/16']);
    expect(peer.cidrs).toEqual(['10.0.0.0/8']);
    expect(peer._ipBlocks).toEqual([{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] }]);
    expect(ExternalPeer.cidr('2001:db8::/32')._ipBlocks).toEqual([{ cidr: '2001:db8::/32' }]);
  });

  test.each([
    ['not-a-cidr', [], /^\[ZT108\] ExternalPeer.cidr\(not-a-cidr\): "not-a-cidr" is not a CIDR block\. Give an address and a prefix length/],
    ['203.0.113.7', [], /is not a CIDR block/],
    ['0.0.0.0/0', [], /^\[ZT108\] ExternalPeer.cidr\(0.0.0.0\/0\): "0.0.0.0\/0" is every address\. Name the range you need, or use ExternalPeer.anyAddressUnsafe\(\)/],
    ['::/0', [], /is every address/],
    ['10.0.0.0/8', ['11.0.0.0/16'], /^\[ZT108\] ExternalPeer.cidr\(10.0.0.0\/8\): except "11.0.0.0\/16" is not a smaller block inside 10.0.0.0\/8/],
    ['10.0.0.0/8', ['10.0.0.0/8'], /is not a smaller block inside/],
  ])('refuses %p except %p', (cidr, except, message) => {
    expect(() => ExternalPeer.cidr(cidr, except)).toThrow(message);
  });
});

describe('MeshedService.allowToExternal', () => {
  test('adds one egress ipBlock rule per peer, ports merged and sorted; ingress is untouched', () => {
    const { app, web } = shop();
    web.allowToExternal(ExternalPeer.cidr('203.0.113.0/24'), { ports: [443] });
    web.allowToExternal(ExternalPeer.cidr('198.51.100.0/24'), { ports: [5432] });
    web.allowToExternal(ExternalPeer.cidr('203.0.113.0/24'), { ports: [80, 443] });
    const np = find(synthAll(app), 'NetworkPolicy', 'shop', 'web').spec;
    expect(np.ingress).toEqual([]);
    expect(np.egress).toEqual([
      { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
    ]);
  });

  test('the analyzer reads the flow back: allowed to the block on its ports, refused elsewhere', () => {
    const { app, web } = shop();
    web.allowToExternal(ExternalPeer.cidr('203.0.113.0/24', ['203.0.113.128/25']), { ports: [443] });
    expect(() => app.synthYaml()).not.toThrow();
    const r = Reachability.ofApp(app);
    expect(r.check({ from: 'shop/web', to: '203.0.113.5', port: 443 }).egress).toBe(true);
    expect(r.check({ from: 'shop/web', to: '203.0.113.200', port: 443 }).egress).toBe(false);
    expect(r.check({ from: 'shop/web', to: '203.0.113.5', port: 80 }).egress).toBe(false);
    expect(r.check({ from: 'shop/web', to: '198.51.100.1', port: 443 }).egress).toBe(false);
  });

  test('every address fails the synth with ZT403 unless suppressed with a reason, which lands on the policy', () => {
    const { app, chart, web } = shop();
    web.allowToExternal(ExternalPeer.anyAddressUnsafe(), { ports: [443] });
    expect(() => app.synthYaml()).toThrow(/\[ZT403\] shop\/web\/NetworkPolicy: NetworkPolicy shop\/web, spec.egress\[0\]/);
    ZeroTrustRules.suppress(web, 'ZT403', 'web calls payment providers whose addresses change daily');
    const np = find(Testing.synth(chart), 'NetworkPolicy', 'shop', 'web');
    expect(np.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    expect(np.metadata.annotations).toEqual({ 'zero-trust.cdk8s.io/suppress.ZT403': 'web calls payment providers whose addresses change daily' });
  });

  test.each([
    [[], /^\[ZT105\] shop\/web.allowToExternal\(203.0.113.0\/24\): the flow has no ports/],
    [[0], /^\[ZT301\] shop\/web.allowToExternal\(203.0.113.0\/24\): port 0 is outside 1-65535/],
  ])('refuses ports %p', (ports, message) => {
    const { web } = shop();
    expect(() => web.allowToExternal(ExternalPeer.cidr('203.0.113.0/24'), { ports })).toThrow(message);
  });

  test('works in a plain App as well', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'c' });
    new MeshedService(chart, 's', { namespace: ns, name: 's', ports: [ServicePort.tcp(1)] })
      .allowToExternal(ExternalPeer.cidr('192.0.2.0/24'), { ports: [22] });
    expect(app.synthYaml()).toContain('cidr: 192.0.2.0/24');
  });
});
