import { isPortNumber } from '../model/_ports';
import { ruleMessage } from '../rules/_catalog';

/** Throws ZT301, naming `where`, unless `port` is a port number. */
export function checkPort(where: string, port: number): void {
  if (!isPortNumber(port)) {
    throw new Error(ruleMessage('ZT301', where, `port ${port} is outside 1-65535`, 'Use a whole number from 1 to 65535.'));
  }
}
