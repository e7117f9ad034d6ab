// Synthetic clusters: namespaces of services and the flows between them, generated from a fixed seed.

export type SizeName = 'small' | 'medium' | 'large';

export interface Size {
  readonly namespaces: number;
  readonly servicesPerNamespace: number;
  readonly flowsPerService: number;
}

export const SIZES: Record<SizeName, Size> = {
  small: { namespaces: 10, servicesPerNamespace: 10, flowsPerService: 3 },
  medium: { namespaces: 100, servicesPerNamespace: 20, flowsPerService: 5 },
  large: { namespaces: 500, servicesPerNamespace: 20, flowsPerService: 5 },
};

/** One flow in five crosses namespaces. */
export const CROSS_NAMESPACE_EVERY = 5;
/** One namespace in four (drawn at random) is ambient, the others have sidecars. */
const AMBIENT_SHARE = 0.25;
export const SEED = 20240605;

export interface ServiceSpec {
  readonly name: string;
  /** App ports: every service serves HTTP on 8080, every other one also gRPC on 9090. */
  readonly ports: number[];
}

export interface NamespaceSpec {
  readonly name: string;
  readonly ambient: boolean;
  readonly services: ServiceSpec[];
}

/** A service by namespace index and service index. */
export interface Endpoint {
  readonly ns: number;
  readonly svc: number;
}

export interface FlowSpec {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** A non-empty subset of the server's ports. */
  readonly ports: number[];
}

export interface Topology {
  readonly namespaces: NamespaceSpec[];
  readonly flows: FlowSpec[];
}

/** The Park-Miller generator: small, deterministic, so every process builds the same cluster. */
function random(seed: number): () => number {
  const modulus = 2147483647;
  let state = seed % modulus || 1;
  return () => {
    state = (state * 48271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

/**
 * Every service declares `flowsPerService` flows to distinct servers; every fifth flow of a namespace goes to a
 * random service of another namespace, the others to another service of the same namespace.
 */
export function generate(size: Size, seed = SEED): Topology {
  const rand = random(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const namespaces: NamespaceSpec[] = [];
  for (let n = 0; n < size.namespaces; n++) {
    const services: ServiceSpec[] = [];
    for (let s = 0; s < size.servicesPerNamespace; s++) {
      services.push({ name: `svc-${pad(s, 2)}`, ports: s % 2 === 0 ? [8080] : [8080, 9090] });
    }
    namespaces.push({ name: `ns-${pad(n, 3)}`, ambient: rand() < AMBIENT_SHARE, services });
  }
  const flows: FlowSpec[] = [];
  for (let n = 0; n < size.namespaces; n++) {
    for (let s = 0; s < size.servicesPerNamespace; s++) {
      const targets = new Set<string>();
      for (let f = 0; f < size.flowsPerService; f++) {
        const cross = (s * size.flowsPerService + f) % CROSS_NAMESPACE_EVERY === 0;
        let to: Endpoint;
        do {
          to = cross
            ? { ns: (n + 1 + pick(size.namespaces - 1)) % size.namespaces, svc: pick(size.servicesPerNamespace) }
            : { ns: n, svc: (s + 1 + pick(size.servicesPerNamespace - 1)) % size.servicesPerNamespace };
        } while (targets.has(`${to.ns}/${to.svc}`));
        targets.add(`${to.ns}/${to.svc}`);
        const serverPorts = namespaces[to.ns].services[to.svc].ports;
        // Half the flows take all of the server's ports, the others its first port only.
        const ports = rand() < 0.5 ? [...serverPorts] : [serverPorts[0]];
        flows.push({ from: { ns: n, svc: s }, to, ports });
      }
    }
  }
  return { namespaces, flows };
}

function pad(n: number, width: number): string {
  return n.toString().padStart(width, '0');
}
