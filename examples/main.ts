// The main job: synthesize every example cluster into dist/<example>/, print the objects written, then read the
// YAML back with the command line's analyzer: the allowed-flow matrix, a Mermaid diagram, and a check against
// the expected flows in examples/<example>.flows, with examples/<example>.platform.yaml when the cluster's own
// manifests (such as its Prometheus) are part of them; then a few request-level questions (`cdk8s-zero-trust check`).
// Exits non-zero if any example allows more or less than expected.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ZeroTrustApp } from '../src';
import { ambientOrders } from './ambient-orders';
import { bookinfo } from './bookinfo';
import { onlineBoutique } from './online-boutique';
import { seed } from './seed';
import { main } from '../src/cli/_cli';

const EXAMPLES: Record<string, (app: App) => void> = {
  'seed': seed, 'bookinfo': bookinfo, 'online-boutique': onlineBoutique, 'ambient-orders': ambientOrders,
};

// Request-level questions per example: the check command's options, and whether the request is allowed.
const REVIEWS = ['--from', 'bookinfo-front/productpage', '--to', 'bookinfo-back/reviews-v1', '--port', '9080'];
const ORDERS = ['--from', 'orders/storefront', '--to', 'orders/orders-api', '--port', '8080'];
const SHOPPER = ['--request-principal', 'https://login.example.com/shopper-42'];
const CHECKS: Record<string, Array<[string[], boolean]>> = {
  'bookinfo': [
    [[...REVIEWS, '--method', 'GET', '--path', '/reviews/1'], true],
    [[...REVIEWS, '--method', 'DELETE', '--path', '/reviews/1'], false],
  ],
  'ambient-orders': [
    [[...ORDERS, '--method', 'POST', '--path', '/orders/', ...SHOPPER], true],
    [[...ORDERS, '--method', 'POST', '--path', '/orders/', '--request-principal', ''], false],
    [[...ORDERS, '--method', 'DELETE', '--path', '/orders/42', ...SHOPPER], false],
    [['--from', 'orders/orders-operator', '--to', '10.0.0.10', '--port', '6443'], true],
  ],
};

let failed = false;
for (const [name, build] of Object.entries(EXAMPLES)) {
  const outdir = path.join('dist', name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new ZeroTrustApp({ outdir });
  build(app);
  app.synth();

  console.log(`\n== ${name}: ${outdir}/`);
  const files = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).sort().map(f => path.join(outdir, f));
  for (const file of files) {
    const kinds = [...fs.readFileSync(file, 'utf8').matchAll(/^kind: (\S+)$/gm)].map(m => m[1]);
    const counts = [...new Set(kinds)].sort().map(k => `${kinds.filter(x => x === k).length} ${k}`);
    console.log(`  ${file}: ${kinds.length} objects (${counts.join(', ')})`);
  }
  // The cluster's own manifests that the example's flows involve but the app does not emit, such as Prometheus.
  const platform = path.join('examples', `${name}.platform.yaml`);
  const extra = fs.existsSync(platform) ? [platform] : [];
  files.push(...extra);
  const sources = [`${outdir}/*.yaml`, ...extra].join(' ');
  const command = `npx cdk8s-zero-trust verify ${sources} --expect examples/${name}.flows`;
  console.log(`\n  Allowed flows, read back from the YAML (${command}):\n`);
  const code = main(['verify', ...files, '--expect', path.join('examples', `${name}.flows`), '--mermaid', path.join(outdir, 'flows.mmd')]);
  failed ||= code !== 0;
  for (const [args, allowed] of CHECKS[name] ?? []) {
    console.log(`\n  A request, read back from the YAML (npx cdk8s-zero-trust check ${sources} ${args.map(a => a === '' ? "''" : a).join(' ')}):\n`);
    failed ||= main(['check', ...files, ...args]) !== (allowed ? 0 : 1);
  }
}
process.exitCode = failed ? 1 : 0;
