// Istio's bookinfo as a zero-trust blueprint: productpage calls details and reviews, reviews calls ratings, nothing else.
// The front end and the back end live in two namespaces; reviews runs three versions as one identity.
// A nightly CronJob, ratings-report, is a client without ports: it may call ratings, and nothing may call it.
// productpage may only GET reviews under /reviews/ (an HTTP rule in reviews' AuthorizationPolicy).
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshedService, ServicePort, ZeroTrustNamespace } from '../src';

const IMAGE = (name: string) => `docker.io/istio/examples-bookinfo-${name}:1.20.2`;

export function bookinfo(app: App): void {
  const front = new Chart(app, 'bookinfo-front');
  const back = new Chart(app, 'bookinfo-back');
  const frontNs = new ZeroTrustNamespace(front, 'namespace', { name: 'bookinfo-front' });
  const backNs = new ZeroTrustNamespace(back, 'namespace', { name: 'bookinfo-back' });

  const http = [ServicePort.http(9080)];
  const productpage = new MeshedService(front, 'productpage', { namespace: frontNs, name: 'productpage', ports: http, image: IMAGE('productpage-v1') });
  const details = new MeshedService(back, 'details', { namespace: backNs, name: 'details', ports: http, image: IMAGE('details-v1') });
  const ratings = new MeshedService(back, 'ratings', { namespace: backNs, name: 'ratings', ports: http, image: IMAGE('ratings-v1') });
  const reviews = new MeshedService(back, 'reviews', { namespace: backNs, name: 'reviews', ports: http });

  // Three versions of reviews, built with cdk8s-plus and enrolled as the one reviews identity.
  for (const version of ['v1', 'v2', 'v3']) {
    const deployment = new kplus.Deployment(back, `reviews-${version}`, {
      metadata: { name: `reviews-${version}`, namespace: backNs.name },
      podMetadata: { labels: { version } },
      serviceAccount: reviews.serviceAccount,
      automountServiceAccountToken: false,
      containers: [{ image: IMAGE(`reviews-${version}`), ports: [{ number: 9080, name: 'http-9080' }] }],
    });
    reviews.enrol(deployment);
  }

  // A client: its own identity and egress only, no Service; its CronJob is built with cdk8s-plus and enrolled.
  const report = new MeshedService(back, 'ratings-report', { namespace: backNs, name: 'ratings-report' });
  report.enrol(new kplus.CronJob(back, 'ratings-report-cron', {
    metadata: { name: 'ratings-report', namespace: backNs.name },
    schedule: Cron.daily(),
    serviceAccount: report.serviceAccount,
    automountServiceAccountToken: false,
    containers: [{ image: 'ghcr.io/example/ratings-report:1.0.0' }],
  }));

  productpage.allowTo(details);
  productpage.allowTo(reviews, { http: { methods: ['GET'], paths: ['/reviews/*'] } });
  reviews.allowTo(ratings);
  report.allowTo(ratings);
}
