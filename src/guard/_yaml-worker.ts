// Writing YAML is half of a large synth, and it does not depend on the zero-trust checks: a worker thread
// stringifies the first charts while the linear synth renders the others, runs the checks and stringifies the rest.
import * as os from 'os';
import { performance } from 'perf_hooks';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { ApiObject, Yaml } from 'cdk8s';

/** Below this many ApiObjects, starting a worker (about 0.1 s of a core) costs more than it saves. */
export const PARALLEL_YAML_MIN_OBJECTS = 2000;

/**
 * The worker's share of the objects. It starts on the first chart while the main thread renders the others and
 * runs the checks, which take as long as writing most of the YAML (measured at medium: 0.8 is fastest).
 */
const WORKER_SHARE = 0.8;

/** Deeper values stay on the main thread, so that the walk that proves them JSON-exact stays shallow. */
const MAX_DEPTH = 64;

/**
 * The worker: loads cdk8s from the path the main thread resolved (so it runs from lib/ and under ts-jest alike),
 * and answers each chart's JSON, in order, with `Yaml.stringify(...docs)`, the error, or nothing when the main
 * thread claimed the chart first; it counts its answers in the shared flag the main thread waits on.
 */
const SCRIPT = `
const { parentPort, workerData } = require('worker_threads');
const { port, flag, cdk8s } = workerData;
const answered = new Int32Array(flag);
let Yaml;
try { Yaml = require(cdk8s).Yaml; } catch (e) { Yaml = e; }
let next = 0;
parentPort.on('message', ({ json, claims }) => {
  let reply = {};
  if (Atomics.compareExchange(new Int32Array(claims), next++, 0, 1) === 0) {
    try {
      if (Yaml instanceof Error) throw Yaml;
      reply = { yaml: Yaml.stringify(...JSON.parse(json)) };
    } catch (e) {
      reply = { error: String(e) };
    }
  }
  port.postMessage(reply);
  Atomics.add(answered, 0, 1);
  Atomics.notify(answered, 0);
});
`;

/** Who stringifies a chart sent to the worker: whoever claims it first. */
const enum Claim { NONE = 0, WORKER = 1, MAIN = 2 }

/**
 * Each chart's YAML, `Yaml.stringify(...manifests)` as cdk8s writes a chart's file, the first charts stringified
 * on a worker thread as soon as they are rendered.
 *
 * The worker gets a chart as JSON, which is cheap to send and to parse (a structured clone is not), so only
 * charts that JSON copies exactly are handed over: strings, finite numbers, booleans, null, arrays without holes
 * or undefined, plain objects without symbol keys, no object twice (YAML would write an alias). Any other chart is
 * stringified on the main thread. When the main thread is done with its own charts, it takes the worker's last
 * charts that it has not started, so that a worker slowed by a busy machine costs little; the charts of a failed
 * or silent worker are stringified on the main thread too: the bytes never depend on the worker.
 */
export class ChartYaml {
  /**
   * Starts the worker for a synth of `objects` ApiObjects when it can pay: from PARALLEL_YAML_MIN_OBJECTS, with a
   * core to spare. Start it before validation so that its startup overlaps with the synth.
   */
  public static start(objects: number): ChartYaml {
    return new ChartYaml(objects, objects >= PARALLEL_YAML_MIN_OBJECTS && spareCore());
  }

  private readonly worker?: Worker;
  private readonly port?: MessagePort;
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private claims = new Int32Array(new SharedArrayBuffer(0));
  private charts: any[][] = [];
  /** The JSON the worker was given for each of the first charts. */
  private readonly posted: string[] = [];
  private postedObjects = 0;
  private readonly limit: number;
  private postedAt = 0;

  private constructor(objects: number, parallel: boolean) {
    this.limit = parallel ? objects * WORKER_SHARE : 0;
    if (!parallel) return;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(SCRIPT, {
      eval: true,
      // The worker only loads cdk8s: the main thread's preloads (ts-node under the bench) would only delay it.
      execArgv: [],
      workerData: { port: port2, flag: this.answered.buffer, cdk8s: require.resolve('cdk8s') },
      transferList: [port2],
    });
    // Whatever happens to the synth, the worker never keeps the process alive.
    this.worker.unref();
  }

  /**
   * Renders each chart's objects (`toJson()`), chart by chart; the first charts go to the worker as soon as they
   * are rendered.
   * @returns the manifests, chart by chart
   */
  public render(chartObjects: ApiObject[][]): any[][] {
    this.claims = new Int32Array(new SharedArrayBuffer(4 * chartObjects.length));
    this.charts = [];
    for (const objects of chartObjects) {
      const docs = objects.map(o => o.toJson());
      this.charts.push(docs);
      this.send(docs);
    }
    return this.charts;
  }

