/** The pure base layer: rule-table validation, GCP's naming and placement rules, deterministic names. */
export * from './gcp';
export * from './names';
export * from './validation';
