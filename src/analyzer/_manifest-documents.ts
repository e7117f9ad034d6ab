/**
 * The Kubernetes objects of a multi-document YAML file, as `kubectl apply` reads them and the API server stores them:
 * empty documents (nothing, only comments, or `null`) are skipped, `List` objects are expanded, a field set to null
 * counts as absent, and a null value in a built-in map of strings is the empty string.
 */
import { parseAllDocuments } from 'yaml';
import { isObject } from '../model/_label-selector';

/**
 * The fields of the built-in kinds that are maps of strings (Go's `map[string]string`), where the API server decodes
 * a null value as "" (kubernetes/kubernetes#129257), so `matchLabels: {role: null}` selects `role: ""`, not every pod.
 */
const STRING_MAP_FIELDS = ['labels', 'annotations', 'matchLabels', 'nodeSelector'];

/**
 * The API groups of the built-in kinds the analysis reads, whose fields are typed. Other objects are custom resources
 * (Istio's among them): the API server prunes a null value from their maps, and so does the analyzer; only their
 * `metadata` is typed.
 */
const TYPED_GROUPS = ['', 'apps', 'batch', 'networking.k8s.io'];

/** Kinds whose `spec.selector` is a map of strings rather than a label selector. */
const MAP_SELECTOR_KINDS = ['Service', 'ReplicationController'];

/** The objects of a YAML text; `file` names it in errors. */
export function manifestsOfYaml(text: string, file: string): any[] {
  const manifests: any[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${file}: bad YAML in document ${i + 1}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    expand(value, `${file}: document ${i + 1}`, manifests);
  }
  return manifests;
}

/** Whether an object's kind or apiVersion is missing: absent, null or empty, as client-go reads it. */
function missing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Adds the object, or the items of a list, to `out`. An item of a typed list (`DeploymentList`) that leaves out both
 * its kind and apiVersion gets the list's, as client-go decodes lists.
 */
function expand(value: unknown, where: string, out: any[], defaults?: { kind: string; apiVersion: string }): void {
  const object = isObject(value) && defaults && missing(value.kind) && missing(value.apiVersion) ? { ...value, ...defaults } : value;
  if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    throw new Error(`${where} has no apiVersion and kind: not a Kubernetes object`);
  }
  const hasItems = object.items !== undefined && object.items !== null;
  const typedList = object.kind !== 'List' && object.kind.endsWith('List') && hasItems;
  if (object.kind !== 'List' && !typedList) {
    out.push(withoutNulls(object, [], object));
    return;
  }
  const items = object.items ?? [];
  if (!Array.isArray(items)) throw new Error(`${where}: ${object.kind}.items: expected a list`);
  const itemDefaults = typedList ? { kind: object.kind.slice(0, -'List'.length), apiVersion: object.apiVersion } : undefined;
  items.forEach((item, j) => expand(item, `${where}, items[${j}]`, out, itemDefaults));
}

/** Whether the field at `path` (keys from the object's root) of the object is a map of strings. */
function isStringMap(path: string[], object: any): boolean {
  const key = path[path.length - 1];
  if (path.length === 2 && path[0] === 'metadata') return key === 'labels' || key === 'annotations';
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  if (!TYPED_GROUPS.includes(group)) return false;
  return STRING_MAP_FIELDS.includes(key) || (MAP_SELECTOR_KINDS.includes(object.kind) && path.join('.') === 'spec.selector');
}

/**
 * The value at `path` of the object as the API server stores it: a null field is left out (undefined for a null
 * value), a null value in a map of strings is "", and null list items stay for their readers to refuse.
 */
function withoutNulls(value: unknown, path: string[], object: any): any {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v, i) => withoutNulls(v, [...path, String(i)], object) ?? null);
  if (!isObject(value)) return value;
  const stringMap = path.length > 0 && isStringMap(path, object);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = v === null && stringMap ? '' : withoutNulls(v, [...path, key], object);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}
