/**
 * Tributary: a streaming data platform blueprint for Google Cloud on CDK for Terraform (cdktn). One entry point
 * for composing teams: the constructs, the event-contract DSL and the governed stack. Each layer is also its own
 * entry (`tributary/core`, `tributary/contracts`, `tributary/constructs`).
 */
export * from './constructs/index';
export * from './contracts/index';
export * from './core/index';
