// The header every security.istio.io policy the analyzer reads shares: its id, namespace, apiVersion and spec.
import { manifestNamespace } from '../model/_constants';
import { isObject } from '../model/_label-selector';

const API_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'];

/** A security.istio.io policy's id (`namespace/name`), namespace, name for errors and spec; throws for another apiVersion or a spec that is not an object. */
export function securityHeader(manifest: any): { id: string; namespace: string; where: string; spec: Record<string, any> } {
  const namespace = manifestNamespace(manifest);
  const id = `${namespace}/${manifest.metadata?.name}`;
  const where = `${manifest.kind} ${id}`;
  if (!API_VERSIONS.includes(manifest.apiVersion)) {
    throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(manifest.apiVersion)} (expected ${API_VERSIONS.join(' or ')})`);
  }
  const spec = manifest.spec ?? {};
  if (!isObject(spec)) throw new Error(`${where}: spec: expected an object`);
  return { id, namespace, where, spec };
}
