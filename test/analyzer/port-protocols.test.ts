import { opaquePorts, opaqueServicePort } from '../../src/analyzer/_port-protocols';

describe('Istio protocol selection', () => {
  test.each([
    ['http-web', undefined, false], ['grpc', undefined, false], ['http2-x', undefined, false], ['web', undefined, false],
    ['tcp-db', undefined, true], ['tls', undefined, true], ['https-web', undefined, true], ['mongo', undefined, true],
    ['web', 'tcp', true], ['tcp-x', 'http', false], ['x', 'kubernetes.io/h2c', false], ['x', 'GRPC', false], [undefined, undefined, false],
  ])('name %j, appProtocol %j: opaque %s', (name, appProtocol, expected) => {
    expect(opaqueServicePort(name, appProtocol)).toBe(expected);
  });

  test('the opaque ports of a pod come from the Services that select it, by number or container port name', () => {
    const service = (namespace: string, selector: any, ports: any[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace }, spec: { selector, ports } });
    const services = [
      service('shop', { app: 'db' }, [{ name: 'tcp-pg', port: 5432 }, { name: 'http', port: 80, targetPort: 8080 }]),
      service('shop', { app: 'db' }, [{ name: 'x', appProtocol: 'tls', port: 443, targetPort: 'secure' }]),
      service('other', { app: 'db' }, [{ name: 'tcp', port: 8080 }]),
      service('shop', { app: 'web' }, [{ name: 'tcp', port: 9090 }]),
    ];
    const ports = [{ port: 5432, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }, { port: 8443, protocol: 'TCP', name: 'secure' }];
    expect([...opaquePorts(services, 'shop', { app: 'db' }, ports)].sort()).toEqual([5432, 8443]);
  });
});
