/**
 * Labels and object metadata with a meaning to other parts of the platform. Defined in the pure base layer
 * because the constructs that set them, and the policy rules, alerts and plan previews that read them, live in
 * different layers.
 */

/** Marks dead-letter topics, their subscriptions and dead-letter tables (policies TRB-PS-1 and TRB-PS-2 read it). */
export const DEAD_LETTER_LABEL = { key: 'tributary-role', value: 'dead-letter' } as const;

/** Hex characters of the content's SHA-256 in a content-addressed object's name. */
export const CONTENT_HASH_LENGTH = 16;

/** Object metadata keys: what the object is for, and its full content hash (checked by policy TRB-DF-4). */
export const OBJECT_ROLE_KEY = 'tributary-role';
export const CONTENT_SHA256_KEY = 'content-sha256';

/** Object metadata role of UDF files (policy TRB-DF-4 checks their names carry their content hash). */
export const UDF_OBJECT_ROLE = 'dataflow-udf';

/** Object metadata roles of other content-addressed files. */
export const TEMPLATE_SPEC_ROLE = 'dataflow-flex-template-spec';
export const INGEST_MANIFEST_ROLE = 'ingest-manifest';
