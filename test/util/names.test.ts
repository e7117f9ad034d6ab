import { dns1035LabelProblem, dns1123LabelProblem, labelKeyProblem, labelValueProblem, portNameProblem } from '../../src/util/_names';

describe('name rules', () => {
  test('DNS-1123 labels (namespaces)', () => {
    expect(dns1123LabelProblem('shop')).toBeUndefined();
    expect(dns1123LabelProblem('1shop')).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(63))).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(64))).toMatch(/64 characters long/);
    expect(dns1123LabelProblem('Shop')).toMatch(/not a DNS-1123 label/);
    expect(dns1123LabelProblem('shop-')).toMatch(/not a DNS-1123 label/);
    expect(dns1123LabelProblem('sh.op')).toMatch(/not a DNS-1123 label/);
    expect(dns1123LabelProblem('')).toMatch(/not a DNS-1123 label/);
  });

  test('DNS-1035 labels (services) must start with a letter', () => {
    expect(dns1035LabelProblem('web')).toBeUndefined();
    expect(dns1035LabelProblem('1web')).toMatch(/not a DNS-1035 label/);
  });

  test('label keys and values', () => {
    expect(labelKeyProblem('app')).toBeUndefined();
    expect(labelKeyProblem('example.com/team')).toBeUndefined();
    expect(labelKeyProblem('Example.com/team')).toMatch(/prefix/);
    expect(labelKeyProblem('team/')).toMatch(/not a qualified name/);
    expect(labelKeyProblem('-team')).toMatch(/not a qualified name/);
    expect(labelValueProblem('k', '')).toBeUndefined();
    expect(labelValueProblem('k', 'A_b.c-1')).toBeUndefined();
    expect(labelValueProblem('k', 'a b')).toMatch(/not a valid label value/);
    expect(labelValueProblem('k', 'x'.repeat(64))).toMatch(/not a valid label value/);
  });

  test('port names are IANA service names', () => {
    expect(portNameProblem('http')).toBeUndefined();
    expect(portNameProblem('grpc-9090')).toBeUndefined();
    expect(portNameProblem('9090')).toMatch(/no letter/);
  });
});
