// Test helpers: build a chart, synthesize it, and find objects by kind, namespace and name.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';

export function newChart(id = 'test'): { app: App; chart: Chart } {
  const app = Testing.app();
  return { app, chart: new Chart(app, id) };
}

/** Every object of every chart, in order, without running cdk8s's per-chart validation repeatedly. */
export function synthAll(app: App): any[] {
  return app.charts.flatMap(c => Testing.synth(c));
}

export function find(objects: any[], kind: string, namespace: string | undefined, name: string): any {
  const found = objects.filter(o => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${namespace}/${name}, found ${found.length}: ${objects.map(o => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

export function kinds(objects: any[]): string[] {
  return objects.map(o => `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`).sort();
}

const tempDirs: string[] = [];
/** A new empty directory, removed after the test file's tests. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-test-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.splice(0).forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

/** Every file under `dir`, by relative path, with its content. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  }
  return files;
}

/** cdk8s's own `App.synth()`, which the zero-trust guard replaces on a plain App. */
export const cdk8sSynth = (app: App): void => App.prototype.synth.call(app);
