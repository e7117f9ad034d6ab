// A MeshedService's metrics port: served apart from its app ports, scraped only by a Prometheus PlatformPeer.
import { checkPort } from './_check-port';
import { HBONE_PORT } from '../model/_constants';
import { SIDECAR_UNCAPTURED_PORTS } from '../model/_sidecar-ports';
import { ruleMessage } from '../rules/_catalog';

/** Ports Istio's proxies own in a pod, which an app's metrics port must not take. */
const ISTIO_POD_PORTS = [HBONE_PORT, ...SIDECAR_UNCAPTURED_PORTS].sort((a, b) => a - b);

/** Throws unless `port` is a port number apart from the app ports and Istio's. */
export function checkMetricsPort(path: string, port: number, ports: ReadonlyArray<{ readonly port: number }>): void {
  checkPort(path, port);
  if (ports.some(p => p.port === port)) {
    throw new Error(ruleMessage('ZT340', path, `metrics port ${port} is also an app port`,
      'Give the metrics port apart from the app ports, or drop it: the app ports are opened to callers, the metrics port only to Prometheus.'));
  }
  if (ISTIO_POD_PORTS.includes(port)) {
    throw new Error(ruleMessage('ZT340', path, `metrics port ${port} is one of the ports Istio's proxies own in the pod (${ISTIO_POD_PORTS.join(', ')})`,
      'Serve the app\'s metrics on a port of its own.'));
  }
}

/** The container port of the metrics port, if any, for the emitted Deployment and the stand-in pod; unnamed, as an app port may be named `metrics`. */
export function metricsContainerPort(port: number | undefined): Array<{ number: number }> {
  return port === undefined ? [] : [{ number: port }];
}
