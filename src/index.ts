export * from './allow-flow';
export * from './mesh-mode';
export * from './reachability';
export * from './meshed-service';
export * from './rule-info';
export * from './service-port';
export * from './zero-trust-namespace';
export * from './zero-trust-rules';
