// Property tests of the rendered policies: for random topologies, each side alone (client egress, server ingress,
// server authorization, as the reachability analyzer reads them) allows a flow exactly when it was declared.
import { ApiObject, App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { MeshedService, MeshMode, PodInput, Reachability, ServicePort, ZeroTrustNamespace } from '../../src';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FC_RUNS ?? 1000);
console.log(`property tests: fast-check seed ${SEED}, ${RUNS} runs (set FC_SEED to replay)`);

const PORTS = [80, 81, 8080, 9090];
const MESHES = [MeshMode.SIDECAR, MeshMode.AMBIENT, MeshMode.NONE];

interface Topology {
  readonly namespaces: Array<{ readonly mesh: MeshMode; readonly allowDns: boolean; readonly services: number[][] }>;
  readonly flows: Array<{ readonly from: number; readonly to: number; readonly ports?: number[] }>;
  readonly chartPerNamespace: boolean;
}

const topology: fc.Arbitrary<Topology> = fc.record({
  namespaces: fc.array(fc.record({
    mesh: fc.constantFrom(...MESHES),
    allowDns: fc.boolean(),
    services: fc.array(fc.subarray(PORTS, { minLength: 1 }), { minLength: 1, maxLength: 3 }),
  }), { minLength: 1, maxLength: 3 }),
  flows: fc.array(fc.record({
    from: fc.nat(20),
    to: fc.nat(20),
    ports: fc.option(fc.subarray(PORTS, { minLength: 1 }), { nil: undefined }),
  }), { maxLength: 12 }),
  chartPerNamespace: fc.boolean(),
});

/** Builds the app; flows that the library rightly refuses (self, outside the mesh into it, unknown ports) are skipped. */
function build(t: Topology) {
  const app = new App();
  const services: MeshedService[] = [];
  let shared: Chart | undefined;
  t.namespaces.forEach((n, i) => {
    const chart = t.chartPerNamespace ? new Chart(app, `c${i}`) : (shared ??= new Chart(app, 'c'));
    const ns = new ZeroTrustNamespace(chart, `ns${i}`, { name: `ns${i}`, mesh: n.mesh, allowDns: n.allowDns });
    n.services.forEach((ports, j) => {
      services.push(new MeshedService(chart, `s${i}-${j}`, { namespace: ns, name: `s${j}`, ports: ports.map(p => ServicePort.tcp(p)) }));
    });
  });
  const declared = new Set<string>();
  for (const f of t.flows) {
    const from = services[f.from % services.length];
    const to = services[f.to % services.length];
    const exposed = to.ports.map(p => p.port);
    const ports = f.ports?.filter(p => exposed.includes(p));
    if (from === to || (!from.namespace.meshed && to.namespace.meshed) || ports?.length === 0) continue;
    from.allowTo(to, { ports });
    for (const p of ports ?? exposed) declared.add(`${id(from)}>${id(to)}:${p}`);
  }
  return { app, services, declared };
}

const id = (s: MeshedService) => `${s.namespace.name}/${s.name}`;

/** The analyzer over the app's objects (read without cdk8s validation), plus a plaintext pod outside every managed namespace. */
function analyze(app: App, services: MeshedService[]): Reachability {
  const manifests = app.node.findAll().filter(ApiObject.isApiObject).map(o => o.toJson());
  const outsider: PodInput = { namespace: 'outside', name: 'stranger', labels: { 'zero-trust.cdk8s.io/workload': 's0' }, serviceAccount: 's0', ports: [{ port: 80 }] };
  const pods = [...services.flatMap(s => s._reachabilityPods()), outsider];
  const namespaces = manifests.filter(m => m.kind === 'Namespace').map(m => ({ name: m.metadata.name, labels: m.metadata.labels }));
  return Reachability.analyze({ namespaces, pods, manifests });
}

describe('rendered policies allow exactly the declared flows, on each side alone', () => {
  test('for every ordered pair of services, every port of the server and one more, over TCP and UDP', () => {
    fc.assert(fc.property(topology, t => {
      const { app, services, declared } = build(t);
      const r = analyze(app, services);
      for (const a of services) {
        for (const b of services) {
          if (a === b) continue;
          // With an ambient end, HBONE hides the app port from NetworkPolicy, which then only tells who may connect.
          const meshes = [a.namespace.mesh, b.namespace.mesh];
          const hbone = !meshes.includes(MeshMode.NONE) && meshes.includes(MeshMode.AMBIENT);
          const anyPort = b.ports.some(p => declared.has(`${id(a)}>${id(b)}:${p.port}`));
          for (const port of [...b.ports.map(p => p.port), 1]) {
            for (const protocol of ['TCP', 'UDP']) {
              const want = protocol === 'TCP' && declared.has(`${id(a)}>${id(b)}:${port}`);
              const wantNetwork = protocol === 'TCP' && hbone ? anyPort : want;
              const got = r.check({ from: id(a), to: id(b), port, protocol });
              const where = `${id(a)} -> ${id(b)}:${port}/${protocol}`;
              expect({ where, egress: got.egress }).toEqual({ where, egress: wantNetwork });
              expect({ where, ingress: got.ingress }).toEqual({ where, ingress: wantNetwork });
              // Outside the mesh, or off TCP, no proxy enforces authorization; in it, only declared principals pass.
              expect({ where, authorization: got.authorization }).toEqual({ where, authorization: b.namespace.meshed && protocol === 'TCP' ? want : true });
            }
          }
        }
      }
    }), { seed: SEED, numRuns: RUNS });
  });

  test('a stranger outside the managed namespaces reaches nothing, and meshed servers refuse it at STRICT mTLS', () => {
    fc.assert(fc.property(topology, t => {
      const { app, services } = build(t);
      const r = analyze(app, services);
      for (const b of services) {
        for (const { port } of b.ports) {
          const query = { from: 'outside/stranger', to: id(b), port };
          expect({ to: id(b), ingress: r.check(query).ingress }).toEqual({ to: id(b), ingress: false });
          if (b.namespace.meshed) {
            expect(r.explain(query).authorization.reasons).toContain('STRICT mTLS refuses plaintext and outside/stranger is not in the mesh');
          }
        }
        // Nor may any service reach the stranger, which shares a service's labels and identity in another namespace.
        expect({ from: id(b), egress: r.check({ from: id(b), to: 'outside/stranger', port: 80 }).egress }).toEqual({ from: id(b), egress: false });
      }
    }), { seed: SEED, numRuns: RUNS });
  });

  test('declaration order never changes a byte: the same topology with flows shuffled renders the same objects', () => {
    const render = (t: Topology) => {
      const { app } = build(t);
      return app.node.findAll().filter(ApiObject.isApiObject).map(o => JSON.stringify(o.toJson())).sort();
    };
    fc.assert(fc.property(topology, fc.infiniteStream(fc.nat()), (t, randoms) => {
      const shuffled = [...t.flows].map(f => ({ f, k: randoms.next().value })).sort((x, y) => x.k - y.k).map(x => x.f);
      expect(render({ ...t, flows: shuffled })).toEqual(render(t));
    }), { seed: SEED, numRuns: Math.max(100, RUNS / 5) });
  });
});
