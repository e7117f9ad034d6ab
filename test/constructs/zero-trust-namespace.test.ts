import { MeshMode, ZeroTrustNamespace } from '../../src';
import { find, kinds, newChart, synthAll } from '../_util';

const DNS_EGRESS = {
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
};

function synthNamespace(props: Partial<ConstructorParameters<typeof ZeroTrustNamespace>[2]> = {}) {
  const { app, chart } = newChart();
  const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', ...props });
  return { ns, objects: synthAll(app) };
}

describe('ZeroTrustNamespace', () => {
  test('sidecar mode (default): namespace, deny-all, DNS, istiod, STRICT mTLS, allow-nothing', () => {
    const { ns, objects } = synthNamespace();
    expect(ns.mesh).toBe(MeshMode.SIDECAR);
    expect(ns.trustDomain).toBe('cluster.local');
    expect(kinds(objects)).toEqual([
      'AuthorizationPolicy shop/zt-allow-nothing',
      'Namespace shop',
      'NetworkPolicy shop/zt-allow-dns',
      'NetworkPolicy shop/zt-allow-istiod',
      'NetworkPolicy shop/zt-deny-all',
      'PeerAuthentication shop/default',
    ]);
    expect(find(objects, 'Namespace', undefined, 'shop').metadata.labels).toEqual({ 'istio-injection': 'enabled' });

    const denyAll = find(objects, 'NetworkPolicy', 'shop', 'zt-deny-all');
    expect(denyAll.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    const dns = find(objects, 'NetworkPolicy', 'shop', 'zt-allow-dns');
    expect(dns.spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [DNS_EGRESS] });

    const istiod = find(objects, 'NetworkPolicy', 'shop', 'zt-allow-istiod');
    expect(istiod.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
          podSelector: { matchLabels: { app: 'istiod' } },
        }],
        ports: [{ port: 15012, protocol: 'TCP' }],
      }],
    });

    const pa = find(objects, 'PeerAuthentication', 'shop', 'default');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });

    const allowNothing = find(objects, 'AuthorizationPolicy', 'shop', 'zt-allow-nothing');
    expect(allowNothing.apiVersion).toBe('security.istio.io/v1');
    expect(allowNothing.spec).toEqual({});
  });

  test('ambient mode: dataplane label, no istiod egress, kubelet probes admitted', () => {
    const { objects } = synthNamespace({ mesh: MeshMode.AMBIENT });
    expect(find(objects, 'Namespace', undefined, 'shop').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(kinds(objects)).not.toContain('NetworkPolicy shop/zt-allow-istiod');
    expect(find(objects, 'NetworkPolicy', 'shop', 'zt-allow-kubelet-probes').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }],
    });
    expect(find(objects, 'PeerAuthentication', 'shop', 'default').spec.mtls.mode).toBe('STRICT');
  });

  test('no mesh: no mesh label and no Istio objects', () => {
    const { objects } = synthNamespace({ mesh: MeshMode.NONE });
    expect(find(objects, 'Namespace', undefined, 'shop').metadata.labels ?? {}).toEqual({});
    expect(kinds(objects)).toEqual(['Namespace shop', 'NetworkPolicy shop/zt-allow-dns', 'NetworkPolicy shop/zt-deny-all']);
  });

  test('allowDns: false drops the DNS egress', () => {
    const { objects } = synthNamespace({ allowDns: false });
    expect(kinds(objects)).not.toContain('NetworkPolicy shop/zt-allow-dns');
    expect(kinds(objects)).toContain('NetworkPolicy shop/zt-deny-all');
  });

  test('extra labels are kept beside the mesh label', () => {
    const { objects } = synthNamespace({ labels: { team: 'checkout' } });
    expect(find(objects, 'Namespace', undefined, 'shop').metadata.labels).toEqual({ 'istio-injection': 'enabled', 'team': 'checkout' });
  });

  test.each([
    ['Shop', /^\[ZT201\] test\/shop: namespace name "Shop" is not a DNS-1123 label/],
    ['a'.repeat(64), /^\[ZT201\] test\/shop: namespace name "a{64}" is 64 characters long, over the limit of 63/],
  ])('refuses namespace name %p', (name, message) => {
    const { chart } = newChart();
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name })).toThrow(message);
  });

  test('refuses a trust domain with a scheme', () => {
    const { chart } = newChart();
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', trustDomain: 'spiffe://example.org' }))
      .toThrow(/^\[ZT201\] test\/shop: trust domain "spiffe:\/\/example.org" is not a DNS name\. Give the bare trust domain/);
  });

  test.each([
    [{ 'bad key!': 'x' }, /\[ZT203\] test\/shop: label key "bad key!" is not a qualified name/],
    [{ team: 'not valid' }, /\[ZT203\] test\/shop: label "team" has value "not valid"/],
    [{ 'istio-injection': 'disabled' }, /\[ZT203\] test\/shop: label "istio-injection" is set by the library\. Choose the mesh with the `mesh` prop/],
    [{ 'kubernetes.io/metadata.name': 'other' }, /\[ZT203\] test\/shop: label "kubernetes.io\/metadata.name" is set by the library/],
  ])('refuses label %p', (labels, message) => {
    const { chart } = newChart();
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', labels })).toThrow(message);
  });
});
