// The linear synth of ZeroTrustApp, which the zero-trust guard also gives a plain cdk8s App: validate once,
// resolve dependencies once, render each object once, write what cdk8s's App writes, byte for byte.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isRenderedCheck } from './_rendered-checks';
import { ChartYaml } from './_yaml-worker';

/** The apps inside a linear synth: their validations are followed by the checks of the rendered objects. */
const sessions = new WeakSet<IConstruct>();

/**
 * Whether `root` is inside a linear synth, which validates once and then calls every `_validateRendered(objects)`
 * on its single render, the one it writes. Outside one (cdk8s's own synth, `chart.toJson()`, `Testing.synth`),
 * validations must check for themselves.
 */
export function inLinearSynth(root: IConstruct): boolean {
  return sessions.has(root);
}

/** Runs `body` as a linear synth of `app`. */
function session<T>(app: App, body: () => T): T {
  sessions.add(app);
  try {
    return body();
  } finally {
    sessions.delete(app);
  }
}

/**
 * Gives a plain, un-subclassed `App` the linear synth, in place of cdk8s's own `synth` and `synthYaml`.
 *
 * cdk8s's `App.synth()` renders each chart with `chart.toJson()`, which resolves dependencies and validates the
 * whole app again: time grows with charts x constructs, and at a hundred charts those passes alone take longer
 * than the zero-trust checks. The linear synth writes the same bytes, so only an App whose synth is cdk8s's own
 * gets it: a subclass may change what its synth reads, and methods set on the instance are the user's. No
 * verdict is cached, so none can go stale: each synth validates once, renders once (running whatever user code
 * rendering runs: lazies, resolvers, cdk8s-plus's `_toKube`), and checks that very render, which is what it writes.
 */
export function linearizeApp(root: IConstruct): void {
  if (Object.getPrototypeOf(root) !== App.prototype) return;
  const app = root as App;
  // App keeps this setting private: a cdk8s that stores it otherwise keeps its own synth.
  const recordMetadata = (app as unknown as { readonly recordConstructMetadata?: unknown }).recordConstructMetadata;
  const own = (name: string) => Object.prototype.hasOwnProperty.call(app, name);
  if (typeof recordMetadata !== 'boolean' || own('synth') || own('synthYaml')) return;
  app.synth = () => synthLinear(app, recordMetadata);
  app.synthYaml = () => synthYamlLinear(app);
}

