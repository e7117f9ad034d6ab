import { oneByte } from '../../src/util/_one-byte';

describe('oneByte', () => {
  test('keeps the text', () => {
    expect(oneByte('ns-000-svc-00-Deployment-c8de60cf')).toBe('ns-000-svc-00-Deployment-c8de60cf');
    expect(oneByte('')).toBe('');
    expect(oneByte('café')).toBe('café');
  });

  test('keeps text that needs two bytes a character', () => {
    expect(oneByte('ns-ü-€')).toBe('ns-ü-€');
    expect(oneByte('日本')).toBe('日本');
  });
});
