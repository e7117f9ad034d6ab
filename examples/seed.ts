// The seed case: app-1 may talk to app-2, and nothing else may talk to anything.
import { App, Chart } from 'cdk8s';
import { MeshedService, ServicePort, ZeroTrustNamespace } from '../src';

export function seed(app: App): void {
  const chart = new Chart(app, 'seed');
  const ns = new ZeroTrustNamespace(chart, 'namespace', { name: 'seed' });
  const app1 = new MeshedService(chart, 'app-1', { namespace: ns, name: 'app-1', ports: [ServicePort.http(8080)], image: 'ghcr.io/example/app-1:1.0.0' });
  const app2 = new MeshedService(chart, 'app-2', { namespace: ns, name: 'app-2', ports: [ServicePort.http(8080)], image: 'ghcr.io/example/app-2:1.0.0' });
  app1.allowTo(app2);
}
