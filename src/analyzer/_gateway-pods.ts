/**
 * The pods Istio deploys for a Gateway API Gateway of class `istio`: one Deployment `<name>-istio`, running as the
 * ServiceAccount `<name>-istio`, whose pods carry the Gateway's `infrastructure.labels` and Istio's gateway labels
 * (Istio's kube-gateway template). The analysis stands one pod for them, as for any workload.
 */
import type { PodInput } from './reachability-input';
import { manifestNamespace } from '../model/_constants';
import { GATEWAY_API, GATEWAY_NAME_LABEL, ISTIO_GATEWAY_CLASS, gatewayDeploymentName } from '../model/_egress-spec';
import { checkStringMap, isObject } from '../model/_label-selector';

/** Whether a manifest is a Gateway that Istio deploys pods for. */
export function isIstioGateway(m: any): boolean {
  return typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('gateway.networking.k8s.io/') && m.kind === 'Gateway'
    && m.spec?.gatewayClassName === ISTIO_GATEWAY_CLASS;
}

/** The pod that stands for an Istio Gateway's pods; throws naming the field it cannot read. */
export function gatewayPod(m: any, where: string): PodInput {
  if (m.apiVersion !== GATEWAY_API) throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(m.apiVersion)} (expected ${GATEWAY_API})`);
  if (typeof m.metadata?.name !== 'string') throw new Error(`${where}: metadata.name is required`);
  const infrastructure = m.spec.infrastructure?.labels;
  const labels = infrastructure === undefined ? {} : checkStringMap(infrastructure, `${where}: spec.infrastructure.labels`);
  const listeners = m.spec.listeners;
  if (!Array.isArray(listeners) || listeners.some(l => !isObject(l) || !Number.isInteger(l.port))) {
    throw new Error(`${where}: spec.listeners: expected a list of listeners with ports`);
  }
  const name = gatewayDeploymentName(m.metadata.name);
  return {
    namespace: manifestNamespace(m),
    name,
    labels: {
      ...labels,
      'sidecar.istio.io/inject': 'false',
      [GATEWAY_NAME_LABEL]: m.metadata.name,
      'gateway.networking.k8s.io/gateway-class-name': ISTIO_GATEWAY_CLASS,
      'gateway.istio.io/managed': 'istio.io-gateway-controller',
    },
    serviceAccount: name,
    ports: [...new Set<number>(listeners.map(l => l.port))].sort((a, b) => a - b).map(port => ({ port, protocol: 'TCP' })),
    // The gateway's pods are Envoy proxies of the mesh themselves (`sidecar.istio.io/inject: "false"` keeps a second one out).
    meshed: true,
  };
}
