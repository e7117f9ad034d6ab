// Rules on workloads' pod templates: mesh opt-outs, identity and the host network.
import { Landed, whereOf, namespaceOf, meshed, finding, podTemplates } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { WORKLOAD_LABEL } from '../model/_constants';
import { meshOptOuts, serviceAccountOf } from '../model/_workload-rules';
import { addToList } from '../util/_collections';

function others(group: Array<{ o: Landed }>, self: Landed): string {
  return group.filter(w => w.o !== self).map(w => whereOf(w.o)).sort().join(', ');
}

/** Rules on workloads' pod templates: mesh opt-outs, identity and the host network, each rule one object. */
export const POD_RULES: Rule[] = [
  {
    id: 'ZT410',
    title: 'Workload opted out of the mesh',
    severity: RuleSeverity.ERROR,
    rationale: 'Pods that opt out of injection or ambient mode have no mTLS identity and bypass the AuthorizationPolicies. Istio injects for a `sidecar.istio.io/inject` label (or, without it, annotation) of y, yes, true or on in any case, and opts out for any other non-empty value. Sidecar pods whose annotations take ports, address ranges or interfaces out of the capture (`traffic.sidecar.istio.io/exclude*`, `includeInboundPorts` other than `*`, `sidecar.istio.io/interceptionMode` other than REDIRECT) send and receive that traffic outside the mesh.',
    suppressible: true,
    check(ctx) {
      return podTemplates(ctx).filter(({ o }) => meshed(o)).flatMap(({ o, at, template }) =>
        meshOptOuts(template.metadata, o.mesh).map(({ field, problem }) => finding('ZT410', o, `${at}metadata.${field}`, problem,
          'Drop it: every pod of a meshed zero-trust namespace needs a mesh identity, on all its traffic.')));
    },
  },
  {
    id: 'ZT411',
    title: 'Workload running as the `default` ServiceAccount',
    severity: RuleSeverity.ERROR,
    rationale: 'Every unconfigured pod of the namespace shares the `default` identity; zero trust needs one identity per workload.',
    suppressible: true,
    check(ctx) {
      return podTemplates(ctx).filter(({ template }) => serviceAccountOf(template) === 'default').map(({ o, at }) =>
        finding('ZT411', o, `${at}spec.serviceAccountName`,
          'the pods run as the namespace\'s shared `default` ServiceAccount, so they have no identity of their own',
          'Run them as a MeshedService\'s ServiceAccount and enrol them with `service.enrol()`.'));
    },
  },
  {
    id: 'ZT413',
    title: 'Workload on the host network',
    severity: RuleSeverity.ERROR,
    rationale: 'Host-network pods are not isolated by NetworkPolicies and not captured by the mesh.',
    suppressible: true,
    check(ctx) {
      return podTemplates(ctx).filter(({ template }) => template.spec?.hostNetwork === true).map(({ o, at }) =>
        finding('ZT413', o, `${at}spec.hostNetwork`,
          'the pods share the node\'s network, which NetworkPolicies do not isolate and the mesh does not capture', 'Drop hostNetwork.'));
    },
  },
  {
    id: 'ZT502',
    title: 'Workloads sharing a ServiceAccount',
    severity: RuleSeverity.WARNING,
    rationale: 'Workloads with one identity cannot be told apart by AuthorizationPolicies; workloads enrolled into the same MeshedService are exempt.',
    suppressible: true,
    check(ctx) {
      const bySa = new Map<string, Array<{ o: Landed; at: string; template: any }>>();
      for (const w of podTemplates(ctx)) {
        const sa = serviceAccountOf(w.template);
        if (sa === 'default') continue;
        const key = `${namespaceOf(w.o)}/${sa}`;
        addToList(bySa, key, w);
      }
      // Workloads enrolled into a MeshedService (its label names their ServiceAccount) share its identity on purpose.
      return [...bySa.values()].filter(group => group.length > 1).flatMap(group => group
        .filter(({ template }) => template.metadata?.labels?.[WORKLOAD_LABEL] !== serviceAccountOf(template))
        .map(({ o, at, template }) => finding('ZT502', o, `${at}spec.serviceAccountName`,
          `the pods share ServiceAccount "${serviceAccountOf(template)}" with ${others(group, o)}, so their policies cannot tell them apart`,
          'Give each workload its own ServiceAccount, or enrol it into the MeshedService whose identity it shares.')));
    },
  },
];
