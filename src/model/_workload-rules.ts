/**
 * What a workload's pod template says to the zero-trust rules: where each kind keeps it, which ServiceAccount its
 * pods run as, and how its pods leave the mesh (ZT410). Istio's reading of `sidecar.istio.io/inject` lives here so
 * that the rules and the reachability analyzer agree.
 */
import { isObject } from './_label-selector';
import { DATAPLANE_MODE_LABEL } from './_mesh-labels';
import { MeshMode } from './mesh-mode';

/** Where each workload kind keeps its pod template (metadata and spec), and the field's name for messages. */
export const POD_TEMPLATES: Record<string, { at: string; template: (m: any) => any }> = {
  Pod: { at: '', template: m => m },
  Deployment: { at: 'spec.template.', template: m => m.spec?.template },
  StatefulSet: { at: 'spec.template.', template: m => m.spec?.template },
  DaemonSet: { at: 'spec.template.', template: m => m.spec?.template },
  ReplicaSet: { at: 'spec.template.', template: m => m.spec?.template },
  ReplicationController: { at: 'spec.template.', template: m => m.spec?.template },
  Job: { at: 'spec.template.', template: m => m.spec?.template },
  CronJob: { at: 'spec.jobTemplate.spec.template.', template: m => m.spec?.jobTemplate?.spec?.template },
};

export const SIDECAR_INJECT = 'sidecar.istio.io/inject';

/**
 * How Istio's injector reads a `sidecar.istio.io/inject` value: y, yes, true or on (any case) inject, any other
 * non-empty value opts out, and an absent or empty value leaves the namespace's default (undefined).
 */
export function sidecarInject(value: unknown): boolean | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return ['y', 'yes', 'true', 'on'].includes(value.toLowerCase());
}

/** The pod-template annotations that take traffic out of the sidecar's capture, with whether a value does so. */
const CAPTURE_ANNOTATIONS: Record<string, (value: string) => boolean> = {
  'sidecar.istio.io/interceptionMode': v => v !== 'REDIRECT',
  'traffic.sidecar.istio.io/excludeInboundPorts': v => v.trim() !== '',
  'traffic.sidecar.istio.io/excludeInterfaces': v => v.trim() !== '',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': v => v.trim() !== '',
  'traffic.sidecar.istio.io/excludeOutboundPorts': v => v.trim() !== '',
  'traffic.sidecar.istio.io/includeInboundPorts': v => v.trim() !== '*',
};

/** A way the pods leave the mesh: the field under the template's `metadata.` and the problem. */
export interface MeshOptOut {
  readonly field: string;
  readonly problem: string;
}

function stringMap(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

/** How the pods of a template in a namespace of the given mesh mode opt out of the mesh or of its traffic capture. */
export function meshOptOuts(metadata: unknown, mesh: `${MeshMode}`): MeshOptOut[] {
  const labels = stringMap(isObject(metadata) ? metadata.labels : undefined);
  const annotations = stringMap(isObject(metadata) ? metadata.annotations : undefined);
  if (mesh === MeshMode.AMBIENT) {
    return labels[DATAPLANE_MODE_LABEL] === 'none'
      ? [{ field: `labels["${DATAPLANE_MODE_LABEL}"]`, problem: 'the pods opt out of ambient mode' }]
      : [];
  }
  if (mesh !== MeshMode.SIDECAR) return [];
  // The injector prefers the label to the annotation when both are set.
  const [where, value] = SIDECAR_INJECT in labels ? ['labels', labels[SIDECAR_INJECT]] : ['annotations', annotations[SIDECAR_INJECT]];
  const found: MeshOptOut[] = sidecarInject(value) === false
    ? [{ field: `${where}["${SIDECAR_INJECT}"]`, problem: `the pods opt out of sidecar injection ("${value}" is not y, yes, true or on)` }]
    : [];
  for (const key of Object.keys(CAPTURE_ANNOTATIONS).sort()) {
    const v = annotations[key];
    if (typeof v === 'string' && CAPTURE_ANNOTATIONS[key](v)) {
      found.push({ field: `annotations["${key}"]`, problem: `"${v}" takes traffic out of the sidecar's capture, so it bypasses mTLS and the AuthorizationPolicies` });
    }
  }
  return found;
}

/** The ServiceAccount that the pods of a template run as. */
export function serviceAccountOf(template: any): string {
  return template.spec?.serviceAccountName ?? template.spec?.serviceAccount ?? 'default';
}
