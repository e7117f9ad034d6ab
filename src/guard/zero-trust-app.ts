import { App, AppProps } from 'cdk8s';
import { synthLinear, synthYamlLinear } from './_linear-synth';

/**
 * A cdk8s App whose synth takes time linear in the size of the app, with the same output as `App`.
 *
 * cdk8s 2.70's `App.synth()` renders each chart with `chart.toJson()`, which resolves the dependencies and runs
 * the validations of the whole app again for every chart: synth time grows with charts x constructs, minutes for
 * a cluster of hundreds of namespaces. This App validates the app once, resolves dependencies once, then renders
 * each chart's objects once, in cdk8s's order, and writes the same files (or YAML string) as `App`, byte for byte,
 * for every `yamlOutputType`.
 *
 * Checks that read rendered objects (the zero-trust rules) run on that single render: a construct with an
 * internal `_validateRendered(objects)` method is called with every `{ manifest, path }` after the render, and
 * its errors fail the synth in the format of validation errors, before anything is written.
 */
export class ZeroTrustApp extends App {
  // App keeps this setting private, so it is read again from the same props and environment variable.
  private readonly recordMetadata: boolean;

  constructor(props: AppProps = {}) {
    super(props);
    this.recordMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
  }

  /**
   * Synthesizes all manifests to the output directory, validating and resolving dependencies once.
   */
  public synth(): void {
    synthLinear(this, this.recordMetadata);
  }

  /**
   * Synthesizes the app into a YAML string, validating and resolving dependencies once.
   *
   * @returns A string with all YAML objects across all charts in this app.
   */
  public synthYaml(): string {
    return synthYamlLinear(this);
  }
}
