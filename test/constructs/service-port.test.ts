import { AppProtocol, ServicePort } from '../../src';

describe('ServicePort', () => {
  test.each([
    ['tcp', ServicePort.tcp(5432), AppProtocol.TCP, 'tcp-5432'],
    ['http', ServicePort.http(8080), AppProtocol.HTTP, 'http-8080'],
    ['grpc', ServicePort.grpc(9090), AppProtocol.GRPC, 'grpc-9090'],
  ])('%s factory sets protocol and the Istio-style default name', (_, port, protocol, name) => {
    expect(port.protocol).toBe(protocol);
    expect(port.name).toBe(name);
  });

  test('keeps a given name', () => {
    expect(ServicePort.http(80, 'http-web').name).toBe('http-web');
  });

  test.each([0, -1, 65536, 1.5, NaN])('refuses port %p with ZT301', (port) => {
    expect(() => ServicePort.tcp(port)).toThrow(/^\[ZT301\] ServicePort.tcp: port .* is outside 1-65535\. Use a whole number from 1 to 65535\.$/);
  });

  test('accepts the range ends', () => {
    expect(ServicePort.tcp(1).port).toBe(1);
    expect(ServicePort.tcp(65535).port).toBe(65535);
  });

  test.each([
    ['Http', /is not an IANA service name/],
    ['a-very-long-port-name', /is 21 characters long, over the limit of 15/],
    ['123', /has no letter/],
    ['http--x', /is not an IANA service name/],
    ['-http', /is not an IANA service name/],
  ])('refuses port name %p with ZT303', (name, message) => {
    expect(() => ServicePort.http(80, name)).toThrow(/^\[ZT303\] ServicePort.http\(80\): port name/);
    expect(() => ServicePort.http(80, name)).toThrow(message);
  });
});
