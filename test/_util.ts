// Test helpers: build a chart, synthesize it, and find objects by kind, namespace and name.
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
