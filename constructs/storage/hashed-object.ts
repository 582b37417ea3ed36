import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { Construct } from 'constructs';
import { CONTENT_HASH_LENGTH, CONTENT_SHA256_KEY, OBJECT_ROLE_KEY } from '../../core/markers';
import { contentSha256 } from '../../core/names';
import { constructChecks } from '../core/validation';
import type { IDataBucket } from './data-bucket';

export interface HashedObjectProps {
  readonly bucket: IDataBucket;
  /** Folder of the object, for example `udf/order`. No leading or trailing slash. */
  readonly folder: string;
  /** File name before the hash, for example `order`. */
  readonly baseName: string;
  /** For example `js` or `json`. */
  readonly extension: string;
  readonly content: string;
  readonly contentType: string;
  /** What the object is, recorded in its metadata, for example `dataflow-udf`. */
  readonly role: string;
}

/**
 * A content-addressed Cloud Storage object: `<folder>/<baseName>-<sha256:16>.<extension>`. Changed content is
 * a new name, so whatever references the object (a job parameter, a template path) changes with it and
 * unchanged content changes nothing. The new object is created before the old one is deleted, so a running
 * job never points at a missing file.
 */
export class HashedObject extends Construct {
  public readonly resource: StorageBucketObject;
  public readonly objectName: string;
  /** `gs://<bucket>/<objectName>` */
  public readonly url: string;
  public readonly contentHash: string;
  /** What is uploaded. */
  public readonly content: string;

  constructor(scope: Construct, id: string, props: HashedObjectProps) {
    super(scope, id);
    const checks = constructChecks(this);
    checks.rule('folder', props.folder, 'must be path segments of [A-Za-z0-9._-] joined by "/"', (f) =>
      /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(f),
    );
    checks.rule('baseName', props.baseName, 'must be 1-200 characters of [A-Za-z0-9._-]', (b) =>
      /^[A-Za-z0-9._-]{1,200}$/.test(b),
    );
    checks.rule('extension', props.extension, 'must be 1-10 lowercase letters or digits', (e) =>
      /^[a-z0-9]{1,10}$/.test(e),
    );
    checks.rule('content', props.content, 'must not be empty', (c) => c.length > 0);
    checks.throwIfAny();

    const sha256 = contentSha256(props.content);
    this.contentHash = sha256.slice(0, CONTENT_HASH_LENGTH);
    this.objectName = `${props.folder}/${props.baseName}-${this.contentHash}.${props.extension}`;
    this.url = `${props.bucket.url}/${this.objectName}`;
    this.content = props.content;
    this.resource = new StorageBucketObject(this, 'Resource', {
      bucket: props.bucket.bucketRef,
      name: this.objectName,
      content: props.content,
      contentType: props.contentType,
      metadata: { [OBJECT_ROLE_KEY]: props.role, [CONTENT_SHA256_KEY]: sha256 },
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
