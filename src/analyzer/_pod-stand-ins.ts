// Constructs that stand for pods no manifest describes (a MeshedService without a workload): they register here,
// so that Reachability.ofApp finds them by type rather than by probing every construct for a method.
import { IConstruct } from 'constructs';
import { PodInput } from './reachability-input';

/** A construct that stands for pods in a reachability analysis. */
export interface PodStandIn extends IConstruct {
  /** The pods it stands for. */
  _reachabilityPods(): PodInput[];
}

const standIns = new WeakSet<IConstruct>();

/** Makes `Reachability.ofApp` count the construct's pods. */
export function registerPodStandIn(standIn: PodStandIn): void {
  standIns.add(standIn);
}

/** Whether a construct registered as a stand-in for pods. */
export function isPodStandIn(c: IConstruct): c is PodStandIn {
  return standIns.has(c);
}
