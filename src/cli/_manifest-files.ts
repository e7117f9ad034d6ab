// Reading manifest files for the command line's commands: the YAML of each file, checked on its own, then analysed.
import * as fs from 'fs';
import { manifestsOfYaml } from '../analyzer/_manifest-documents';
import { isReadKind, readObjects } from '../analyzer/_manifest-kinds';
import { namespacesFromManifests, objectName, podsFromManifests } from '../analyzer/_manifest-pods';
import { withServicePorts } from '../analyzer/_manifest-services';
import { Reachability } from '../analyzer/reachability';
import { dns1123LabelProblem } from '../util/_names';

/** The text of a file; throws a message naming the file when it cannot be read. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read: ${(e as Error).message}`);
  }
}

/**
 * The analysis of the files, read with `readManifests`, and the line that says which objects it ignored; throws for a
 * `namespace` that is not a namespace name.
 */
export function analyzeFiles(files: string[], namespace?: string): { reachability: Reachability; ignored?: string } {
  const problem = namespace === undefined ? undefined : dns1123LabelProblem(namespace);
  if (problem) throw new Error(`--namespace: ${problem}`);
  return analyze(files.flatMap(f => readManifests(f, namespace)));
}

/**
 * The objects of a YAML file, those without a namespace put in `namespace` if given, checked on their own so that a
 * bad one is reported against its file.
 */
function readManifests(file: string, namespace?: string): any[] {
  let manifests = manifestsOfYaml(readText(file), file);
  try {
    if (namespace !== undefined) manifests = inNamespace(manifests, namespace);
    analyze(manifests);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return manifests;
}

/**
 * The objects, those the analysis reads in a namespace put in `namespace` when they name none, as `kubectl apply -n`
 * does; throws for one that names another namespace, which kubectl refuses too.
 */
function inNamespace(manifests: any[], namespace: string): any[] {
  return manifests.map(m => {
    if (m.kind === 'Namespace' || !isReadKind(m)) return m;
    const own = m.metadata?.namespace;
    if (own === undefined) return { ...m, metadata: { ...m.metadata, namespace } };
    if (own !== namespace) throw new Error(`${objectName(m)}: its namespace is not --namespace ${namespace}, which kubectl apply -n refuses too`);
    return m;
  });
}

/** The analysis of the objects, and the line that says which ones it ignored. */
function analyze(manifests: any[]): { reachability: Reachability; ignored?: string } {
  const { read, ignored } = readObjects(manifests);
  const described = podsFromManifests(read);
  const pods = withServicePorts(read, described);
  return { reachability: Reachability.analyze({ pods, manifests: read, namespaces: namespacesFromManifests(read, pods) }), ignored };
}
