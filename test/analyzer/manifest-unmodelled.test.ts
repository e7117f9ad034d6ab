import { refuseUnmodelledContent } from '../../src/analyzer/_manifest-unmodelled';

const obj = (apiVersion: string, kind: string, spec?: any) => ({ apiVersion, kind, metadata: { name: 'o', namespace: 'x' }, ...(spec ? { spec } : {}) });

describe('refuseUnmodelledContent', () => {
  test('accepts objects and pod templates that opt out of waypoints, and pods off the host network', () => {
    const none = { name: 'o', namespace: 'x', labels: { 'istio.io/use-waypoint': 'none' } };
    expect(() => refuseUnmodelledContent({ apiVersion: 'v1', kind: 'Service', metadata: none })).not.toThrow();
    // A Service's waypoint is modelled (_waypoint-eval).
    expect(() => refuseUnmodelledContent({ apiVersion: 'v1', kind: 'Service', metadata: { ...none, labels: { 'istio.io/use-waypoint': 'waypoint' } } })).not.toThrow();
    expect(() => refuseUnmodelledContent({ apiVersion: 'v1', kind: 'Service', metadata: { ...none, labels: { 'istio.io/ingress-use-waypoint': 'true' } } })).not.toThrow();
    expect(() => refuseUnmodelledContent(obj('apps/v1', 'Deployment', { template: { metadata: none, spec: { hostNetwork: false } } }))).not.toThrow();
    expect(() => refuseUnmodelledContent(obj('example.com/v1', 'Agent', { hostNetwork: true }))).not.toThrow();
  });

  test.each([
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint' } } },
      'Namespace shop: metadata.labels["istio.io/use-waypoint"]: the analyzer models waypoints for Services only (a label on the Service), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity'],
    [{ ...obj('networking.istio.io/v1', 'ServiceEntry'), metadata: { name: 'o', namespace: 'x', labels: { 'istio.io/use-waypoint': '' } } },
      'ServiceEntry x/o: metadata.labels["istio.io/use-waypoint"]: the analyzer models waypoints for Services only (a label on the Service), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity'],
    [obj('apps/v1', 'Deployment', { template: { metadata: { labels: { 'istio.io/use-waypoint': 'w' } }, spec: {} } }),
      'Deployment x/o: spec.template.metadata.labels["istio.io/use-waypoint"]: the analyzer models waypoints for Services only (a label on the Service), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity'],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/ingress-use-waypoint': 'true' } } },
      'Namespace shop: metadata.labels["istio.io/ingress-use-waypoint"]: the analyzer models it on Services only, not on namespaces or workloads, where it sends the gateways\' traffic to many Services through their waypoints'],
    [obj('apps/v1', 'Deployment', { template: { metadata: { labels: { 'istio.io/ingress-use-waypoint': 'true' } }, spec: {} } }),
      'Deployment x/o: spec.template.metadata.labels["istio.io/ingress-use-waypoint"]: the analyzer models it on Services only, not on namespaces or workloads, where it sends the gateways\' traffic to many Services through their waypoints'],
    [obj('batch/v1', 'CronJob', { jobTemplate: { spec: { template: { spec: { hostNetwork: true } } } } }),
      'CronJob x/o: spec.jobTemplate.spec.template.spec.hostNetwork: the analyzer does not model host-network pods, which NetworkPolicies do not isolate and the mesh does not capture'],
    [obj('v1', 'Pod', { hostNetwork: true }),
      'Pod x/o: spec.hostNetwork: the analyzer does not model host-network pods, which NetworkPolicies do not isolate and the mesh does not capture'],
  ])('refuses %j', (m, message) => {
    expect(() => refuseUnmodelledContent(m)).toThrow(message);
  });
});
