import { CONTENT_HASH_LENGTH, OBJECT_ROLE_KEY, UDF_OBJECT_ROLE } from '../../../core/markers';
import { contentSha256 } from '../../../core/names';
import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';
import { DATAFLOW_JOB_TYPES } from './dataflow-service-account';

const UDF_PATH_PARAMETER = /^javascriptTextTransformGcsPath$/;
const HASHED_JS = new RegExp(`-[0-9a-f]{${CONTENT_HASH_LENGTH}}\\.js$`);

export const dataflowUdfHashed: PolicyRule = {
  id: 'TRB-DF-4',
  level: 'error',
  title: 'UDF object names carry their content hash',
  explanation:
    'A streaming job only picks up new UDF code when its UDF path parameter changes, and overwriting a file in place silently changes what running workers execute. Name each UDF file <name>-<sha256 of its content, 16 hex>.js (DataflowUdf does) so new code is a new path and an in-place job update.',
  references: ['none: no CIS or checkov control'],
  check: (resource) => {
    if (resource.mode !== 'managed') return NOT_APPLICABLE;
    if (DATAFLOW_JOB_TYPES.has(resource.type)) {
      const parameters = (resource.config.parameters ?? {}) as Record<string, unknown>;
      const paths = Object.entries(parameters).filter(([k]) => UDF_PATH_PARAMETER.test(k));
      if (paths.length === 0) return NOT_APPLICABLE;
      const unhashed = paths.filter(([, v]) => typeof v !== 'string' || !HASHED_JS.test(v));
      return unhashed.length === 0
        ? COMPLIANT
        : nonCompliant(
            `job ${String(resource.config.name)} loads its UDF from an unhashed path ${String(unhashed[0]?.[1])}`,
          );
    }
    if (resource.type !== 'google_storage_bucket_object') return NOT_APPLICABLE;
    const name = String(resource.config.name ?? '');
    const metadata = (resource.config.metadata ?? {}) as Record<string, string>;
    const isUdf =
      metadata[OBJECT_ROLE_KEY] === UDF_OBJECT_ROLE || (/(^|\/)udf\//.test(name) && name.endsWith('.js'));
    if (!isUdf) return NOT_APPLICABLE;
    const content = resource.config.content;
    if (typeof content !== 'string')
      return HASHED_JS.test(name)
        ? COMPLIANT
        : nonCompliant(`UDF object ${name} has no content hash in its name`);
    const expected = contentSha256(content).slice(0, CONTENT_HASH_LENGTH);
    return name.endsWith(`-${expected}.js`)
      ? COMPLIANT
      : nonCompliant(`UDF object ${name} must be named <name>-${expected}.js (the SHA-256 of its content)`);
  },
};
