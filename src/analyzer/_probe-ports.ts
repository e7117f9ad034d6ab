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

/** Whether the list holds the port and protocol; a loop rather than a closure, as this runs for every candidate peer. */
function has(list: Probe[], port: number, protocol: string): boolean {
  for (const p of list) {
    if (p.port === port && p.protocol === protocol) return true;
  }
  return false;
}

/** Collects probes, once each, always starting with the destination's own ports; there are a few per peer. */
class Probes {
  private readonly list: Probe[] = [];

  constructor(private readonly destination: EndpointPort[]) {
    for (const p of destination) this.add(p.port, p.protocol);
  }

  public add(port: number, protocol: string): void {
    if (isPortNumber(port) && !has(this.list, port, protocol)) this.list.push({ port, protocol });
  }

  /** A port of `protocol` that the destination does not serve and no rule names, standing for all such ports. */
  public addUnnamed(protocol: string, named: number[]): void {
    let port = 1;
    while (named.includes(port) || has(this.destination, port, protocol)) port++;
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
  // Lists, not sets: a few ports and protocols each, and the ZT416 proof asks this for every candidate peer.
  const named: number[] = [];
  const anyPort: string[] = matching === undefined ? [...PROTOCOLS] : [];
  const addAny = (protocol: string) => anyPort.includes(protocol) || anyPort.push(protocol);
  for (const rule of matching ?? []) {
    if (rule.ports === undefined) PROTOCOLS.forEach(addAny);
    for (const rp of rule.ports ?? []) {
      if (rp.port === undefined) {
        addAny(rp.protocol);
      } else if (typeof rp.port === 'number') {
        const end = rp.endPort ?? rp.port;
        named.push(rp.port, end);
        probes.add(rp.port, rp.protocol);
        probes.add(end, rp.protocol);
        let inside = rp.port;
        while (inside <= end && has(destination, inside, rp.protocol)) inside++;
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
  const named: number[] = [];
  for (const rule of policies.flatMap(p => p.rules)) {
    for (const op of rule.operations ?? []) {
      for (const text of [...op.ports ?? [], ...op.notPorts ?? []]) {
        if (/^\d+$/.test(text) && !named.includes(Number(text))) named.push(Number(text));
      }
    }
  }
  for (const port of named) probes.add(port, 'TCP');
  probes.addUnnamed('TCP', named);
  return probes.all;
}
