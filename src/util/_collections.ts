// Small collection helpers shared across the library.

/** Appends `value` to the list under `key`, creating the list on first use. */
export function addToList<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Byte-order string comparison, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups items by a string key, returning the groups sorted by key. */
export function groupSorted<T>(items: T[], key: (item: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    addToList(groups, key(item), item);
  }
  return [...groups.entries()].sort(([x], [y]) => compareStrings(x, y));
}

/** The distinct numbers, in ascending order. */
export function sortedUnique(ports: number[]): number[] {
  return [...new Set(ports)].sort((x, y) => x - y);
}
