import { withServicePorts } from '../../src/analyzer/_manifest-services';
import type { PodInput } from '../../src/analyzer/reachability-input';

const service = (spec: any, namespace = 'x', apiVersion = 'v1') => ({ apiVersion, kind: 'Service', metadata: { name: 's', namespace }, spec });
const POD: PodInput = { namespace: 'x', name: 'p', labels: { app: 'p', tier: 'db' }, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }] };

describe('withServicePorts', () => {
  test('adds the numeric target ports of the Services that select a pod, unnamed, with their protocol', () => {
    const [pod] = withServicePorts([service({ selector: { app: 'p' }, ports: [{ port: 80, targetPort: 9090 }, { port: 53, protocol: 'UDP' }] })], [POD]);
    expect(pod.ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'http' }, { port: 9090, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
  });

  test('leaves a pod alone when its ports already cover the targets, or when no Service selects it', () => {
    const manifests = [
      service({ selector: { app: 'p' }, ports: [{ port: 80, targetPort: 'http' }, { port: 8080 }] }),
      service({ selector: { app: 'p' }, ports: [{ port: 1 }] }, 'y'),
      service({ selector: { app: 'p', tier: 'web' }, ports: [{ port: 2 }] }),
      service({ ports: [{ port: 3 }] }),
      service({ selector: {}, ports: [{ port: 4 }] }),
      service({ type: 'ExternalName', externalName: 'db.example' }),
      service({ type: 'ExternalName', externalName: 'db.example', selector: { app: 'p' }, ports: [{ port: 5 }] }),
      service({ selector: { app: '' }, ports: [{ port: 6 }] }),
    ];
    expect(withServicePorts(manifests, [POD])).toEqual([POD]);
  });

  test.each([
    [service({}, 'x', 'v2'), 'Service x/s: unsupported apiVersion "v2" (expected v1)'],
    [service({ selector: { app: 'p' }, ports: [{ port: 80, protocol: 6 }] }), 'Service x/s: spec.ports[0].protocol: unsupported protocol 6'],
    [service({ selector: { app: 1 } }), 'Service x/s: spec.selector.app: expected a string'],
    [service({ selector: { app: 'p' }, ports: { port: 80 } }), 'Service x/s: spec.ports: expected a list'],
    [service({ selector: { app: 'p' }, ports: [80] }), 'Service x/s: spec.ports[0]: expected an object'],
    [service({ selector: { app: 'p' }, ports: [{ port: 80, protocol: 'ICMP' }] }), 'Service x/s: spec.ports[0].protocol: unsupported protocol "ICMP"'],
    [service({ selector: { app: 'p' }, ports: [{ name: 'http' }] }), 'Service x/s: spec.ports[0]: expected a port number from 1 to 65535 or a port name, got undefined'],
  ])('refuses %j', (m, message) => {
    expect(() => withServicePorts([m], [POD])).toThrow(message);
  });
});
