// The benchmark's table, ratios and targets.
import type { SizeName } from './topology';
import type { Measurement, Mode } from './worker';

/** A measurement (the median of several runs when `runsMs` is given), or why there is none. */
export type Outcome = ({ status: 'ok'; runsMs?: number[] } & Measurement) | { status: 'not run' | 'failed'; mode: Mode; reason: string };

export interface SizeReport {
  readonly size: SizeName;
  readonly topology: { namespaces: number; services: number; flows: number; crossNamespaceFlows: number };
  readonly outcomes: Outcome[];
  /** Whether the floor wrote the very bytes ZeroTrustApp wrote. */
  readonly floorIdentical?: boolean;
}

export interface Ratio {
  readonly name: string;
  readonly value: number;
}

export interface Target {
  readonly name: string;
  readonly status: 'PASS' | 'FAIL' | 'N/A';
  readonly detail: string;
}

const LABELS: Record<Mode, string> = {
  'ours': 'ours (ZeroTrustApp)',
  'ours-app': 'ours (plain App)',
  'floor': 'floor (Yaml.save)',
  'cdk8s-plus': 'cdk8s-plus-27 (App)',
  'reachability': 'reachability',
};

type Measured = Extract<Outcome, { status: 'ok' }>;

function ok(report: SizeReport | undefined, mode: Mode): Measured | undefined {
  const o = report?.outcomes.find(x => x.mode === mode);
  return o?.status === 'ok' ? o : undefined;
}

const seconds = (ms?: number) => ms === undefined ? '' : (ms / 1000).toFixed(2);
const runs = (ms?: number[]) => ms === undefined ? '' : `median of ${ms.map(seconds).join(', ')} s`;
const mib = (bytes?: number) => bytes === undefined ? '' : (bytes / 1048576).toFixed(1);

export function table(reports: SizeReport[]): string {
  const header = ['size', 'variant', 'time s', 'build s', 'synth s', 'peak RSS MiB', 'files', 'objects', 'MiB written', 'note'];
  const rows = reports.flatMap(r => r.outcomes.map(o => o.status === 'ok'
    ? [r.size, LABELS[o.mode], seconds(o.timeMs), seconds(o.buildMs), seconds(o.synthMs), o.maxRssMiB.toFixed(0),
      String(o.files ?? ''), String(o.objects ?? ''), mib(o.bytes),
      [runs(o.runsMs), o.mode === 'floor' ? `${r.floorIdentical ? 'byte-identical to' : 'DIFFERS FROM'} ours` : o.note ?? '']
        .filter(n => n !== '').join('; ')]
    : [r.size, LABELS[o.mode], o.status, '', '', '', '', '', '', o.reason]));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(row => i === header.length - 1 ? 0 : row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function ratios(reports: SizeReport[]): Ratio[] {
  const out: Ratio[] = [];
  const add = (name: string, a?: number, b?: number) => {
    if (a !== undefined && b !== undefined && b > 0) out.push({ name, value: a / b });
  };
  for (const r of reports) {
    const ours = ok(r, 'ours');
    const plus = ok(r, 'cdk8s-plus');
    add(`${r.size}: ours (ZeroTrustApp) / floor time`, ours?.timeMs, ok(r, 'floor')?.timeMs);
    add(`${r.size}: ours (plain App) / floor time`, ok(r, 'ours-app')?.timeMs, ok(r, 'floor')?.timeMs);
    add(`${r.size}: ours / cdk8s-plus time`, ours?.timeMs, plus?.timeMs);
    add(`${r.size}: ours / cdk8s-plus objects`, ours?.objects, plus?.objects);
    add(`${r.size}: ours / cdk8s-plus bytes`, ours?.bytes, plus?.bytes);
    add(`${r.size}: plain App / ZeroTrustApp time`, ok(r, 'ours-app')?.timeMs, ours?.timeMs);
  }
  const medium = reports.find(r => r.size === 'medium');
  const large = reports.find(r => r.size === 'large');
  add('large / medium ours time', ok(large, 'ours')?.timeMs, ok(medium, 'ours')?.timeMs);
  add('large / medium ours peak RSS', ok(large, 'ours')?.maxRssMiB, ok(medium, 'ours')?.maxRssMiB);
  return out;
}

const medianOf = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Each round's ratio of a variant's time to the floor's: the paired variants alternate, so the two runs of a round
 * share the machine's state, and a slow spell of a shared machine cannot favour either side of the ratio.
 */
function roundRatios(variant?: Measured, floor?: Measured): number[] | undefined {
  const [a, b] = [variant?.runsMs, floor?.runsMs];
  if (a === undefined || b === undefined || a.length !== b.length || a.length < 2) return undefined;
  return a.map((ms, i) => ms / b[i]);
}

/** The targets of issues 5 and 9; the time ratios to the floor are the median of the rounds' ratios when repeated. */
export function targets(reports: SizeReport[]): Target[] {
  const medium = reports.find(r => r.size === 'medium');
  const large = reports.find(r => r.size === 'large');
  type Compare = (a: number, b: number) => boolean;
  type Describe = (a: number, b: number) => string;
  const check = (name: string, a: number | undefined, b: number | undefined, pass: Compare, detail: Describe): Target =>
    a === undefined || b === undefined
      ? { name, status: 'N/A', detail: 'not measured in this run' }
      : { name, status: pass(a, b) ? 'PASS' : 'FAIL', detail: detail(a, b) };
  const mOurs = ok(medium, 'ours');
  const mPlus = ok(medium, 'cdk8s-plus');
  const lOurs = ok(large, 'ours');
  const mFloor = ok(medium, 'floor');
  const versusFloor = (name: string, mode: Mode, limit: number): Target => {
    const variant = ok(medium, mode);
    const rounds = roundRatios(variant, mFloor);
    if (variant === undefined || mFloor === undefined || rounds === undefined) {
      return check(name, variant?.timeMs, mFloor?.timeMs, (a, b) => a <= limit * b, (a, b) => `${seconds(a)} s vs ${seconds(b)} s = ${(a / b).toFixed(2)}x`);
    }
    const value = medianOf(rounds);
    return {
      name,
      status: value <= limit ? 'PASS' : 'FAIL',
      detail: `median of the rounds' ratios ${value.toFixed(2)}x (rounds ${rounds.map(r => r.toFixed(2)).join(', ')}; `
        + `medians ${seconds(variant.timeMs)} s vs ${seconds(mFloor.timeMs)} s = ${(variant.timeMs / mFloor.timeMs).toFixed(2)}x)`,
    };
  };
  return [
    versusFloor('medium: ours (ZeroTrustApp) time <= 2 x floor', 'ours', 2),
    versusFloor('medium: ours (plain App) time <= 2.5 x floor', 'ours-app', 2.5),
    check('medium: ours time < cdk8s-plus', mOurs?.timeMs, mPlus?.timeMs, (a, b) => a < b,
      (a, b) => `${seconds(a)} s vs ${seconds(b)} s = ${(a / b).toFixed(3)}x`),
    check('medium: ours objects < cdk8s-plus', mOurs?.objects, mPlus?.objects, (a, b) => a < b, (a, b) => `${a} vs ${b}`),
    check('large / medium ours time <= 6x', lOurs?.timeMs, mOurs?.timeMs, (a, b) => a <= 6 * b,
      (a, b) => `${seconds(a)} s / ${seconds(b)} s = ${(a / b).toFixed(2)}x`),
    check('large: ours peak RSS < 1 GiB', lOurs?.maxRssMiB, 1024, (a, b) => a < b, a => `${a.toFixed(0)} MiB`),
  ];
}
