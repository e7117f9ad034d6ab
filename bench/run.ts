// The benchmark of issue 5:
//   npx projen bench [--sizes small,medium,large] [--variants ours,floor,...] [--repeat n] [--out file] [--cap seconds] [--cpu-prof]
// Each measurement runs in a fresh child process (worker.ts); this process only orchestrates and reports.
// Ours (ZeroTrustApp and plain App) and the floor, whose ratios are targets, run `--repeat` times each, alternating,
// and report their median.
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalyzerScale } from './analyzer-scale';
import { Outcome, ratios, SizeReport, table, targets } from './report';
import { CROSS_NAMESPACE_EVERY, generate, SEED, SizeName, SIZES } from './topology';
import type { Job, Measurement, Mode } from './worker';

const ALL_SIZES: SizeName[] = ['small', 'medium', 'large'];
const ALL_VARIANTS: Mode[] = ['ours', 'floor', 'ours-app', 'cdk8s-plus', 'reachability'];
/** The variants whose time ratio is a target: measured `--repeat` times each. */
const PAIRED: Mode[] = ['ours', 'floor', 'ours-app'];
/** App.synth re-validates the whole app per chart: time grows with charts x constructs, 5 x 5 from medium to large. */
const QUADRATIC_GROWTH = 25;

interface Options {
  readonly sizes: SizeName[];
  /** The floor needs ours: it writes the manifests ours emitted. */
  readonly variants: Mode[];
  readonly out: string;
  /** A measurement still running after this many seconds is stopped and reported as not run. */
  readonly capSeconds: number;
  /** Write a V8 CPU profile of every measurement to bench/results/profiles. */
  readonly cpuProf: boolean;
  /** How many times ours (both apps) and the floor run at each size. */
  readonly repeat: number;
}

function parseArgs(argv: string[]): Options {
  let sizes = ALL_SIZES;
  let variants = ALL_VARIANTS;
  let out = path.join(__dirname, 'results', 'latest.json');
  let capSeconds = 600;
  let cpuProf = false;
  let repeat = 3;
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--sizes':
        sizes = value().split(',').map(s => {
          if (!ALL_SIZES.includes(s as SizeName)) throw new Error(`unknown size "${s}" (sizes: ${ALL_SIZES.join(', ')})`);
          return s as SizeName;
        });
        break;
      case '--variants':
        variants = value().split(',').map(v => {
          if (!ALL_VARIANTS.includes(v as Mode)) throw new Error(`unknown variant "${v}" (variants: ${ALL_VARIANTS.join(', ')})`);
          return v as Mode;
        });
        break;
      case '--out': out = path.resolve(value()); break;
      case '--cap':
        capSeconds = Number(value());
        if (!(capSeconds > 0)) throw new Error('--cap needs a number of seconds');
        break;
      case '--cpu-prof': cpuProf = true; break;
      case '--repeat':
        repeat = Number(value());
        if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat needs a whole number of at least 1');
        break;
      default: throw new Error(`unknown argument "${argv[i]}" (use --sizes, --variants, --repeat, --out, --cap, --cpu-prof)`);
    }
  }
  if (variants.includes('floor') && !variants.includes('ours')) variants = ['ours', ...variants];
  return { sizes, variants, out, capSeconds, cpuProf, repeat };
}

/** Runs one job in a fresh process, stopping it after the cap. */
function measure(job: Job, options: Options, run = 1): Promise<Outcome> {
  const name = `${job.size}-${job.mode}${run > 1 ? `-${run}` : ''}`;
  const profile = options.cpuProf
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(__dirname, 'results', 'profiles'), '--cpu-prof-name', `${name}.cpuprofile`]
    : [];
  process.stdout.write(`  ${job.size} ${job.mode} ... `);
  return new Promise(resolve => {
    const child = fork(path.join(__dirname, 'worker.ts'), [JSON.stringify(job)], { execArgv: [...process.execArgv, ...profile] });
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      console.log(outcome.status === 'ok' ? `${(outcome.timeMs / 1000).toFixed(2)} s` : `${outcome.status}: ${outcome.reason}`);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle({ status: 'not run', mode: job.mode, reason: `stopped after the ${options.capSeconds} s cap` });
    }, options.capSeconds * 1000);
    child.on('message', (reply: { measurement?: Measurement; error?: string }) => settle(reply.measurement
      ? { status: 'ok', ...reply.measurement }
      : { status: 'failed', mode: job.mode, reason: reply.error ?? 'no reply' }));
    child.on('close', code => settle({ status: 'failed', mode: job.mode, reason: `worker exited with code ${code}` }));
  });
}

/**
 * The run of median time, with every run's time and the highest peak RSS of all; the first failure if any failed.
 */
function median(outcomes: Outcome[]): Outcome {
  const failed = outcomes.find(o => o.status !== 'ok');
  if (failed || outcomes.length === 1) return failed ?? outcomes[0];
  const ok = outcomes as Array<Extract<Outcome, { status: 'ok' }>>;
  const sorted = [...ok].sort((a, b) => a.timeMs - b.timeMs);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)],
    maxRssMiB: Math.max(...ok.map(o => o.maxRssMiB)),
    runsMs: ok.map(o => o.timeMs),
  };
}

function notRun(mode: Mode, reason: string): Outcome {
  console.log(`  ${mode}: not run (${reason})`);
  return { status: 'not run', mode, reason };
}

/** Whether two directories hold the same files with the same bytes. */
function sameTree(a: string, b: string): boolean {
  const names = (dir: string) => fs.readdirSync(dir).sort();
  const [x, y] = [names(a), names(b)];
  return x.length === y.length && x.every((name, i) => name === y[i]
    && fs.readFileSync(path.join(a, name)).equals(fs.readFileSync(path.join(b, name))));
}

