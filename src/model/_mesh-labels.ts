// The labels by which Istio enrols a namespace's or a pod's workloads in the mesh, in one place for the constructs
// that write them, the rules that check them (ZT409, ZT410) and the analyzer that reads them.
import { MeshMode } from './mesh-mode';

/** The namespace label that turns sidecar injection on (`enabled`) or off (`disabled`). */
export const ISTIO_INJECTION_LABEL = 'istio-injection';

/** The revision label, which also turns sidecar injection on when `istio-injection` is absent. */
export const ISTIO_REVISION_LABEL = 'istio.io/rev';

/** The namespace or pod label of ambient mode: `ambient` enrols, `none` (on a pod) opts out. */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/** The namespace label, key and value, that enrols each mesh mode's workloads (sidecar, ambient). */
export const ENROLMENT_LABELS: Readonly<Record<string, readonly [string, string]>> = {
  sidecar: [ISTIO_INJECTION_LABEL, 'enabled'],
  ambient: [DATAPLANE_MODE_LABEL, 'ambient'],
};

/** The labels, key and value, that take a namespace's workloads out of the mesh. */
export const OPT_OUT_LABELS: ReadonlyArray<readonly [string, string]> = [[ISTIO_INJECTION_LABEL, 'disabled'], [DATAPLANE_MODE_LABEL, 'none']];

/** The enrolment labels of a namespace in a mesh mode: none outside the mesh. */
export function enrolmentLabels(mesh: MeshMode): Record<string, string> {
  if (mesh === MeshMode.NONE) return {};
  const [key, value] = ENROLMENT_LABELS[mesh];
  return { [key]: value };
}
