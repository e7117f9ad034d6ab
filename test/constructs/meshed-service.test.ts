import { ApiObject, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AllowFlow, MeshedService, MeshMode, ServicePort, ZeroTrustNamespace } from '../../src';
import { find, kinds, newChart, synthAll } from '../_util';

const SELECTOR = { 'zero-trust.cdk8s.io/workload': 'web' };

function setup(mesh = MeshMode.SIDECAR) {
  const { app, chart } = newChart();
  const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh });
  return { app, chart, ns };
}

describe('MeshedService', () => {
  test('identity: ServiceAccount name, SPIFFE id, principal, selector', () => {
    const { chart } = setup();
    const ns = new ZeroTrustNamespace(chart, 'pay', { name: 'payments', trustDomain: 'example.org' });
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.grpc(9090)] });
    expect(api.serviceAccountName).toBe('api');
    expect(api.spiffeId).toBe('spiffe://example.org/ns/payments/sa/api');
    expect(api.principal).toBe('example.org/ns/payments/sa/api');
    expect(api.selector).toEqual({ 'zero-trust.cdk8s.io/workload': 'api' });
  });

  test('emits ServiceAccount, Service, NetworkPolicy, DestinationRule and AuthorizationPolicy', () => {
    const { app, chart, ns } = setup();
    new MeshedService(chart, 'web', {
      namespace: ns, name: 'web', ports: [ServicePort.http(8080), ServicePort.grpc(9090, 'grpc-api'), ServicePort.tcp(9091)],
    });
    const objects = synthAll(app).filter(o => o.metadata.name === 'web');
    expect(kinds(objects)).toEqual([
      'AuthorizationPolicy shop/web', 'DestinationRule shop/web', 'NetworkPolicy shop/web', 'Service shop/web', 'ServiceAccount shop/web',
    ]);

    const sa = find(objects, 'ServiceAccount', 'shop', 'web');
    expect(sa.automountServiceAccountToken).toBe(false);

    const svc = find(objects, 'Service', 'shop', 'web');
    expect(svc.spec.selector).toEqual(SELECTOR);
    expect(svc.spec.ports).toEqual([
      { name: 'http-8080', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
      { name: 'grpc-api', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'grpc' },
      { name: 'tcp-9091', port: 9091, targetPort: 9091, protocol: 'TCP', appProtocol: 'tcp' },
    ]);

    const dr = find(objects, 'DestinationRule', 'shop', 'web');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.spec).toEqual({ host: 'web.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });

    // With no flow declared, the workload is isolated both ways and its ALLOW policy admits nothing.
    const np = find(objects, 'NetworkPolicy', 'shop', 'web');
    expect(np.spec).toEqual({ podSelector: { matchLabels: SELECTOR }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    const ap = find(objects, 'AuthorizationPolicy', 'shop', 'web');
    expect(ap.apiVersion).toBe('security.istio.io/v1');
    expect(ap.spec).toEqual({ selector: { matchLabels: SELECTOR }, action: 'ALLOW' });
  });

  test('outside the mesh: no DestinationRule and no AuthorizationPolicy', () => {
    const { app, chart, ns } = setup(MeshMode.NONE);
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
    expect(web.authorizationPolicy).toBeUndefined();
    expect(kinds(synthAll(app).filter(o => o.metadata.name === 'web'))).toEqual(['NetworkPolicy shop/web', 'Service shop/web', 'ServiceAccount shop/web']);
  });

  test('image: a cdk8s-plus Deployment running as the service identity with its labels', () => {
    const { app, chart, ns } = setup();
    new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)], image: 'nginx:1.27', replicas: 3, labels: { team: 'shop' } });
    const deploy = find(synthAll(app), 'Deployment', 'shop', 'web');
    expect(deploy.spec.replicas).toBe(3);
    expect(deploy.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(deploy.spec.template.metadata.labels).toMatchObject({ ...SELECTOR, team: 'shop' });
    expect(deploy.spec.template.spec.serviceAccountName).toBe('web');
    expect(deploy.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(deploy.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    expect(deploy.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8080, name: 'http-8080' }]);
  });

  test('enrol: a user-built cdk8s-plus workload gets the labels and selector', () => {
    const { app, chart, ns } = setup();
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
    const sts = new kplus.StatefulSet(chart, 'web-sts', {
      metadata: { namespace: 'shop' },
      serviceAccount: web.serviceAccount,
      containers: [{ image: 'nginx', ports: [{ number: 8080 }] }],
      service: new kplus.Service(chart, 'headless', { metadata: { namespace: 'shop' }, clusterIP: 'None', ports: [{ port: 8080 }] }),
    });
    web.enrol(sts);
    const obj = synthAll(app).find(o => o.kind === 'StatefulSet');
    expect(obj.spec.selector.matchLabels).toMatchObject(SELECTOR);
    expect(obj.spec.template.metadata.labels).toMatchObject(SELECTOR);
    expect(obj.spec.template.spec.serviceAccountName).toBe('web');
  });

  test('enrol: a pod in a chart whose namespace is the service namespace', () => {
    const { app, chart, ns } = setup();
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
    const shopChart = new Chart(app, 'shop-chart', { namespace: 'shop' });
    const pod = new kplus.Pod(shopChart, 'pod', { serviceAccount: web.serviceAccount, containers: [{ image: 'nginx' }] });
    web.enrol(pod);
    expect(synthAll(app).find(o => o.kind === 'Pod').metadata.labels).toMatchObject(SELECTOR);
  });

  test('enrol refuses another identity or namespace', () => {
    const { chart, ns } = setup();
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', ports: [ServicePort.http(8080)] });
    const other = new kplus.Deployment(chart, 'other', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx' }] });
    expect(() => web.enrol(other)).toThrow(
      /^\[ZT206\] test\/web.enrol\(test\/other\): the workload runs as ServiceAccount "default", not as "web"\. Create it with `serviceAccount: service.serviceAccount`\.$/);
    const elsewhere = new kplus.Deployment(chart, 'elsewhere', { serviceAccount: web.serviceAccount, containers: [{ image: 'nginx' }] });
    expect(() => web.enrol(elsewhere)).toThrow(/^\[ZT207\] test\/web.enrol\(test\/elsewhere\): the workload is in namespace "default", not "shop"/);
  });

  test.each([
    ['1web', /^\[ZT201\] test\/svc: service name "1web" is not a DNS-1035 label/],
    ['Web', /^\[ZT201\] test\/svc: service name "Web" is not a DNS-1035 label/],
    ['default', /^\[ZT205\] test\/svc: a service named "default" would run as the namespace's shared default ServiceAccount\. Give the service its own name\.$/],
    ['zt-deny-all', /^\[ZT202\] test\/svc: the name "zt-deny-all" is taken by an object of the namespace/],
  ])('refuses service name %p', (name, message) => {
    const { chart, ns } = setup();
    expect(() => new MeshedService(chart, 'svc', { namespace: ns, name, ports: [ServicePort.http(80)] })).toThrow(message);
  });

  test('refuses two services with the same name in one namespace', () => {
    const { chart, ns } = setup();
    new MeshedService(chart, 'a', { namespace: ns, name: 'web', ports: [ServicePort.http(80)] });
    expect(() => new MeshedService(chart, 'b', { namespace: ns, name: 'web', ports: [ServicePort.http(80)] }))
      .toThrow(/^\[ZT204\] test\/b: namespace "shop" already has a service named "web" \(test\/a\)/);
  });

  test.each([
    [[], /^\[ZT304\] test\/svc: the service has no ports\. Give it at least one ServicePort, or omit `ports` for a client that serves nothing\.$/],
    [[ServicePort.http(80), ServicePort.tcp(80)], /^\[ZT302\] test\/svc: port 80 is declared twice/],
    [[ServicePort.http(80, 'web'), ServicePort.tcp(81, 'web')], /^\[ZT302\] test\/svc: port name "web" is used twice/],
  ])('refuses bad port lists (%#)', (ports, message) => {
    const { chart, ns } = setup();
    expect(() => new MeshedService(chart, 'svc', { namespace: ns, name: 'web', ports })).toThrow(message);
  });

  test('refuses bad labels and the workload label', () => {
    const { chart, ns } = setup();
    expect(() => new MeshedService(chart, 'a', { namespace: ns, name: 'a', ports: [ServicePort.http(80)], labels: { x: 'a b' } }))
      .toThrow(/^\[ZT203\] test\/a: label "x" has value "a b"/);
    expect(() => new MeshedService(chart, 'b', { namespace: ns, name: 'b', ports: [ServicePort.http(80)], labels: { 'zero-trust.cdk8s.io/workload': 'x' } }))
      .toThrow(/^\[ZT203\] test\/b: label "zero-trust.cdk8s.io\/workload" is set by the library/);
  });
});

describe('MeshedService without ports: a client, such as a nightly CronJob', () => {
  const WORKLOAD = 'zero-trust.cdk8s.io/workload';

  /** api serves 9090 and 9091 in shop; nightly, a CronJob in `clientMesh`, may call it on 9090 only. */
  function nightly(clientMesh = MeshMode.SIDECAR, sameNamespace = true) {
    const { app, chart, ns } = setup();
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.grpc(9090), ServicePort.tcp(9091)] });
    const batch = sameNamespace ? ns : new ZeroTrustNamespace(chart, 'batch', { name: 'batch', mesh: clientMesh });
    const client = new MeshedService(chart, 'nightly', { namespace: batch, name: 'nightly', labels: { team: 'ops' } });
    const cron = new kplus.CronJob(chart, 'nightly-cron', {
      metadata: { name: 'nightly', namespace: batch.name },
      schedule: Cron.schedule({ minute: '0', hour: '3' }),
      serviceAccount: client.serviceAccount,
      automountServiceAccountToken: false,
      containers: [{ image: 'report:1.0' }],
    });
    client.enrol(cron);
    client.allowTo(api, { ports: [9090] });
    return { app, chart, ns, api, client };
  }

  test('emits its own ServiceAccount and an egress-only NetworkPolicy; no Service, DestinationRule or AuthorizationPolicy', () => {
    const { app, client } = nightly();
    expect(client.ports).toEqual([]);
    expect(client.principal).toBe('cluster.local/ns/shop/sa/nightly');
    expect(client.service).toBeUndefined();
    expect(client.destinationRule).toBeUndefined();
    expect(client.authorizationPolicy).toBeUndefined();
    const objects = synthAll(app);
    expect(kinds(objects.filter(o => o.metadata.name === 'nightly'))).toEqual(['CronJob shop/nightly', 'NetworkPolicy shop/nightly', 'ServiceAccount shop/nightly']);
    expect(find(objects, 'ServiceAccount', 'shop', 'nightly').automountServiceAccountToken).toBe(false);
    expect(find(objects, 'NetworkPolicy', 'shop', 'nightly').spec).toEqual({
      podSelector: { matchLabels: { [WORKLOAD]: 'nightly' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{ to: [{ podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }],
    });
    const template = find(objects, 'CronJob', 'shop', 'nightly').spec.jobTemplate.spec.template;
    expect(template.metadata.labels).toMatchObject({ [WORKLOAD]: 'nightly', team: 'ops' });
    expect(template.spec.serviceAccountName).toBe('nightly');
  });

  test('the server admits the client\'s principal on the declared port only, at both layers', () => {
    const { app } = nightly();
    const objects = synthAll(app);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'api').spec).toEqual({
      selector: { matchLabels: { [WORKLOAD]: 'api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/nightly'] } }], to: [{ operation: { ports: ['9090'] } }] }],
    });
    expect(find(objects, 'NetworkPolicy', 'shop', 'api').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { [WORKLOAD]: 'nightly' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
    ]);
  });

  test('the ZT416 proof passes for the enrolled CronJob, and for a client without a workload (a stand-in pod)', () => {
    expect(() => nightly().app.synthYaml()).not.toThrow();
    const { app, chart, ns } = setup();
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.grpc(9090)] });
    const bare = new MeshedService(chart, 'bare', { namespace: ns, name: 'bare' });
    bare.allowTo(api);
    expect(bare._reachabilityPods()).toEqual([{ namespace: 'shop', name: 'bare', labels: { [WORKLOAD]: 'bare' }, serviceAccount: 'bare', ports: [] }]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test.each([
    ['egress to a port the flow does not declare', 'nightly: the egress of shop/nightly differs from the declared flows: it allows shop/nightly -> shop/api on 9091/TCP, which no flow declares',
      { podSelector: { matchLabels: { [WORKLOAD]: 'nightly' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }], ports: [{ port: 9091 }] }] }],
    ['ingress into the client', 'nightly: the ingress of shop/nightly differs from the declared flows: it allows shop/api -> shop/nightly on 8443/TCP, which no flow declares',
      { podSelector: { matchLabels: { [WORKLOAD]: 'nightly' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }], ports: [{ port: 8443 }] }] }],
  ])('the ZT416 proof catches a hand-written rule: %s', (_, message, spec) => {
    const { app, chart } = nightly();
    new ApiObject(chart, 'extra', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'extra', namespace: 'shop' }, spec });
    expect(() => app.synthYaml()).toThrow(`[ZT416] test/${message}`);
  });

  test.each([
    ['ambient, in another namespace', MeshMode.AMBIENT, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }, [9090, 15008]],
    ['sidecar, in another namespace', MeshMode.SIDECAR, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }, [9090]],
  ])('%s: egress to the server, its principal admitted, and the proof passes', (_, mesh, peer, ports) => {
    const { app } = nightly(mesh, false);
    const objects = synthAll(app);
    expect(find(objects, 'NetworkPolicy', 'batch', 'nightly').spec.egress).toEqual([{ to: [peer], ports: ports.map(port => ({ protocol: 'TCP', port })) }]);
    expect(find(objects, 'NetworkPolicy', 'batch', 'nightly').spec.ingress).toEqual([]);
    expect(objects.filter(o => o.metadata.namespace === 'batch' && o.metadata.name === 'nightly').map(o => o.kind).sort())
      .toEqual(['CronJob', 'NetworkPolicy', 'ServiceAccount']);
    expect(find(objects, 'AuthorizationPolicy', 'shop', 'api').spec.rules)
      .toEqual([{ from: [{ source: { principals: ['cluster.local/ns/batch/sa/nightly'] } }], to: [{ operation: { ports: ['9090'] } }] }]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('outside the mesh: the same egress-only NetworkPolicy, and the proof passes', () => {
    const { app, chart, ns } = setup(MeshMode.NONE);
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.grpc(9090)] });
    new MeshedService(chart, 'nightly', { namespace: ns, name: 'nightly' }).allowTo(api);
    const objects = synthAll(app);
    expect(kinds(objects.filter(o => o.metadata.name === 'nightly'))).toEqual(['NetworkPolicy shop/nightly', 'ServiceAccount shop/nightly']);
    expect(find(objects, 'NetworkPolicy', 'shop', 'nightly').spec.egress)
      .toEqual([{ to: [{ podSelector: { matchLabels: { [WORKLOAD]: 'api' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }]);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('declaring the flow twice, three ways, renders it once', () => {
    const once = synthAll(nightly().app);
    const { app, chart, api, client } = nightly();
    new AllowFlow(chart, 'again', { from: client, to: api, ports: [9090] });
    api.allowFrom(client, { ports: [9090] });
    expect(synthAll(app)).toEqual(once);
  });

  test('is refused as the target of a flow, however declared', () => {
    const { chart, api, client } = nightly();
    const fix = 'Give nightly the ports it serves, or declare the flow the other way, from nightly.';
    expect(() => api.allowTo(client)).toThrow(`[ZT109] test/api.allowTo(test/nightly): test/nightly is a client without ports, so nothing may call it. ${fix}`);
    expect(() => client.allowFrom(api)).toThrow(`[ZT109] test/nightly.allowFrom(test/api): test/nightly is a client without ports, so nothing may call it. ${fix}`);
    expect(() => new AllowFlow(chart, 'back', { from: api, to: client })).toThrow(`[ZT109] test/back: test/nightly is a client without ports, so nothing may call it. ${fix}`);
  });
});