  /**
   * Each chart's YAML, of its manifests as they are now, which is what the checks read. A chart whose manifests
   * changed since it was sent (user code run by a later render may hold on to them) is stringified here.
   */
  public strings(): string[] {
    const here = this.charts.map((docs, i) => i < this.posted.length && jsonExact(docs, 0, new Set())
      && JSON.stringify(docs) === this.posted[i] ? undefined : this.claimed(i, docs));
    // The worker goes from the first chart: take its charts from the last until one it has started.
    for (let i = this.posted.length - 1; i >= 0 && Atomics.compareExchange(this.claims, i, Claim.NONE, Claim.MAIN) !== Claim.WORKER; i--) {
      here[i] ??= Yaml.stringify(...this.charts[i]);
    }
    const replies = this.replies();
    return here.map((text, i) => text ?? replies[i] ?? Yaml.stringify(...this.charts[i]));
  }

  /** Stops the worker, whether or not it answered. */
  public stop(): void {
    void this.worker?.terminate();
  }

  private send(docs: any[]): void {
    if (this.posted.length < this.charts.length - 1 || this.postedObjects + docs.length > this.limit) return;
    if (!jsonExact(docs, 0, new Set())) return;
    const json = JSON.stringify(docs);
    this.worker!.postMessage({ json, claims: this.claims.buffer });
    this.posted.push(json);
    this.postedObjects += docs.length;
    this.postedAt = performance.now();
  }

  /** Stringifies chart `i` here, claiming it first if it was sent, so that the worker skips it. */
  private claimed(i: number, docs: any[]): string {
    if (i < this.posted.length) Atomics.compareExchange(this.claims, i, Claim.NONE, Claim.MAIN);
    return Yaml.stringify(...docs);
  }

  /**
   * The worker's YAML of the charts it claimed, waited for synchronously (synth is synchronous); undefined where
   * it failed. It has at most one chart left when asked, yet may be starved or lost (out of memory): after four
   * times this thread's work since the last chart was sent and five seconds more, it answers no more.
   */
  private replies(): Array<string | undefined> {
    let needed = 0;
    this.posted.forEach((_, i) => needed = Atomics.load(this.claims, i) === Claim.WORKER ? i + 1 : needed);
    if (needed === 0) return [];
    const deadline = performance.now() + 4 * (performance.now() - this.postedAt) + 5000;
    let answered = Atomics.load(this.answered, 0);
    while (answered < needed && Atomics.wait(this.answered, 0, answered, deadline - performance.now()) !== 'timed-out') {
      answered = Atomics.load(this.answered, 0);
    }
    return Array.from({ length: needed }, () => (receiveMessageOnPort(this.port!)?.message as { yaml?: string } | undefined)?.yaml);
  }
}

/** The symbol by which cdk8s's YAML writer (the yaml package) recognizes its own nodes. */
const YAML_NODE = Symbol.for('yaml.node.type');
const ARRAY_ITERATOR = Array.prototype[Symbol.iterator];

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives cdk8s's YAML writer the same value: made of strings, finite
 * numbers other than -0, booleans, null, arrays without holes and plain objects (JSON drops symbol keys, which
 * the writer ignores but for its node marker and Symbol.iterator), no object seen before (the writer writes an
 * object met twice as an alias), nesting at most MAX_DEPTH deep.
 */
function jsonExact(value: unknown, depth: number, seen: Set<object>): boolean {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
  if (typeof value !== 'object' || depth >= MAX_DEPTH || seen.has(value) || YAML_NODE in value) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || value[Symbol.iterator] !== ARRAY_ITERATOR) return false;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !jsonExact(value[i], depth + 1, seen)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || Symbol.iterator in value) return false;
  for (const key in value) {
    if (!jsonExact((value as Record<string, unknown>)[key], depth + 1, seen)) return false;
  }
  return true;
}

/** The idle and total CPU time of the machine's cores so far, in milliseconds, and their number. */
function cpuTimes(): { idle: number; total: number; cores: number } {
  let idle = 0;
  let total = 0;
  const cpus = os.cpus();
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total, cores: cpus.length };
}

/** The start of the window `spareCore` measures: when this module was loaded, then the last synth that asked. */
let windowStart = cpuTimes();

/** Below this much time per core, the window says too little and the load average decides. */
const MIN_WINDOW_MS = 100;

/**
 * The idle share of the cores, in cores, that shows a core to spare. Loading the library and building medium on a
 * quiet 2-core machine left 0.28 to 0.38 of a core idle, the garbage collector's threads using the rest of the
 * second; beside a busy process, none.
 */
const MIN_IDLE_CORES = 0.15;

/**
 * Whether a second core is free: at least two, and MIN_IDLE_CORES of a core left idle since the app started building (or since
 * the last large synth), while the building itself kept one core busy. On a busy machine the worker takes the core
 * the main thread's garbage collector uses, which made medium 0.5 to 1 s slower. The one-minute load average cannot
 * tell: it still counts a synth that just ended, so a second synth in a row would run without a worker.
 */
function spareCore(): boolean {
  const cores = os.availableParallelism();
  if (cores < 2) return false;
  const start = windowStart;
  const end = windowStart = cpuTimes();
  const total = end.total - start.total;
  if (end.cores !== start.cores || total < MIN_WINDOW_MS * end.cores) return os.loadavg()[0] < cores;
  return (end.idle - start.idle) / total * end.cores >= MIN_IDLE_CORES;
}
