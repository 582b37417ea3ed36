/** Event contracts: the DSL, the model, the validator, generators, the compatibility checker and the lock. */
export * from './compat/index';
export * from './dsl';
export * from './gateway';
export * from './generators/bigquery';
export * from './generators/json-schema';
export * from './generators/proto';
export * from './generators/typescript';
export * from './generators/udf';
export * from './lock';
export * from './metadata';
export * from './model';
export * from './validator';
