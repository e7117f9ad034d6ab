import { checkPort } from './_check-port';
import { ListenerProtocol, gatewayHostnameProblem } from '../model/_gateway-api-spec';
import { ruleMessage } from '../rules/_catalog';
import { portNameProblem } from '../util/_names';

/**
 * Options for a listener of an `IngressGateway`.
 */
export interface GatewayListenerOptions {
  /**
   * The port the gateway listens on; Istio's gateway pods listen on it directly (they may bind ports below 1024).
   * @default 80 for HTTP, 443 for HTTPS
   */
  readonly port?: number;

  /**
   * The hostname the listener serves, such as `shop.example.com` or `*.example.com`; routes attached to it may only
   * name hostnames under it.
   * @default - every hostname
   */
  readonly hostname?: string;

  /**
   * The listener name, which routes name as their `sectionName`.
   * @default - `http` or `https`, followed by `-<port>` when the port is not the default
   */
  readonly name?: string;
}

/**
 * Options for an HTTPS listener of an `IngressGateway`.
 */
export interface HttpsListenerOptions extends GatewayListenerOptions {
  /**
   * The names of the `kubernetes.io/tls` Secrets, in the gateway's namespace, that hold the listener's certificates.
   */
  readonly certificates: string[];
}

/**
 * A listener of an `IngressGateway`: a port, a protocol and, for HTTPS, the certificates it terminates TLS with.
 */
export class GatewayListener {
  /**
   * A plain HTTP listener.
   * @param options the port, hostname and name
   */
  public static http(options: GatewayListenerOptions = {}): GatewayListener {
    return new GatewayListener('HTTP', 80, options, []);
  }

  /**
   * An HTTPS listener that terminates TLS with the given certificates.
   * @param options the certificates, port, hostname and name
   */
  public static https(options: HttpsListenerOptions): GatewayListener {
    return new GatewayListener('HTTPS', 443, options, options.certificates);
  }

  /**
   * The listener name.
   */
  public readonly name: string;

  /**
   * The port the gateway listens on.
   */
  public readonly port: number;

  /**
   * The protocol: `HTTP` or `HTTPS`.
   */
  public readonly protocol: string;

  /**
   * The hostname the listener serves, if it is restricted to one.
   */
  public readonly hostname?: string;

  /**
   * The names of the Secrets holding the certificates of an HTTPS listener; empty for HTTP.
   */
  public readonly certificates: string[];

  private constructor(protocol: ListenerProtocol, defaultPort: number, options: GatewayListenerOptions, certificates: string[]) {
    const where = `GatewayListener.${protocol.toLowerCase()}`;
    const port = options.port ?? defaultPort;
    checkPort(where, port);
    const name = options.name ?? (port === defaultPort ? protocol.toLowerCase() : `${protocol.toLowerCase()}-${port}`);
    const nameProblem = portNameProblem(name);
    if (nameProblem) {
      throw new Error(ruleMessage('ZT320', where, `listener ${nameProblem.replace('port name', 'name')}`, 'Use a lowercase name of at most 15 characters, such as "https-shop".'));
    }
    const hostProblem = options.hostname === undefined ? undefined : gatewayHostnameProblem(options.hostname);
    if (hostProblem) {
      throw new Error(ruleMessage('ZT121', where, hostProblem, 'Give a DNS name such as "shop.example.com" or "*.example.com", or omit it for every hostname.'));
    }
    if (protocol === 'HTTPS' && certificates.length === 0) {
      throw new Error(ruleMessage('ZT321', where, 'the HTTPS listener has no certificates', 'Name the kubernetes.io/tls Secrets, in the gateway\'s namespace, that hold its certificate.'));
    }
    for (const secret of certificates) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(secret) || secret.length > 253) {
        throw new Error(ruleMessage('ZT321', where, `certificate Secret name "${secret}" is not a DNS-1123 subdomain`, 'Give the name of a Secret in the gateway\'s namespace.'));
      }
    }
    this.protocol = protocol;
    this.port = port;
    this.name = name;
    this.hostname = options.hostname;
    this.certificates = [...certificates];
  }
}
