import { enrolmentLabels } from '../../src/model/_mesh-labels';
import { MeshMode } from '../../src/model/mesh-mode';

test('each mesh mode has its namespace enrolment label, and none outside the mesh', () => {
  expect(enrolmentLabels(MeshMode.SIDECAR)).toEqual({ 'istio-injection': 'enabled' });
  expect(enrolmentLabels(MeshMode.AMBIENT)).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
  expect(enrolmentLabels(MeshMode.NONE)).toEqual({});
});
