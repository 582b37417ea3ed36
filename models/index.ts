/** The warehouse models: the curated-model DSL, staging from contracts, the Dataform project and its offline compile. */
export { type AssertionSpec, curatedAssertions, stagingAssertions } from './assertions';
export { businessColumns, pseudonymName, type StagingColumn, stagingColumns, TECHNICAL } from './columns';
export {
  type CompiledGraph,
  type CompileOptions,
  compileProject,
  DATAFORM_CORE_INSTALLED,
  writeProject,
} from './compile';
export {
  type CuratedModel,
  type CuratedModelDefinition,
  defineCuratedModel,
  type FilterSpec,
  type GrainSpec,
  grain,
  type MeasureSpec,
  measure,
  where,
} from './curated';
export { CURATED_TECHNICAL, curatedSql } from './curated-sql';
export { assertionStatements, createOrReplace, mergeInto, tableStatements } from './executor';
export {
  DATAFORM_CORE_VERSION,
  type ModelEntry,
  PII_POLICY_TAG_VAR,
  type WarehouseDatasets,
  type WarehouseProject,
  type WarehouseSpec,
  warehouseProject,
} from './project';
export { changesLogName, type StagingModel, stagingModel, stagingName, stagingSql } from './staging';
export { childViews } from './views';
