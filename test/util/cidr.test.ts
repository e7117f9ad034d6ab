import { cidrContains, coveredFamilies, parseCidr, parseIp, withMappedIpv4 } from '../../src/util/_cidr';

describe('parseIp', () => {
  test.each([
    ['10.0.0.1', 4, 167772161n],
    ['0.0.0.0', 4, 0n],
    ['255.255.255.255', 4, 4294967295n],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['fd00::1', 6, 0xfd000000000000000000000000000001n],
    ['1:2:3:4:5:6:7:8', 6, 0x00010002000300040005000600070008n],
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
    ['1:2:3:4:5:6:1.2.3.4', 6, 0x00010002000300040005000601020304n],
  ])('parses %s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  test.each(['', '10.0.0', '10.0.0.256', '10.0.0.1.2', 'a.b.c.d', '1::2::3', ':1', '1:2:3:4:5:6:7:8:9', '12345::', '::ffff:1.2.3', 'x/a'])(
    'rejects %j', text => {
      expect(parseIp(text)).toBeUndefined();
    });
});

describe('parseCidr and cidrContains', () => {
  test('contains addresses of its block only', () => {
    const block = parseCidr('10.0.1.0/24')!;
    expect(cidrContains(block, parseIp('10.0.1.0')!)).toBe(true);
    expect(cidrContains(block, parseIp('10.0.1.255')!)).toBe(true);
    expect(cidrContains(block, parseIp('10.0.2.0')!)).toBe(false);
  });

  test('host bits are ignored, as upstream does', () => {
    expect(cidrContains(parseCidr('10.0.1.7/24')!, parseIp('10.0.1.200')!)).toBe(true);
  });

  test('/0 contains every address of its family only', () => {
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('203.0.113.9')!)).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
    expect(cidrContains(parseCidr('::/0')!, parseIp('10.0.0.1')!)).toBe(false);
  });

  test('/32 and /128 contain one address', () => {
    expect(cidrContains(parseCidr('10.0.0.1/32')!, parseIp('10.0.0.1')!)).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.1/32')!, parseIp('10.0.0.2')!)).toBe(false);
    expect(cidrContains(parseCidr('fd00::1/128')!, parseIp('fd00::1')!)).toBe(true);
  });

  test('IPv6 prefixes', () => {
    const block = parseCidr('fd00:1::/32')!;
    expect(cidrContains(block, parseIp('fd00:1:ffff::1')!)).toBe(true);
    expect(cidrContains(block, parseIp('fd00:2::1')!)).toBe(false);
  });

  test('a bare address is a single host only when allowed', () => {
    expect(parseCidr('10.0.0.1')).toBeUndefined();
    expect(parseCidr('10.0.0.1', true)).toMatchObject({ family: 4, prefix: 32 });
    expect(parseCidr('fd00::1', true)).toMatchObject({ family: 6, prefix: 128 });
  });

  test.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', 'x/24', '10.0.0.0/-1'])('rejects %j', text => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('IPv4-mapped IPv6 blocks, read as Go\'s net.IPNet reads them', () => {
  test.each([
    ['::ffff:0:0/96', 0, 0n],
    ['::ffff:10.0.0.0/104', 8, 10n],
    ['::ffff:a00:0/104', 8, 10n],
    ['::ffff:192.168.1.7/120', 24, 0xc0a801n],
    ['::ffff:203.0.113.9/128', 32, 0xcb007109n],
  ])('%s is an IPv4 block', (text, prefix, network) => {
    expect(parseCidr(text)).toEqual({ family: 4, prefix, network, text });
  });

  test('a bare mapped address is an IPv4 host where bare addresses are allowed', () => {
    expect(cidrContains(parseCidr('::ffff:10.0.0.1', true)!, parseIp('10.0.0.1')!)).toBe(true);
  });

  test('blocks beside the mapped range stay IPv6', () => {
    expect(parseCidr('::fffe:0:0/96')).toMatchObject({ family: 6, prefix: 96 });
    expect(parseCidr('64:ff9b::/96')).toMatchObject({ family: 6, prefix: 96 });
    expect(parseCidr('::ffff:0:0/95')).toMatchObject({ family: 6, prefix: 95 });
  });

  test('a wider IPv6 block that contains the mapped range also covers every IPv4 address; ::/0 and others do not add it', () => {
    const families = (text: string) => coveredFamilies(withMappedIpv4(parseCidr(text)!));
    expect(families('::ffff:0:0/95')).toEqual([4]);
    expect(families('::/8')).toEqual([4]);
    expect(families('::/1')).toEqual([4]);
    expect(families('::/0')).toEqual([6]);
    expect(withMappedIpv4(parseCidr('::/0')!)).toHaveLength(1);
    expect(families('8000::/1')).toEqual([]);
    expect(families('::fffe:0:0/96')).toEqual([]);
    expect(families('fc00::/7')).toEqual([]);
  });
});
