import { FlowEnd } from '../../src/model/_flow';
import { FlowGraph, endKey } from '../../src/model/_flow-graph';
import { MeshMode } from '../../src/model/mesh-mode';

const end = (namespace: string, name: string): FlowEnd => ({
  name,
  namespace: { name: namespace, mesh: MeshMode.SIDECAR, trustDomain: 'cluster.local', meshed: true },
  selector: { app: name },
  principal: `cluster.local/ns/${namespace}/sa/${name}`,
});

describe('FlowGraph', () => {
  const web = end('shop', 'web');
  const api = end('pay', 'api');
  const db = end('pay', 'db');

  test('keys a flow end by namespace and name', () => {
    expect(endKey(web)).toBe('shop/web');
  });

  test('stores each flow once, readable by client and by server', () => {
    const graph = new FlowGraph();
    graph.declare({ from: web, to: api, ports: [8080] });
    graph.declare({ from: api, to: db, ports: [5432] });
    expect(graph.outbound(web)).toEqual([{ from: web, to: api, ports: [8080] }]);
    expect(graph.inbound(api)).toEqual(graph.outbound(web));
    expect(graph.inbound(api)[0]).toBe(graph.outbound(web)[0]);
    expect(graph.servers('pay/api')).toEqual(['pay/db']);
    expect(graph.clients('pay/api')).toEqual(['shop/web']);
    expect(graph.ports('shop/web', 'pay/api')).toEqual([8080]);
    expect(graph.ports('pay/api', 'shop/web')).toBeUndefined();
    expect(graph.inbound(web)).toEqual([]);
    expect(graph.servers('shop/none')).toEqual([]);
  });

  test('a second declaration of a flow merges its ports, sorted', () => {
    const graph = new FlowGraph();
    graph.declare({ from: web, to: api, ports: [9090] });
    graph.declare({ from: web, to: api, ports: [8080, 9090] });
    expect(graph.outbound(web)).toEqual([{ from: web, to: api, ports: [8080, 9090] }]);
    expect(graph.inbound(api)).toEqual(graph.outbound(web));
  });
});
