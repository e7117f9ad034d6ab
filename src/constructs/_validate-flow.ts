import { IConstruct } from 'constructs';
import type { AllowToOptions } from './allow-to-options';
import { FlowEnd } from '../model/_flow';
import { ruleMessage } from '../rules/_catalog';

/** What the check needs of a MeshedService: its ports and its place in the construct tree. */
export interface DeclaredEnd extends FlowEnd, IConstruct {
  readonly ports: ReadonlyArray<{ readonly port: number }>;
}

/**
 * Checks one flow declaration against both ends and returns its ports; throws a rule message naming `declaredBy()`,
 * which is built only then: construct paths are costly to build for every flow of a large app.
 */
export function validateFlow(declaredBy: () => string, from: FlowEnd & IConstruct, to: DeclaredEnd, options: AllowToOptions): number[] {
  if (from === to && !options.allowSelf) {
    throw new Error(ruleMessage('ZT101', declaredBy(), `a flow from ${from.name} to itself`, 'Pass `allowSelf: true` if its replicas must call each other, or fix the target.'));
  }
  if (rootOf(from) !== rootOf(to)) {
    throw new Error(ruleMessage('ZT103', declaredBy(), `${to.node.path} belongs to another app`, 'Declare both services in the same cdk8s App.'));
  }
  if (from.namespace.trustDomain !== to.namespace.trustDomain) {
    throw new Error(ruleMessage('ZT106', declaredBy(),
      `${from.name} is in trust domain "${from.namespace.trustDomain}" and ${to.name} in "${to.namespace.trustDomain}"`,
      'Put both namespaces in the same trust domain.'));
  }
  if (!from.namespace.meshed && to.namespace.meshed) {
    throw new Error(ruleMessage('ZT107', declaredBy(),
      `${from.name} is in namespace "${from.namespace.name}", which is outside the mesh, so it has no mTLS identity and ${to.name}'s STRICT mTLS would refuse it`,
      `Put namespace "${from.namespace.name}" in the mesh (MeshMode.SIDECAR or AMBIENT).`));
  }
  if (to.ports.length === 0) {
    throw new Error(ruleMessage('ZT109', declaredBy(), `${to.node.path} is a client without ports, so nothing may call it`,
      `Give ${to.name} the ports it serves, or declare the flow the other way, from ${to.name}.`));
  }
  const exposed = to.ports.map(p => p.port);
  const ports = options.ports ?? exposed;
  if (ports.length === 0) {
    throw new Error(ruleMessage('ZT105', declaredBy(), 'the flow has no ports', `Give at least one of ${to.name}'s ports (${exposed.join(', ')}), or omit \`ports\` for all of them.`));
  }
  for (const port of ports) {
    if (!exposed.includes(port)) {
      throw new Error(ruleMessage('ZT104', declaredBy(), `port ${port} is not a port of ${to.name} (ports: ${exposed.join(', ')})`, 'Declare it on the MeshedService or drop it from the flow.'));
    }
  }
  return ports;
}

/** The root of a construct's tree, without building the list of its scopes. */
function rootOf(c: IConstruct): IConstruct {
  let root = c;
  while (root.node.scope) root = root.node.scope;
  return root;
}
