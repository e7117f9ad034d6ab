// The declared flow graph of one app, stored once: the constructs write it, the renderer and the ZT416 proof read it.
import { Flow, FlowEnd, mergeFlows } from './_flow';

/** A flow end's `namespace/name`, the key by which the proof finds its pods. */
export function endKey(end: { readonly name: string; readonly namespace: { readonly name: string } }): string {
  return `${end.namespace.name}/${end.name}`;
}

/** The declared flows, by client and by server; a second declaration of a flow merges its ports into the first. */
export class FlowGraph {
  /** Flows by client key, then server key. */
  private readonly byClient = new Map<string, Map<string, Flow>>();
  /** The same flows by server key, then client key. */
  private readonly byServer = new Map<string, Map<string, Flow>>();
  /** The issuers whose token each server requires on every request, by server key. */
  private readonly tokens = new Map<string, string[]>();

  /** Records that a server requires, on every request, a token of `issuer`. */
  public requireToken(server: FlowEnd, issuer: string): void {
    entryList(this.tokens, endKey(server)).push(issuer);
  }

  /** The issuers whose token a server requires (one of them), by key; empty when it requires none. */
  public tokenIssuers(server: string): readonly string[] {
    return this.tokens.get(server) ?? [];
  }

  /** The declared flow from one service to another, by key. */
  public flow(client: string, server: string): Flow | undefined {
    return this.byClient.get(client)?.get(server);
  }

  /** Records a flow, merging it with an earlier declaration of the same client and server. */
  public declare(flow: Flow): void {
    const client = endKey(flow.from);
    const server = endKey(flow.to);
    const earlier = this.byClient.get(client)?.get(server);
    const merged = earlier ? mergeFlows(earlier, flow) : flow;
    entry(this.byClient, client).set(server, merged);
    entry(this.byServer, server).set(client, merged);
  }

  /** The flows out of a service. */
  public outbound(client: FlowEnd): Flow[] {
    return [...this.byClient.get(endKey(client))?.values() ?? []];
  }

  /** The flows into a service. */
  public inbound(server: FlowEnd): Flow[] {
    return [...this.byServer.get(endKey(server))?.values() ?? []];
  }

  /** The declared ports from one service to another, by key; undefined when no flow is declared. */
  public ports(client: string, server: string): readonly number[] | undefined {
    return this.byClient.get(client)?.get(server)?.ports;
  }

  /** The keys of the services a service may call. */
  public servers(client: string): string[] {
    return [...this.byClient.get(client)?.keys() ?? []];
  }

  /** The keys of the services that may call a service. */
  public clients(server: string): string[] {
    return [...this.byServer.get(server)?.keys() ?? []];
  }
}

function entryList(map: Map<string, string[]>, key: string): string[] {
  let list = map.get(key);
  if (!list) map.set(key, list = []);
  return list;
}

function entry(map: Map<string, Map<string, Flow>>, key: string): Map<string, Flow> {
  let inner = map.get(key);
  if (!inner) map.set(key, inner = new Map());
  return inner;
}
