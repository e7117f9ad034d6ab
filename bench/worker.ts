// One measurement in a fresh process, so that peak RSS belongs to it alone. Started by run.ts with a Job as argv[2].
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { buildCdk8sPlus, buildOurs } from './clusters';
import { generate, SizeName, SIZES, Topology } from './topology';
import { ZeroTrustApp } from '../src';

export type Mode = 'ours' | 'ours-app' | 'floor' | 'cdk8s-plus' | 'reachability';

export interface Job {
  readonly mode: Mode;
  readonly size: SizeName;
  /** Where to write YAML. */
  readonly outdir: string;
  /** `ours`: where to dump the emitted manifests as JSON; `floor`: where to read them. */
  readonly manifests?: string;
  /** `reachability`: the analyzer module to load. */
  readonly analyzer?: string;
}

export interface Measurement {
  readonly mode: Mode;
  /** Wall time of the measured work, in milliseconds. */
  readonly timeMs: number;
  /** Of which building the constructs. */
  readonly buildMs?: number;
  /** Of which synthesis (or analysis). */
  readonly synthMs?: number;
  /** Peak resident set size of the process, in MiB. */
  readonly maxRssMiB: number;
  readonly files?: number;
  readonly objects?: number;
  readonly bytes?: number;
  /** What the measurement checked, for the report. */
  readonly note?: string;
}

/** Peak RSS so far: `resourceUsage().maxRSS` is in KiB. */
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

/** Files, YAML documents and bytes under `dir`. */
function outputStats(dir: string): { files: number; objects: number; bytes: number } {
  let files = 0;
  let objects = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    files++;
    bytes += Buffer.byteLength(text);
    // Yaml.stringify joins documents with '---\n' after each document's final newline.
    if (text.length > 0) objects += text.split('\n---\n').length;
  }
  return { files, objects, bytes };
}

/** Builds the constructs with `build`, then synthesizes to `job.outdir`; the two phases are timed apart. */
function synthesize(job: Job, app: App, build: () => void): Measurement {
  const t0 = performance.now();
  build();
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  const rss = maxRssMiB();
  return { mode: job.mode, timeMs: t2 - t0, buildMs: t1 - t0, synthMs: t2 - t1, maxRssMiB: rss, ...outputStats(job.outdir) };
}

/** Each chart's manifests, rendered again the way ZeroTrustApp renders them, with the file App gave it. */
function dumpManifests(app: App, file: string): void {
  const charts = app.charts.map(chart => ({
    file: `${chart.node.id}.k8s.yaml`,
    objects: new DependencyGraph(chart.node).topology()
      .filter(c => ApiObject.isApiObject(c) && Chart.of(c) === chart)
      .map(c => (c as ApiObject).toJson()),
  }));
  fs.writeFileSync(file, JSON.stringify(charts));
}

/** The floor: the same manifests as plain objects, written by the YAML writer cdk8s uses, one file per namespace. */
function floor(job: Job): Measurement {
  const charts: Array<{ file: string; objects: any[] }> = JSON.parse(fs.readFileSync(job.manifests!, 'utf8'));
  const t0 = performance.now();
  for (const chart of charts) {
    Yaml.save(path.join(job.outdir, chart.file), chart.objects);
  }
  const timeMs = performance.now() - t0;
  return { mode: job.mode, timeMs, maxRssMiB: maxRssMiB(), ...outputStats(job.outdir) };
}

/**
 * The analyzer on the app's output: `Reachability.ofApp`, then every declared flow must be allowed on each of
 * its ports and its reverse allowed only when declared; at small size also the full matrix must equal the flows.
 */
function reachability(job: Job, topology: Topology): Measurement {
  // Loaded at run time: the bench must run before the analyzer exists.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Reachability } = require(job.analyzer!);
  const app = new ZeroTrustApp({ outdir: job.outdir });
  buildOurs(app, topology);
  const id = (e: { ns: number; svc: number }) => `${topology.namespaces[e.ns].name}/${topology.namespaces[e.ns].services[e.svc].name}`;
  const declared = new Set(topology.flows.flatMap(f => f.ports.map(port => `${id(f.from)} ${id(f.to)} ${port}`)));

  const t0 = performance.now();
  const analysis = Reachability.ofApp(app);
  const t1 = performance.now();
  let queries = 0;
  let wrong = 0;
  for (const f of topology.flows) {
    for (const port of f.ports) {
      queries++;
      if (!analysis.isAllowed({ from: id(f.from), to: id(f.to), port })) wrong++;
    }
    const reverse = `${id(f.to)} ${id(f.from)} 8080`;
    queries++;
    if (analysis.isAllowed({ from: id(f.to), to: id(f.from), port: 8080 }) !== declared.has(reverse)) wrong++;
  }
  let matrix = '';
  if (job.size === 'small') {
    const allowed: Array<{ from: string; to: string; port: number }> = analysis.allowedFlows();
    const exact = allowed.length === declared.size && allowed.every(a => declared.has(`${a.from} ${a.to} ${a.port}`));
    matrix = `; allowedFlows() ${exact ? 'equals' : 'DIFFERS FROM'} the ${declared.size} declared (flow, port) pairs`;
  }
  const t2 = performance.now();
  const note = `${queries} queries, ${wrong} wrong${matrix}`;
  return { mode: job.mode, timeMs: t2 - t0, buildMs: t1 - t0, synthMs: t2 - t1, maxRssMiB: maxRssMiB(), note };
}

function run(job: Job): Measurement {
  const topology = generate(SIZES[job.size]);
  fs.mkdirSync(job.outdir, { recursive: true });
  switch (job.mode) {
    case 'ours': {
      const app = new ZeroTrustApp({ outdir: job.outdir });
      const measurement = synthesize(job, app, () => buildOurs(app, topology));
      if (job.manifests) dumpManifests(app, job.manifests);
      return measurement;
    }
    case 'ours-app': {
      const app = new App({ outdir: job.outdir });
      return synthesize(job, app, () => buildOurs(app, topology));
    }
    case 'cdk8s-plus': {
      const app = new App({ outdir: job.outdir });
      return synthesize(job, app, () => buildCdk8sPlus(app, topology));
    }
    case 'floor':
      return floor(job);
    case 'reachability':
      return reachability(job, topology);
  }
}

const job: Job = JSON.parse(process.argv[2]);
let reply: { measurement?: Measurement; error?: string };
try {
  reply = { measurement: run(job) };
} catch (e) {
  reply = { error: e instanceof Error ? e.stack ?? e.message : String(e) };
}
process.send!(reply, () => process.exit(0));
