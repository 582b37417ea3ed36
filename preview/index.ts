/** PR previews: the offline semantic preview of two synthesized apps, and the preview from real plans. */
export { ARTIFACT_KINDS, type ArtifactChange, type ArtifactKind, diffArtifacts } from './artifacts';
export {
  bigQuerySchemaReplacements,
  FORCE_NEW,
  FORCE_NEW_PROVIDER,
  type ForceNewRule,
  forceNewChanges,
  hasForceNewRule,
} from './force-new';
export { diffGrants, type GrantChange, roleBreadth, type Widening } from './iam';
export {
  actionOf,
  buildPlanPreview,
  comparePlan,
  type PlanDisagreement,
  type PlanPreview,
  parsePlan,
  planResourceChanges,
  type TerraformPlan,
} from './plan';
export { planSections } from './plan-render';
export { diffPolicy, type PolicyChanges } from './policy';
export {
  ACKNOWLEDGE_LABEL,
  COMMENT_MARKER,
  GITHUB_COMMENT_LIMIT,
  PREVIEW_FORMAT_VERSION,
  previewSections,
  type RenderOptions,
  renderComment,
  renderJson,
  renderMarkdown,
  type Section,
} from './render';
export {
  assembleReport,
  buildPreview,
  type DestructiveChange,
  type PreviewOptions,
  type PreviewReport,
  type StackPreview,
  stackPreview,
} from './report';
export {
  changedPaths,
  diffResources,
  isDestructive,
  type ResourceAction,
  type ResourceChange,
  STATEFUL_TYPES,
} from './resources';
export {
  type AppSnapshot,
  loadSnapshot,
  resourcesOf,
  type SnapshotFinding,
  type SnapshotGrant,
  type SnapshotResource,
  type StackSnapshot,
} from './snapshot';
