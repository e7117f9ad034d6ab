import { MERGED_METRICS_PORT, SIDECAR_UNCAPTURED_PORTS, outsideIstioAuthorization } from '../../src/model/_sidecar-ports';

describe('a sidecar\'s uncaptured ports', () => {
  test('are the ports istio-iptables does not redirect inbound: 15020, 15021, 15090', () => {
    expect(MERGED_METRICS_PORT).toBe(15020);
    expect(SIDECAR_UNCAPTURED_PORTS).toEqual([15020, 15021, 15090]);
  });

  test('are outside Istio authorization for TCP to a sidecar pod only, from a client whose connection is not tunnelled', () => {
    for (const client of ['sidecar', undefined]) {
      expect(outsideIstioAuthorization('sidecar', 15020, 'TCP', client)).toBe(true);
      expect(outsideIstioAuthorization('sidecar', 15090, 'TCP', client)).toBe(true);
      expect(outsideIstioAuthorization('sidecar', 15020, 'UDP', client)).toBe(false);
      expect(outsideIstioAuthorization('sidecar', 15008, 'TCP', client)).toBe(false);
      expect(outsideIstioAuthorization('sidecar', 8080, 'TCP', client)).toBe(false);
      expect(outsideIstioAuthorization('ambient', 15020, 'TCP', client)).toBe(false);
      expect(outsideIstioAuthorization(undefined, 15020, 'TCP', client)).toBe(false);
    }
  });

  test('are inside Istio authorization when an ambient client\'s connection arrives over HBONE, through Envoy', () => {
    for (const port of SIDECAR_UNCAPTURED_PORTS) expect(outsideIstioAuthorization('sidecar', port, 'TCP', 'ambient')).toBe(false);
  });
});
