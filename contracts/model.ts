/**
 * The event-contract model: plain, JSON-serializable data. Everything else (TypeScript types, JSON Schema,
 * validators, BigQuery schemas, Pub/Sub schemas, UDFs) is generated from it, and the contract lock stores it
 * verbatim, so an old contract can be compared with a new one field by field.
 */

export const STRING_FORMATS = ['email', 'uuid', 'ipv4', 'ipv6', 'ip', 'uri'] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

/** Types a field or a repeated item can have. Wire forms are documented in contracts/README.md. */
export type TypeSpec =
  | {
      readonly kind: 'string';
      readonly minLength?: number;
      readonly maxLength?: number;
      /** ECMAScript regular expression, anchored by the generators. */
      readonly pattern?: string;
      readonly format?: StringFormat;
    }
  /** JSON integers in the exactly-representable range ±(2^53 - 1). */
  | { readonly kind: 'int64'; readonly min?: number; readonly max?: number }
  /** Finite JSON numbers. */
  | { readonly kind: 'float64'; readonly min?: number; readonly max?: number }
  /** Exact decimals, sent as strings such as "42.50" so no precision is lost in transit. */
  | {
      readonly kind: 'numeric';
      readonly precision: number;
      readonly scale: number;
      readonly min?: string;
      readonly max?: string;
    }
  | { readonly kind: 'bool' }
  /** RFC 3339 date-time with a time zone; normalized to UTC downstream. */
  | { readonly kind: 'timestamp' }
  /** RFC 3339 full-date, YYYY-MM-DD. */
  | { readonly kind: 'date' }
  /** A JSON document carried as a string (the form BigQuery JSON columns and proto string fields share). */
  | { readonly kind: 'json' }
  /** Standard base64 with padding. */
  | { readonly kind: 'bytes'; readonly maxBytes?: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'record'; readonly fields: readonly FieldSpec[] }
  | {
      readonly kind: 'repeated';
      readonly items: ItemSpec;
      readonly minItems?: number;
      readonly maxItems?: number;
    };

export type Kind = TypeSpec['kind'];
/** What a repeated field may hold: any type except another repeated (BigQuery has no arrays of arrays). */
export type ItemSpec = Exclude<TypeSpec, { kind: 'repeated' }>;

export interface FieldSpec {
  readonly name: string;
  readonly description: string;
  readonly type: TypeSpec;
  /** Optional fields may be absent or null; required fields must be present and non-null. */
  readonly optional: boolean;
  /** Personal data: flagged in generated docs, column descriptions and the TypeScript type. */
  readonly pii: boolean;
}

/** What the platform does with properties a contract does not declare. */
export type UnknownFieldPolicy =
  /** Reject the event, naming the property. The default: schema drift must become a contract change. */
  | 'reject'
  /** Remove the properties and report them next to the accepted event; never silently. */
  | 'drop';

export interface Contract {
  readonly kind: 'tributary.event-contract';
  /** snake_case; names the topic, the table and the stream. */
  readonly name: string;
  /** Semantic version of the contract, stamped on every event as `schema_version`. */
  readonly version: string;
  /**
   * The raw table generation: the table is `<name>_v<tableVersion>`. Raising it is the explicit, versioned
   * migration for a change that would otherwise replace the table.
   */
  readonly tableVersion: number;
  readonly description: string;
  /** Owning team, for example an email group. */
  readonly owner: string;
  readonly fields: readonly FieldSpec[];
  /** Field(s) that identify an event, for deduplication and merge. */
  readonly key: readonly string[];
  /** The field that says when the event happened. */
  readonly eventTime: string;
  readonly partitioning: { readonly field: string; readonly granularity: 'DAY' | 'HOUR' };
  /** Up to 4 top-level scalar fields. */
  readonly clustering: readonly string[];
  readonly unknownFields: UnknownFieldPolicy;
}
