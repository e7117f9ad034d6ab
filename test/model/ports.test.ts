import { isPortNumber } from '../../src/model/_ports';

test('a port number is a whole number from 1 to 65535', () => {
  expect([1, 80, 65535].map(isPortNumber)).toEqual([true, true, true]);
  expect([0, 65536, -1, 8.5, NaN, '80', undefined].map(isPortNumber)).toEqual([false, false, false, false, false, false, false]);
});
