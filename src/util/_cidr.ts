/**
 * IPv4 and IPv6 addresses and CIDR blocks, enough to evaluate NetworkPolicy `ipBlock` and Istio `ipBlocks`.
 * Addresses are bigints so that one code path serves both families.
 */

/** An IP address: its family and its value as an unsigned integer. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block; host bits are ignored, as Go's net.ParseCIDR does. */
export interface CidrBlock {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** The network number: value / 2^(bits - prefix). */
  readonly network: bigint;
  readonly text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256n + BigInt(Number(part));
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    groups.push(BigInt(`0x${group}`));
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text;
  let tail: bigint[] = [];
  // An embedded IPv4 address (e.g. ::ffff:10.0.0.1) fills the last two groups.
  if (body.includes('.')) {
    const lastColon = body.lastIndexOf(':');
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 / 65536n, v4 % 65536n];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const groups = [...head, ...new Array<bigint>(8 - explicit).fill(0n), ...rest, ...tail];
  return groups.reduce((acc, g) => acc * 65536n + g, 0n);
}

/** Parses an IPv4 or IPv6 address; undefined when the text is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** The IPv4-mapped IPv6 range ::ffff:0:0/96: the 96 bits above each IPv4 address. */
const MAPPED_PREFIX = 96;
const MAPPED_NETWORK = 0xffffn;

/**
 * Parses `address/prefix`; a bare address is a single-host block when `allowBare` is set (Istio's ipBlocks allow it).
 * A block inside ::ffff:0:0/96 is the IPv4 block it maps (`::ffff:10.0.0.0/104` is 10.0.0.0/8), as Go's net.IPNet,
 * and so Calico, Istio and the API server, read it.
 */
export function parseCidr(text: string, allowBare = false): CidrBlock | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 && !allowBare) return undefined;
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = BITS[ip.family];
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  const prefix = Number(prefixText);
  if (ip.family === 6 && prefix >= MAPPED_PREFIX && ip.value / 2n ** 32n === MAPPED_NETWORK) {
    return { family: 4, prefix: prefix - MAPPED_PREFIX, network: (ip.value % 2n ** 32n) / 2n ** BigInt(bits - prefix), text };
  }
  return { family: ip.family, prefix, network: ip.value / 2n ** BigInt(bits - prefix), text };
}

/**
 * A block and, for an IPv6 block wider than ::ffff:0:0/96 that contains it, every IPv4 address (0.0.0.0/0 under the
 * block's text): whether an implementation matches IPv4 clients against such a block varies, so the rules assume it does.
 * `::/0` is left alone: it already reads as every address.
 */
export function withMappedIpv4(block: CidrBlock): CidrBlock[] {
  const mapped = block.family === 6 && block.prefix > 0 && block.prefix < MAPPED_PREFIX
    && (MAPPED_NETWORK * 2n ** 32n) / 2n ** BigInt(BITS[6] - block.prefix) === block.network;
  return mapped ? [block, { family: 4, prefix: 0, network: 0n, text: block.text }] : [block];
}

/** Whether the block contains the address (never across families). */
export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  if (block.family !== ip.family) return false;
  return ip.value / 2n ** BigInt(BITS[ip.family] - block.prefix) === block.network;
}

/** A block as the half-open interval of its addresses. */
export function cidrInterval(b: CidrBlock): [bigint, bigint] {
  const size = 2n ** BigInt(BITS[b.family] - b.prefix);
  return [b.network * size, (b.network + 1n) * size];
}

/** Whether the blocks together cover the interval [start, end). */
export function cidrsCover(blocks: CidrBlock[], [start, end]: [bigint, bigint]): boolean {
  let reached = start;
  for (const [s, e] of blocks.map(cidrInterval).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (s > reached) break;
    if (e > reached) reached = e;
  }
  return reached >= end;
}

/** The address families whose whole space the blocks cover together (`0.0.0.0/1` and `128.0.0.0/1` cover IPv4). */
export function coveredFamilies(blocks: CidrBlock[]): Array<4 | 6> {
  // Most rules name no block: the rules ask about every rule of every NetworkPolicy.
  if (blocks.length === 0) return [];
  return ([4, 6] as const).filter(f => cidrsCover(blocks.filter(b => b.family === f), [0n, 2n ** BigInt(BITS[f])]));
}
