// The port-number range, in one place for the constructs (ZT301), the analyzer and the rules.

/** Whether a value is a TCP, UDP or SCTP port number: a whole number from 1 to 65535. */
export function isPortNumber(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}
