import { MERGED_METRICS_PORT, SIDECAR_UNCAPTURED_PORTS, outsideIstioAuthorization } from '../../src/model/_sidecar-ports';

describe('a sidecar\'s uncaptured ports', () => {
  test('are the ports istio-iptables does not redirect inbound: 15020, 15021, 15090', () => {
    expect(MERGED_METRICS_PORT).toBe(15020);
    expect(SIDECAR_UNCAPTURED_PORTS).toEqual([15020, 15021, 15090]);
  });

  test('are outside Istio authorization for TCP to a sidecar pod only', () => {
    expect(outsideIstioAuthorization('sidecar', 15020)).toBe(true);
    expect(outsideIstioAuthorization('sidecar', 15090, 'TCP')).toBe(true);
    expect(outsideIstioAuthorization('sidecar', 15020, 'UDP')).toBe(false);
    expect(outsideIstioAuthorization('sidecar', 15008)).toBe(false);
    expect(outsideIstioAuthorization('sidecar', 8080)).toBe(false);
    expect(outsideIstioAuthorization('ambient', 15020)).toBe(false);
    expect(outsideIstioAuthorization(undefined, 15020)).toBe(false);
  });
});
