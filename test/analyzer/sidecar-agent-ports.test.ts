import { Reachability } from '../../src';

const SECURITY = 'security.istio.io/v1';

/** shop runs sidecars under STRICT mTLS and an allow-nothing policy; mesh/ambient is ambient; monitoring is outside the mesh. */
function mesh(networkPolicies: any[] = []) {
  return Reachability.analyze({
    namespaces: [
      { name: 'shop', labels: { 'istio-injection': 'enabled' } },
      { name: 'payments', labels: { 'istio.io/dataplane-mode': 'ambient' } },
      { name: 'monitoring' },
    ],
    pods: [
      { namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 8080 }] },
      { namespace: 'payments', name: 'api', labels: { app: 'api' }, ports: [{ port: 9090 }] },
      { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } },
    ],
    manifests: [
      ...['shop', 'payments'].flatMap(namespace => [
        { apiVersion: SECURITY, kind: 'PeerAuthentication', metadata: { name: 'default', namespace }, spec: { mtls: { mode: 'STRICT' } } },
        { apiVersion: SECURITY, kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace }, spec: { action: 'ALLOW' } },
      ]),
      ...networkPolicies,
    ],
  });
}

describe('a sidecar\'s uncaptured ports', () => {
  test('every sidecar pod serves the merged metrics port 15020; ambient pods and pods outside the mesh do not', () => {
    const flows = mesh().allowedFlows().map(f => `${f.from} -> ${f.to} ${f.port}/${f.protocol}`);
    expect(flows).toEqual(['monitoring/prometheus -> shop/web 15020/TCP']);
  });

  test('an ambient client reaches them over HBONE through Envoy, whose authorization applies: allow-nothing refuses it', () => {
    const r = mesh();
    for (const port of [15020, 15021, 15090]) {
      expect(r.check({ from: 'payments/api', to: 'shop/web', port })).toEqual({ allowed: false, egress: true, ingress: true, authorization: false });
    }
  });

  test.each([15020, 15021, 15090])('no Istio policy applies to port %p: STRICT mTLS and allow-nothing do not refuse a plaintext client', port => {
    const explained = mesh().explain({ from: 'monitoring/prometheus', to: 'shop/web', port });
    expect(explained.authorization).toEqual({
      allowed: true,
      reasons: [`port ${port} of shop/web is served by its sidecar's agent or Envoy outside the inbound listener, as istio-iptables does not `
        + 'redirect it: no PeerAuthentication or AuthorizationPolicy applies, only NetworkPolicy'],
    });
  });

  test('the app ports stay under STRICT mTLS, and an ambient pod has no such ports', () => {
    const r = mesh();
    expect(r.check({ from: 'monitoring/prometheus', to: 'shop/web', port: 8080 }).authorization).toBe(false);
    expect(r.check({ from: 'monitoring/prometheus', to: 'payments/api', port: 15020 }).authorization).toBe(false);
    expect(r._verdicts('authorization', 'monitoring/prometheus', 'shop/web').filter(v => v.allowed)).toEqual([{ port: 15020, protocol: 'TCP', allowed: true }]);
  });

  test('NetworkPolicy alone decides who reaches them', () => {
    const r = mesh([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-all', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    }]);
    expect(r.check({ from: 'monitoring/prometheus', to: 'shop/web', port: 15020 })).toEqual({ allowed: false, egress: true, ingress: false, authorization: true });
    expect(r.allowedFlows().filter(f => f.to === 'shop/web')).toEqual([]);
  });
});