async function benchSize(size: SizeName, options: Options, tmp: string, mediumPlusMs?: number): Promise<SizeReport> {
  const topology = generate(SIZES[size]);
  const flows = topology.flows;
  console.log(`${size}: ${topology.namespaces.length} namespaces, ${topology.namespaces.length * SIZES[size].servicesPerNamespace} services, ${flows.length} flows`);
  const dir = (name: string) => path.join(tmp, size, name);
  const manifests = dir('manifests.json');
  const analyzer = path.join(__dirname, '..', 'src', 'analyzer', 'reachability.ts');
  const projectedPlusMs = size === 'large' && mediumPlusMs !== undefined ? mediumPlusMs * QUADRATIC_GROWTH : undefined;
  let floorIdentical: boolean | undefined;

  const variant = async (mode: Mode, run = 1): Promise<Outcome> => {
    switch (mode) {
      case 'ours':
        return measure({ mode, size, outdir: dir('ours'), manifests }, options, run);
      case 'floor': {
        if (!fs.existsSync(manifests)) return notRun(mode, 'ours produced no manifests');
        const outcome = await measure({ mode, size, outdir: dir('floor'), manifests }, options, run);
        floorIdentical = (floorIdentical ?? true) && sameTree(dir('ours'), dir('floor'));
        return outcome;
      }
      case 'ours-app':
        return measure({ mode, size, outdir: dir('ours-app') }, options, run);
      case 'cdk8s-plus':
        return projectedPlusMs !== undefined && projectedPlusMs > options.capSeconds * 1000
          ? notRun(mode, `projected ${(projectedPlusMs / 1000).toFixed(0)} s (${QUADRATIC_GROWTH} x medium: App.synth is quadratic in charts x constructs) exceeds the ${options.capSeconds} s cap`)
          : measure({ mode, size, outdir: dir('cdk8s-plus') }, options);
      case 'reachability':
        return fs.existsSync(analyzer)
          ? measure({ mode, size, outdir: dir('reachability'), analyzer }, options)
          : notRun(mode, 'not available: src/analyzer/reachability.ts does not exist');
    }
  };
  // The paired variants alternate, so that a slow spell of a shared machine weighs on them alike.
  const paired = PAIRED.filter(v => options.variants.includes(v));
  const runs = new Map<Mode, Outcome[]>(paired.map(mode => [mode, []]));
  for (let run = 1; run <= options.repeat; run++) {
    for (const mode of paired) runs.get(mode)!.push(await variant(mode, run));
  }
  const outcomes: Outcome[] = [];
  for (const mode of ALL_VARIANTS.filter(v => options.variants.includes(v))) {
    outcomes.push(runs.has(mode) ? median(runs.get(mode)!) : await variant(mode));
  }

  fs.rmSync(path.join(tmp, size), { recursive: true, force: true });
  return {
    size,
    topology: {
      namespaces: topology.namespaces.length,
      services: topology.namespaces.reduce((n, ns) => n + ns.services.length, 0),
      flows: flows.length,
      crossNamespaceFlows: flows.filter(f => f.from.ns !== f.to.ns).length,
    },
    outcomes,
    floorIdentical,
  };
}

/** The analyzer on 2,000 pods and 10,000 policies, in a fresh process. */
function measureAnalyzerScale(): Promise<AnalyzerScale | undefined> {
  process.stdout.write('analyzer at scale ... ');
  return new Promise(resolve => {
    const child = fork(path.join(__dirname, 'analyzer-scale.ts'), [], { execArgv: process.execArgv });
    child.on('message', (result: AnalyzerScale) => {
      console.log(`${((result.analyzeMs + result.allowedFlowsMs) / 1000).toFixed(2)} s`);
      resolve(result);
    });
    child.on('close', code => code === 0 || resolve(undefined));
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);
  console.log(`seed ${SEED}; one flow in ${CROSS_NAMESPACE_EVERY} crosses namespaces; cap ${options.capSeconds} s per measurement\n`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-'));
  const reports: SizeReport[] = [];
  try {
    for (const size of options.sizes) {
      const mediumPlus = reports.find(r => r.size === 'medium')?.outcomes.find(o => o.mode === 'cdk8s-plus');
      reports.push(await benchSize(size, options, tmp, mediumPlus?.status === 'ok' ? mediumPlus.timeMs : undefined));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const analyzerScale = options.variants.includes('reachability') ? await measureAnalyzerScale() : undefined;

  const ratioList = ratios(reports);
  const targetList = targets(reports);
  console.log(`\n${table(reports)}\n\nratios:`);
  for (const r of ratioList) console.log(`  ${r.name}: ${r.value.toFixed(3)}`);
  if (analyzerScale) {
    const a = analyzerScale;
    console.log(`\nanalyzer at scale (issue 4): ${a.pods} pods, ${a.policies} policies: analyze ${(a.analyzeMs / 1000).toFixed(2)} s, `
      + `allowedFlows() over every ordered pair and port ${(a.allowedFlowsMs / 1000).toFixed(2)} s (${a.allowedFlows} flows), peak RSS ${a.maxRssMiB.toFixed(0)} MiB`);
  }
  console.log('\ntargets (issues 5 and 9):');
  for (const t of targetList) console.log(`  ${t.status.padEnd(4)}  ${t.name}: ${t.detail}`);

  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  const date = new Date().toISOString();
  const results = {
    date, machine, seed: SEED, capSeconds: options.capSeconds, sizes: reports, analyzerScale, ratios: ratioList, targets: targetList,
  };
  fs.writeFileSync(options.out, JSON.stringify(results, undefined, 2) + '\n');
  console.log(`\nwritten to ${path.relative(process.cwd(), options.out)}`);
}

main().catch(e => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
