// The ports at which one layer's verdict on one peer can change: checking those checks every port and protocol.
import type { AuthorizationPolicy } from './_istio-authz-eval';
import { EndpointPort, PROTOCOLS, Rule } from './_network-policy-eval';
import { isPortNumber } from '../model/_ports';

/** A port and protocol to check. */
export interface Probe {
  readonly port: number;
  readonly protocol: string;
}

/** A probe and one layer's verdict on it. */
export interface Verdict extends Probe {
  readonly allowed: boolean;
}

/** Collects probes, once each, always starting with the destination's own ports; there are a few per peer. */
class Probes {
  private readonly list: Probe[] = [];

  constructor(private readonly destination: EndpointPort[]) {
    for (const p of destination) this.add(p.port, p.protocol);
  }

  public add(port: number, protocol: string): void {
    if (!isPortNumber(port) || this.list.some(p => p.port === port && p.protocol === protocol)) return;
    this.list.push({ port, protocol });
  }

  /** A port of `protocol` that the destination does not serve and no rule names, standing for all such ports. */
  public addUnnamed(protocol: string, named: Set<number>): void {
    let port = 1;
    while (named.has(port) || this.destination.some(p => p.port === port && p.protocol === protocol)) port++;
    this.add(port, protocol);
  }

  public get all(): Probe[] {
    return this.list;
  }
}

/**
 * Probes for the NetworkPolicy rules of one side whose peers match one peer (undefined: the side is not isolated):
 * the destination's ports, every port and range boundary the rules name (and one port inside each range that the
 * destination does not serve), and an unnamed port wherever a rule admits any port of a protocol.
 */
export function networkProbes(matching: Rule[] | undefined, destination: EndpointPort[]): Probe[] {
  const probes = new Probes(destination);
  const named = new Set<number>();
  const anyPort = new Set<string>(matching === undefined ? PROTOCOLS : []);
  for (const rule of matching ?? []) {
    if (rule.ports === undefined) PROTOCOLS.forEach(proto => anyPort.add(proto));
    for (const rp of rule.ports ?? []) {
      if (rp.port === undefined) {
        anyPort.add(rp.protocol);
      } else if (typeof rp.port === 'number') {
        const end = rp.endPort ?? rp.port;
        named.add(rp.port);
        named.add(end);
        probes.add(rp.port, rp.protocol);
        probes.add(end, rp.protocol);
        let inside = rp.port;
        while (inside <= end && destination.some(p => p.port === inside && p.protocol === rp.protocol)) inside++;
        if (inside <= end) probes.add(inside, rp.protocol);
      }
      // A named port resolves to one of the destination's ports, which are probed already.
    }
  }
  for (const proto of anyPort) probes.addUnnamed(proto, named);
  return probes.all;
}

/** Probes for Istio authorization (TCP only: Istio intercepts nothing else): the ports the policies name, and one more. */
export function authorizationProbes(policies: AuthorizationPolicy[], destination: EndpointPort[]): Probe[] {
  const tcp = destination.filter(p => p.protocol === 'TCP');
  const probes = new Probes(tcp);
  const named = new Set<number>();
  for (const rule of policies.flatMap(p => p.rules)) {
    for (const op of rule.operations ?? []) {
      for (const text of [...op.ports ?? [], ...op.notPorts ?? []]) {
        if (/^\d+$/.test(text)) named.add(Number(text));
      }
    }
  }
  for (const port of named) probes.add(port, 'TCP');
  probes.addUnnamed('TCP', named);
  return probes.all;
}
