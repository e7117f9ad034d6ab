import { cidrContains, parseCidr, parseIp } from '../src/_cidr';

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
