import { Construct } from 'constructs';
import { UDF_OBJECT_ROLE } from '../../core/markers';
import { constructChecks } from '../core/validation';
import type { IDataBucket } from '../storage/data-bucket';
import { HashedObject } from '../storage/hashed-object';

export interface DataflowUdfProps {
  /** Where the UDF file lives; workers need read access (FlexTemplateJob `readBuckets`). */
  readonly bucket: IDataBucket;
  /** File base name, for example the stream name. */
  readonly name: string;
  /** The complete ECMAScript 5.1 script. */
  readonly script: string;
  /** The function the template calls with each payload. */
  readonly functionName: string;
}

/**
 * A JavaScript UDF for Google's Dataflow templates, stored as `udf/<name>/<name>-<sha256:16>.js`. Its path is a
 * job parameter, so changed code updates the streaming job in place and unchanged code changes nothing.
 */
export class DataflowUdf extends Construct {
  public readonly object: HashedObject;
  /** `gs://<bucket>/udf/<name>/<name>-<hash>.js` */
  public readonly gcsPath: string;
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: DataflowUdfProps) {
    super(scope, id);
    const checks = constructChecks(this);
    checks.rule('functionName', props.functionName, 'must be a JavaScript identifier', (f) =>
      /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(f),
    );
    checks.rule(
      'script',
      props.script,
      `must define function ${props.functionName}(...)`,
      (s) =>
        s.startsWith(`function ${props.functionName}(`) || s.includes(`\nfunction ${props.functionName}(`),
    );
    checks.throwIfAny();
    this.object = new HashedObject(this, 'Object', {
      bucket: props.bucket,
      folder: `udf/${props.name}`,
      baseName: props.name,
      extension: 'js',
      content: props.script,
      contentType: 'application/javascript',
      role: UDF_OBJECT_ROLE,
    });
    this.gcsPath = this.object.url;
    this.functionName = props.functionName;
  }
}