/** `App.synth()` in linear time: same files, validations once, rendered checks on the single render. */
export function synthLinear(app: App, recordMetadata: boolean): void {
  session(app, () => {
    fs.mkdirSync(app.outdir, { recursive: true });
    const tree = new SubtreeCache();
    // Started first, so that the worker's startup overlaps with validation and rendering. The output types of a
    // file per chart or per app write each chart's YAML whole: those can be stringified on the worker.
    const parallel = app.yamlOutputType === YamlOutputType.FILE_PER_CHART || app.yamlOutputType === YamlOutputType.FILE_PER_APP;
    const yaml = ChartYaml.start(parallel ? countObjects(app, tree) : 0);
    try {
      validateApp(tree.of(app));
      const { hasDependantCharts, ordered } = resolveDependencies(app, tree);
      const charts = ordered(app).filter(Chart.isChart);
      const chartObjects = charts.map(chart => objectsOf(chart, ordered));
      const manifests = renderChecked(tree.of(app), chartObjects, yaml);
      const file = (dir: string, name: string) => path.join(dir, name + app.outputFileExtension);
      const chartName = (chart: Chart, index: number) =>
        (hasDependantCharts ? `${index.toString().padStart(4, '0')}-` : '') + Names.toDnsLabel(chart);

      switch (app.yamlOutputType) {
        case YamlOutputType.FILE_PER_APP:
          if (charts.length > 0) {
            // There is no app name: cdk8s names the file `app`.
            save(file(app.outdir, 'app'), appYaml(yaml));
          }
          break;
        case YamlOutputType.FILE_PER_CHART:
          yaml.strings().forEach((text, i) => save(file(app.outdir, chartName(charts[i], i)), text));
          break;
        case YamlOutputType.FILE_PER_RESOURCE:
          for (const json of manifests.flat()) {
            Yaml.save(file(app.outdir, resourceFileName(json.kind, json.metadata.name)), [json]);
          }
          break;
        case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
          charts.forEach((chart, i) => {
            const dir = path.join(app.outdir, chartName(chart, i));
            fs.mkdirSync(dir, { recursive: true });
            chartObjects[i].forEach((o, j) => {
              // cdk8s names these files from the construct, not from the rendered manifest.
              Yaml.save(file(dir, resourceFileName(o.kind, o.metadata.name)), [manifests[i][j]]);
            });
          });
          break;
        default:
          break;
      }

      if (recordMetadata) {
        const resources: { [name: string]: { path: string } } = {};
        for (const o of chartObjects.flat()) {
          resources[o.name] = { path: o.node.path };
        }
        fs.writeFileSync(path.join(app.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
      }
    } finally {
      yaml.stop();
    }
  });
}

/** Writes a file as cdk8s's `Yaml.save` does. */
function save(file: string, text: string): void {
  fs.writeFileSync(file, text, { encoding: 'utf8' });
}

/** `App.synthYaml()` in linear time: the same string, validations once, rendered checks on the single render. */
export function synthYamlLinear(app: App): string {
  return session(app, () => {
    const tree = new SubtreeCache();
    const yaml = ChartYaml.start(countObjects(app, tree));
    try {
      // Same order as App.synthYaml: dependencies first, then validation.
      const { ordered } = resolveDependencies(app, tree);
      validateApp(tree.of(app));
      const charts = ordered(app).filter(Chart.isChart);
      renderChecked(tree.of(app), charts.map(chart => objectsOf(chart, ordered)), yaml);
      return appYaml(yaml);
    } finally {
      yaml.stop();
    }
  });
}

/** How many ApiObjects the app has. */
function countObjects(app: App, tree: SubtreeCache): number {
  return tree.of(app).filter(ApiObject.isApiObject).length;
}

/** `Yaml.stringify` of every chart's documents: a chart without objects has none. */
function appYaml(yaml: ChartYaml): string {
  return yaml.strings().filter(text => text !== '').join('---\n');
}

/** `node.findAll()` of each construct asked for, computed once per synth. */
class SubtreeCache {
  private readonly subtrees = new Map<IConstruct, IConstruct[]>();

  public of(scope: IConstruct): IConstruct[] {
    let subtree = this.subtrees.get(scope);
    if (!subtree) {
      subtree = scope.node.findAll();
      this.subtrees.set(scope, subtree);
    }
    return subtree;
  }
}

/** Runs every construct's validations once; throws all errors in cdk8s's format. */
function validateApp(constructs: IConstruct[]): void {
  const errors: string[] = [];
  for (const c of constructs) {
    for (const error of c.node.validate()) {
      errors.push(`[${c.node.path}] ${error}`);
    }
  }
  throwErrors(errors);
}

/**
 * Renders each chart's objects once with `yaml`, which starts writing them, then runs the checks of rendered objects on them.
 * @returns the manifests, chart by chart
 */
function renderChecked(constructs: IConstruct[], chartObjects: ApiObject[][], yaml: ChartYaml): any[][] {
  // The worker, if any, stringifies the first charts while the others render and the checks run.
  const manifests = yaml.render(chartObjects);
  const rendered = chartObjects.flatMap((objects, i) => objects.map((o, j) => new RenderedObject(manifests[i][j], o)));
  const errors: string[] = [];
  // The constructs with checks are those registered through registerRenderedCheck (the app's guard).
  for (const c of constructs) {
    if (!isRenderedCheck(c)) continue;
    for (const error of c._validateRendered(rendered)) {
      errors.push(`[${c.node.path}] ${error}`);
    }
  }
  throwErrors(errors);
  return manifests;
}

/** A rendered manifest and the path of its ApiObject, which is built only when read: most checks never need it. */
class RenderedObject {
  constructor(public readonly manifest: any, private readonly source: ApiObject) {}

  public get path(): string {
    return this.source.node.path;
  }
}

function throwErrors(errors: string[]): void {
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/** Every `source depends on target` edge of the app. */
function dependencyEdges(constructs: IConstruct[]): Array<{ source: IConstruct; target: IConstruct }> {
  return constructs.flatMap(source => source.node.dependencies.map(target => ({ source, target })));
}

/** A scope's constructs in cdk8s's synthesis order. */
type Ordering = (scope: IConstruct) => IConstruct[];

/**
 * cdk8s's dependency inference, run once: a chart depends on the charts nested in it and on the charts its
 * constructs depend on, and an ApiObject depends on the ApiObjects of the constructs its construct depends on.
 * @returns whether any chart depends on another, which makes cdk8s prefix chart file names with an index, and the
 * order cdk8s synthesizes a scope's constructs in
 */
function resolveDependencies(app: App, tree: SubtreeCache): { hasDependantCharts: boolean; ordered: Ordering } {
  const constructs = tree.of(app);
  const charts = constructs.filter(Chart.isChart);
  const nested = charts.some(parent => parent.node.children.some(Chart.isChart));
  const edges = dependencyEdges(constructs);
  // Without nested charts or dependencies there is nothing to add, and cdk8s's order is the tree's preorder.
  if (!nested && edges.length === 0) return { hasDependantCharts: false, ordered: scope => tree.of(scope) };
  let hasDependantCharts = false;
  for (const parent of charts) {
    for (const child of parent.node.children.filter(Chart.isChart)) {
      parent.node.addDependency(child);
      hasDependantCharts = true;
    }
  }
  for (const { source, target } of dependencyEdges(constructs)) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  // Read the edges again: cdk8s's third pass also sees the chart dependencies added above.
  for (const { source, target } of dependencyEdges(constructs)) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    const targets = tree.of(target).filter(c => ApiObject.isApiObject(c) && Chart.of(c) === targetChart);
    const sources = tree.of(source).filter(c => ApiObject.isApiObject(c) && Chart.of(c) === sourceChart);
    for (const t of targets) {
      for (const s of sources) {
        if (t !== s) s.node.addDependency(t);
      }
    }
  }
  return { hasDependantCharts, ordered: scope => topology(scope, tree) };
}

/** The chart's own ApiObjects (not those of nested charts) in dependency order, as cdk8s renders them. */
function objectsOf(chart: Chart, ordered: Ordering): ApiObject[] {
  return ordered(chart).filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
}

/**
 * `new DependencyGraph(scope.node).topology()`, without building the graph when no construct of the subtree has a
 * dependency: cdk8s's order is then the tree's preorder.
 */
function topology(scope: IConstruct, tree: SubtreeCache): IConstruct[] {
  const subtree = tree.of(scope);
  return subtree.some(c => c.node.dependencies.length > 0) ? new DependencyGraph(scope.node).topology() : subtree;
}

/** cdk8s's file name for one resource: `<kind>.<name>` without characters unsafe in file names. */
function resourceFileName(kind: string, name: string | undefined): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}
