// The analyzer at the scale issue 4 names: 2,000 pods and 10,000 NetworkPolicies with every kind of selector,
// peer and port, plus Istio policies. Run in a fresh process by run.ts; replies with its figures over IPC.
import { PodInput, Reachability } from '../src';

export interface AnalyzerScale {
  readonly pods: number;
  readonly policies: number;
  readonly analyzeMs: number;
  readonly allowedFlowsMs: number;
  readonly allowedFlows: number;
  readonly maxRssMiB: number;
}

const NAMESPACES = 100;
const PODS_PER_NAMESPACE = 20;
const POLICIES_PER_NAMESPACE = 100;
const TIERS = ['web', 'api', 'db', 'cache'];

function world(): { pods: PodInput[]; manifests: any[]; namespaces: Array<{ name: string; labels: Record<string, string> }> } {
  const namespaces = Array.from({ length: NAMESPACES }, (_, n) => ({
    name: `ns${n}`,
    labels: { team: `t${n % 10}`, ...(n % 4 === 0 ? { 'istio-injection': 'enabled' } : {}) },
  }));
  const pods: PodInput[] = namespaces.flatMap((ns, n) => Array.from({ length: PODS_PER_NAMESPACE }, (_, p) => ({
    namespace: ns.name,
    name: `p${p}`,
    labels: { app: `a${p}`, tier: TIERS[p % TIERS.length], shard: `s${(n + p) % 7}` },
    serviceAccount: `a${p}`,
    ports: [{ port: 80, name: 'http' }, { port: 81 }, { port: 5432, name: 'pg' }],
  })));
  const manifests: any[] = [];
  namespaces.forEach((ns, n) => {
    for (let i = 0; i < POLICIES_PER_NAMESPACE; i++) {
      const peerKinds = [
        { podSelector: { matchLabels: { app: `a${(i + 1) % PODS_PER_NAMESPACE}` } } },
        { namespaceSelector: { matchLabels: { team: `t${i % 10}` } }, podSelector: { matchLabels: { tier: TIERS[i % TIERS.length] } } },
        { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: [`t${i % 10}`, `t${(i + 3) % 10}`] }] } },
        { podSelector: { matchExpressions: [{ key: 'shard', operator: 'NotIn', values: ['s1', 's2'] }] } },
        { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
      ];
      const ports = [[{ port: 80 }], [{ port: 'pg' }], [{ port: 80, endPort: 81 }], [{ port: 'http', protocol: 'TCP' }]][i % 4];
      manifests.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `np${i}`, namespace: ns.name },
        spec: {
          podSelector: i % 5 === 0 ? { matchLabels: { tier: TIERS[i % TIERS.length] } } : { matchLabels: { app: `a${i % PODS_PER_NAMESPACE}` } },
          policyTypes: i % 3 === 0 ? ['Ingress', 'Egress'] : ['Ingress'],
          ingress: [{ from: [peerKinds[i % peerKinds.length], peerKinds[(i + 2) % peerKinds.length]], ports }],
          ...(i % 3 === 0 ? { egress: [{ to: [peerKinds[(i + 1) % peerKinds.length]], ports }] } : {}),
        },
      });
    }
    if (n % 4 === 0) {
      manifests.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns.name }, spec: { mtls: { mode: 'STRICT' } } });
      for (let p = 0; p < PODS_PER_NAMESPACE; p++) {
        manifests.push({
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: `ap${p}`, namespace: ns.name },
          spec: {
            selector: { matchLabels: { app: `a${p}` } },
            rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns.name}/sa/a${(p + 1) % PODS_PER_NAMESPACE}`] } }], to: [{ operation: { ports: ['80'] } }] }],
          },
        });
      }
    }
  });
  return { pods, manifests, namespaces };
}

export function measureAnalyzerScale(): AnalyzerScale {
  const { pods, manifests, namespaces } = world();
  const t0 = performance.now();
  const r = Reachability.analyze({ pods, manifests, namespaces });
  const t1 = performance.now();
  const flows = r.allowedFlows();
  const t2 = performance.now();
  return {
    pods: pods.length,
    policies: manifests.length,
    analyzeMs: t1 - t0,
    allowedFlowsMs: t2 - t1,
    allowedFlows: flows.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

if (require.main === module) {
  const result = measureAnalyzerScale();
  if (process.send) process.send(result);
  else console.log(result);
}
