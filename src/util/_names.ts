// Name and label rules of the Kubernetes API (apimachinery's validation package).

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not a DNS-1123 label (namespace names), or undefined when it is one. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length > 63) return `"${name}" is ${name.length} characters long, over the limit of 63`;
  if (!DNS1123_LABEL.test(name)) return `"${name}" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}

/** Why `name` is not a DNS-1035 label (Service names), or undefined when it is one. */
export function dns1035LabelProblem(name: string): string | undefined {
  if (name.length > 63) return `"${name}" is ${name.length} characters long, over the limit of 63`;
  if (!DNS1035_LABEL.test(name)) return `"${name}" is not a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, ending with a letter or digit)`;
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (a host name), or undefined when it is one. */
export function dns1123SubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return `"${name}" is ${name.length} characters long, over the limit of 253`;
  if (!DNS1123_SUBDOMAIN.test(name) || name.split('.').some(l => l.length > 63)) {
    return `"${name}" is not a DNS-1123 subdomain (dot-separated labels of lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 63 characters)`;
  }
  return undefined;
}

/** Why `key` is not a valid label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has a prefix that is not a DNS-1123 subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `label key "${key}" is not a qualified name (at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is one. */
export function labelValueProblem(key: string, value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label "${key}" has value "${value}", which is not a valid label value (at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** Why `name` is not an IANA service name (a port name), or undefined when it is one. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `port name "${name}" is ${name.length} characters long, over the limit of 15`;
  if (!IANA_SVC_NAME.test(name) || name.includes('--')) return `port name "${name}" is not an IANA service name (lowercase letters, digits and single '-', starting and ending with a letter or digit)`;
  if (!/[a-z]/.test(name)) return `port name "${name}" has no letter`;
  return undefined;
}
