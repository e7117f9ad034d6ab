import { checkPort } from './_check-port';
import { ruleMessage } from '../rules/_catalog';
import { portNameProblem } from '../util/_names';

/**
 * The application protocol of a service port, as Istio reads it.
 */
export enum AppProtocol {
  /**
   * Opaque TCP.
   */
  TCP = 'tcp',

  /**
   * HTTP/1.1 or HTTP/2.
   */
  HTTP = 'http',

  /**
   * gRPC.
   */
  GRPC = 'grpc',
}

/**
 * A port that a `MeshedService` serves on, with the protocol Istio should use for it.
 *
 * The Service port is named `<protocol>-<port>` unless a name is given, and always carries `appProtocol`,
 * so that Istio's protocol selection never falls back to sniffing. The container port equals the Service port.
 */
export class ServicePort {
  /**
   * An opaque TCP port.
   * @param port the port number, 1-65535
   * @param name the port name, an IANA service name; default `tcp-<port>`
   */
  public static tcp(port: number, name?: string): ServicePort {
    return new ServicePort(port, AppProtocol.TCP, name);
  }

  /**
   * An HTTP port.
   * @param port the port number, 1-65535
   * @param name the port name, an IANA service name; default `http-<port>`
   */
  public static http(port: number, name?: string): ServicePort {
    return new ServicePort(port, AppProtocol.HTTP, name);
  }

  /**
   * A gRPC port.
   * @param port the port number, 1-65535
   * @param name the port name, an IANA service name; default `grpc-<port>`
   */
  public static grpc(port: number, name?: string): ServicePort {
    return new ServicePort(port, AppProtocol.GRPC, name);
  }

  /**
   * The port number, also the container port.
   */
  public readonly port: number;

  /**
   * The application protocol.
   */
  public readonly protocol: AppProtocol;

  /**
   * The port name.
   */
  public readonly name: string;

  private constructor(port: number, protocol: AppProtocol, name?: string) {
    checkPort(`ServicePort.${protocol}`, port);
    const portName = name ?? `${protocol}-${port}`;
    const problem = portNameProblem(portName);
    if (problem) {
      throw new Error(ruleMessage('ZT303', `ServicePort.${protocol}(${port})`, problem, 'Use a lowercase name of at most 15 characters with at least one letter, such as "http-api".'));
    }
    this.port = port;
    this.protocol = protocol;
    this.name = portName;
  }
}
