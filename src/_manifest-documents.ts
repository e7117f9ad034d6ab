/**
 * The Kubernetes objects of a multi-document YAML file, as `kubectl apply` reads them: empty documents (nothing,
 * only comments, or `null`) are skipped, `List` objects are expanded, and a field set to null counts as absent.
 */
import { parseAllDocuments } from 'yaml';
import { isObject } from './_label-selector';

/** The objects of a YAML text; `file` names it in errors. */
export function manifestsOfYaml(text: string, file: string): any[] {
  const manifests: any[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${file}: bad YAML in document ${i + 1}: ${doc.errors[0].message}`);
    const value = withoutNulls(doc.toJS());
    if (value === undefined) continue;
    expand(value, `${file}: document ${i + 1}`, manifests);
  }
  return manifests;
}

/**
 * Adds the object, or the items of a list, to `out`. The items of a typed list (`DeploymentList`) may leave out
 * their kind and apiVersion, which are then the list's.
 */
function expand(value: unknown, where: string, out: any[], defaults: { kind?: string; apiVersion?: string } = {}): void {
  const object = isObject(value) ? { ...defaults, ...value } : value;
  if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    throw new Error(`${where} has no apiVersion and kind: not a Kubernetes object`);
  }
  const typedList = object.kind !== 'List' && object.kind.endsWith('List') && 'items' in object;
  if (object.kind !== 'List' && !typedList) {
    out.push(object);
    return;
  }
  const items = object.items ?? [];
  if (!Array.isArray(items)) throw new Error(`${where}: ${object.kind}.items: expected a list`);
  const itemDefaults = typedList ? { kind: object.kind.slice(0, -'List'.length), apiVersion: object.apiVersion } : {};
  items.forEach((item, j) => expand(item, `${where}, items[${j}]`, out, itemDefaults));
}

/** The value with every null field of every map left out, as the API server stores it; undefined for null. */
function withoutNulls(value: unknown): any {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(v => withoutNulls(v) ?? null);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = withoutNulls(v);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}
