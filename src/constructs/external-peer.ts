import { IpBlockSpec } from '../model/_network-policy-spec';
import { ruleMessage } from '../rules/_catalog';
import { cidrContains, parseCidr, parseIp } from '../util/_cidr';

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
   * The CIDR blocks of the peer.
   */
  public readonly cidrs: string[];

  /** The NetworkPolicy ipBlocks of the peer. */
  private readonly blocks: IpBlockSpec[];

  private constructor(blocks: IpBlockSpec[]) {
    this.blocks = blocks;
    this.cidrs = blocks.map(b => b.cidr);
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
