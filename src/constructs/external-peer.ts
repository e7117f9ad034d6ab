import { checkPort } from './_check-port';
import { IpBlockSpec } from '../model/_network-policy-spec';
import { ruleMessage } from '../rules/_catalog';
import { meshHost } from '../rules/_manifest-objects';
import { cidrContains, parseCidr, parseIp } from '../util/_cidr';
import { dns1123SubdomainProblem } from '../util/_names';

/**
 * An egress gateway that traffic to external hosts leaves the cluster through: `EgressGateway` is one.
 */
export interface IEgressGateway {
  /**
   * The gateway name.
   */
  readonly name: string;
}

/**
 * Options for `ExternalPeer.host()`.
 */
export interface ExternalHostOptions {
  /**
   * The egress gateway the connections leave through: clients reach only its pods, and only its pods reach the host.
   */
  readonly gateway: IEgressGateway;

  /**
   * The addresses the gateway's pods may connect to for the host, on its port: `ExternalPeer.cidr()` with the
   * provider's published ranges, or `ExternalPeer.anyAddressUnsafe()` when they are unknown or change, which fails
   * the synth with ZT403 until you suppress it on the gateway with a reason.
   */
  readonly addresses: ExternalPeer;

  /**
   * The TCP port the host serves TLS on; clients speak TLS to it themselves (the gateway routes by SNI, without
   * terminating TLS).
   * @default 443
   */
  readonly port?: number;
}

/** A host peer: a DNS name reached over TLS through an egress gateway. */
export interface ExternalHost {
  readonly hostname: string;
  readonly port: number;
  readonly gateway: IEgressGateway;
  readonly addresses: ExternalPeer;
}

/**
 * Addresses outside the cluster that a MeshedService may connect to, such as a managed database or a partner API.
 *
 * Egress to them becomes an `ipBlock` rule on the workload's NetworkPolicy, on the ports given to
 * `allowToExternal`; they never widen who may connect in. Peers are always explicit ranges:
 * `ExternalPeer.anyAddressUnsafe()` is the only way to name every address, and the synth then fails with ZT403
 * unless the flow is suppressed with a reason.
 */
export class ExternalPeer {
  /**
   * A CIDR block, such as `203.0.113.0/24` or `2001:db8::/32`, optionally without some blocks inside it.
   * @param cidr the block; a prefix length of 0 is refused, use `anyAddressUnsafe()`
   * @param except blocks inside `cidr` to leave out
   */
  public static cidr(cidr: string, except: string[] = []): ExternalPeer {
    const where = `ExternalPeer.cidr(${cidr})`;
    const block = parseCidr(cidr);
    if (!block) {
      throw new Error(ruleMessage('ZT108', where, `"${cidr}" is not a CIDR block`, 'Give an address and a prefix length, such as "203.0.113.0/24".'));
    }
    if (block.prefix === 0) {
      throw new Error(ruleMessage('ZT108', where, `"${cidr}" is every address`, 'Name the range you need, or use ExternalPeer.anyAddressUnsafe() and suppress ZT403 with a reason.'));
    }
    for (const e of except) {
      const inner = parseCidr(e);
      const base = inner && parseIp(e.slice(0, e.indexOf('/')));
      if (!inner || !base || !cidrContains(block, base) || inner.prefix <= block.prefix) {
        throw new Error(ruleMessage('ZT108', where, `except "${e}" is not a smaller block inside ${cidr}`, 'Give except blocks strictly inside the CIDR, or drop them.'));
      }
    }
    return new ExternalPeer([{ cidr, ...(except.length > 0 ? { except: [...except].sort() } : {}) }]);
  }

  /**
   * Every IPv4 and IPv6 address: the whole internet, on the given ports.
   *
   * The guard refuses the synth with ZT403 unless the construct that allows it carries
   * `ZeroTrustRules.suppress(service, 'ZT403', reason)`; the reason is kept on the NetworkPolicy as an annotation.
   */
  public static anyAddressUnsafe(): ExternalPeer {
    return new ExternalPeer([{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }]);
  }

  /**
   * A host outside the cluster by its DNS name, such as `api.stripe.com`, reached over TLS through an egress gateway.
   *
   * `service.allowToExternal(peer, { ports: [443] })` then lets the service's pods reach only the gateway's pods, on
   * that port; the gateway routes the connection by its TLS server name (SNI) to the host, admits only the clients
   * declared for that host, and is the only workload whose NetworkPolicy reaches `addresses`. See docs/egress.md.
   * @param hostname a DNS name outside the cluster (a DNS-1123 subdomain, no wildcard)
   * @param options the gateway, the addresses and the port
   */
  public static host(hostname: string, options: ExternalHostOptions): ExternalPeer {
    const where = `ExternalPeer.host(${hostname})`;
    const problem = hostname.startsWith('*')
      ? `"${hostname}" is a wildcard, which an egress gateway cannot resolve by DNS or route by one server name`
      : dns1123SubdomainProblem(hostname) ?? (meshHost(hostname) ? `"${hostname}" names a host inside the cluster or the mesh` : undefined);
    if (problem) {
      throw new Error(ruleMessage('ZT130', where, problem, 'Give the full DNS name of one host outside the cluster, such as "api.stripe.com"; declare each host you call.'));
    }
    if (options.addresses._host) {
      throw new Error(ruleMessage('ZT130', where, 'addresses is a host, not a range of addresses', 'Give ExternalPeer.cidr() or ExternalPeer.anyAddressUnsafe().'));
    }
    const port = options.port ?? 443;
    checkPort(where, port);
    return new ExternalPeer(options.addresses._ipBlocks, { hostname, port, gateway: options.gateway, addresses: options.addresses });
  }

  /**
   * The CIDR blocks of the peer: for a host, the addresses its gateway may connect to.
   */
  public readonly cidrs: string[];

  /**
   * The DNS name of a host peer.
   */
  public readonly hostname?: string;

  /** The NetworkPolicy ipBlocks of the peer. */
  private readonly blocks: IpBlockSpec[];

  /** The host, for a host peer. */
  private readonly host?: ExternalHost;

  private constructor(blocks: IpBlockSpec[], host?: ExternalHost) {
    this.blocks = blocks;
    this.cidrs = blocks.map(b => b.cidr);
    this.host = host;
    this.hostname = host?.hostname;
  }

  /**
   * The host of a host peer, which flows reach through its egress gateway.
   * @internal
   */
  public get _host(): ExternalHost | undefined {
    return this.host;
  }

  /**
   * The peer's ipBlocks, for a NetworkPolicy rule.
   * @internal
   */
  public get _ipBlocks(): IpBlockSpec[] {
    return this.blocks.map(b => ({ ...b }));
  }

  /**
   * A key that identifies equal peers, to merge flows to the same addresses.
   * @internal
   */
  public get _key(): string {
    return JSON.stringify(this.blocks);
  }
}

/**
 * Options for a flow from a MeshedService to an ExternalPeer.
 */
export interface ExternalFlowOptions {
  /**
   * The TCP ports the service may connect to on the peer.
   */
  readonly ports: number[];
}
