import { manifestId, namespacesFromManifests, podsFromManifests } from '../../src/analyzer/_manifest-pods';

const template = (labels: any, spec: any = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }], ...spec } });

describe('podsFromManifests', () => {
  test('one pod per workload kind, named after the workload, with template labels, service account and ports', () => {
    const pods = podsFromManifests([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { template: template({ app: 'd' }, { serviceAccountName: 'sa-d' }) } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'x' }, spec: { template: template({ app: 's' }) } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'x' }, spec: { template: template({ app: 'ds' }) } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'x' }, spec: { template: template({ app: 'rs' }) } },
      { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'x' }, spec: { selector: { app: 'rc' }, template: template({ app: 'rc', track: 'a' }) } },
      { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc2', namespace: 'x' }, spec: { selector: {}, template: template({ app: 'rc2' }) } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: template({ app: 'j' }) } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'y' }, spec: { jobTemplate: { spec: { template: template({ app: 'cj' }) } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ignored' }, spec: {} },
    ]);
    expect(pods.map(p => `${p.namespace}/${p.name} ${JSON.stringify(p.labels)} ${p.serviceAccount}`)).toEqual([
      'x/d {"app":"d"} sa-d',
      'x/s {"app":"s"} default',
      'x/ds {"app":"ds"} default',
      'x/rs {"app":"rs"} default',
      'x/rc {"app":"rc","track":"a"} default',
      'x/rc2 {"app":"rc2"} default',
      'default/j {"app":"j"} default',
      'y/cj {"app":"cj"} default',
    ]);
    expect(pods[0].ports).toEqual([{ port: 80, protocol: 'TCP', name: 'http' }]);
  });

  test('a Pod gives its own labels, ports of every container and native sidecar, and its status.podIP', () => {
    const [pod] = podsFromManifests([{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'x', labels: { app: 'p' } },
      spec: {
        serviceAccount: 'legacy-sa',
        containers: [{ name: 'a', ports: [{ containerPort: 53, protocol: 'UDP' }] }, { name: 'b' }],
        initContainers: [{ name: 'init', ports: [{ containerPort: 1 }] }, { name: 'side', restartPolicy: 'Always', ports: [{ containerPort: 15000, name: 'admin' }] }],
      },
      status: { podIP: '10.1.2.3' },
    }]);
    expect(pod).toEqual({
      namespace: 'x',
      name: 'p',
      labels: { app: 'p' },
      serviceAccount: 'legacy-sa',
      ip: '10.1.2.3',
      ports: [{ port: 53, protocol: 'UDP' }, { port: 15000, protocol: 'TCP', name: 'admin' }],
    });
  });

  test.each([
    [{ apiVersion: 'apps/v1beta2', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' } }, 'Deployment x/d: unsupported apiVersion "apps/v1beta2" (expected apps/v1)'],
    [{ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'c' } }, 'CronJob default/c: unsupported apiVersion "batch/v1beta1" (expected batch/v1)'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'x' }, spec: { template: template({}) } }, 'Deployment x/undefined: metadata.name is required'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }, 'Deployment default/d: no pod template spec'],
    [{ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { selector: { app: 'other' }, template: template({ app: 'r' }) } },
      'ReplicationController default/r: spec.selector: does not match the template labels'],
    [{ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { selector: {}, template: template({}) } },
      'ReplicationController default/r: spec.selector: required, and the template has no labels to default it to'],
    [{ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { template: { spec: {} } } },
      'ReplicationController default/r: spec.selector: required, and the template has no labels to default it to'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [null] } } } },
      'Deployment default/d: spec.template.spec.containers[0]: expected an object'],
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }, null] }] } },
      'Pod default/p: spec.containers[0].ports[1]: expected an object'],
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: { name: 'c' } } }, 'Pod default/p: spec.containers: expected a list'],
    [{ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { selector: 'app=r', template: template({ app: 'r' }) } },
      'ReplicationController default/r: spec.selector: expected a map of strings'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { initContainers: [{ restartPolicy: 'Always', ports: [{}] }] } } } },
      'Deployment default/d: spec.template.spec.initContainers[0].ports[0]: containerPort is required'],
  ])('rejects %j', (manifest, message) => {
    expect(() => podsFromManifests([manifest])).toThrow(message);
  });
});

describe('namespacesFromManifests', () => {
  test('Namespace objects with labels, plus namespaces of pods and policies, sorted', () => {
    const manifests = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', labels: { team: 't' } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: {} },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'istio-system' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ignored' } },
    ];
    expect(namespacesFromManifests(manifests, [{ namespace: 'a', name: 'x' }, { namespace: 'b', name: 'y' }])).toEqual([
      { name: 'a' }, { name: 'b', labels: { team: 't' } }, { name: 'default' }, { name: 'istio-system' },
    ]);
  });

  test('rejects an unknown Namespace apiVersion', () => {
    expect(() => namespacesFromManifests([{ apiVersion: 'v2', kind: 'Namespace', metadata: { name: 'n' } }], []))
      .toThrow('Namespace n: unsupported apiVersion "v2" (expected v1)');
  });
});

test('manifestId defaults the namespace', () => {
  expect(manifestId({ metadata: { name: 'n' } })).toBe('default/n');
  expect(manifestId({ metadata: { name: 'n', namespace: 'x' } })).toBe('x/n');
});
