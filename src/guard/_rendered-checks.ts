// Checks that read the rendered objects (the app's guard) register here, so that ZeroTrustApp finds them by type
// rather than by probing every construct for a method.
import { IConstruct } from 'constructs';

/** A rendered manifest and the path of the ApiObject it came from. */
export interface RenderedManifest {
  readonly manifest: any;
  readonly path: string;
}

/** A construct whose checks a ZeroTrustApp runs once, on its single render of the app. */
export interface RenderedCheck extends IConstruct {
  /** The errors found in the rendered objects. */
  _validateRendered(objects: RenderedManifest[]): string[];
}

const checks = new WeakSet<IConstruct>();

/** Makes a ZeroTrustApp run the construct's checks on its render. */
export function registerRenderedCheck(check: RenderedCheck): void {
  checks.add(check);
}

/** Whether a construct registered checks of the rendered objects. */
export function isRenderedCheck(c: IConstruct): c is RenderedCheck {
  return checks.has(c);
}
