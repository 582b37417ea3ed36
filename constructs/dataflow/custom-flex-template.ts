import { Construct } from 'constructs';
import { TEMPLATE_SPEC_ROLE } from '../../core/markers';
import { constructChecks } from '../core/validation';
import type { IDataBucket } from '../storage/data-bucket';
import { HashedObject } from '../storage/hashed-object';
import { FlexTemplateJob, type FlexTemplateJobProps } from './flex-template-job';
import {
  type FlexTemplateDefinition,
  parameterMetadata,
  type TemplateParameter,
} from './template-parameters';

/** Object metadata role of template spec files. */

export type SdkLanguage = 'JAVA' | 'PYTHON' | 'GO';

export interface CustomFlexTemplateProps<P extends readonly TemplateParameter[]> {
  /** The typed parameters; the same definition types and checks every job launched from the template. */
  readonly definition: FlexTemplateDefinition<P>;
  /**
   * The template's launcher image, for example `europe-west1-docker.pkg.dev/<project>/<repo>/<image>@sha256:<digest>`.
   * Pin a digest: a moved tag changes what runs without changing the plan.
   */
  readonly image: string;
  readonly sdkLanguage: SdkLanguage;
  /** Holds the spec file; jobs launched with `launch` get read access to it. */
  readonly bucket: IDataBucket;
}

const IMAGE = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_.-]{1,128}|@sha256:[0-9a-f]{64})$/;

/**
 * A team's own Flex Template, launched from Terraform without gcloud: the spec file (image, metadata with the
 * typed parameters, SDK language) is written as a content-addressed object, so a new image or parameter list
 * is a new path and updates running jobs in place.
 */
export class CustomFlexTemplate<P extends readonly TemplateParameter[]> extends Construct {
  public readonly definition: FlexTemplateDefinition<P>;
  public readonly specObject: HashedObject;
  /** `gs://` path of the spec file, the job's `container_spec_gcs_path`. */
  public readonly specGcsPath: string;
  /** The spec document as written. */
  public readonly spec: Readonly<Record<string, unknown>>;
  private readonly bucket: IDataBucket;

  constructor(scope: Construct, id: string, props: CustomFlexTemplateProps<P>) {
    super(scope, id);
    const checks = constructChecks(this);
    checks.rule(
      'image',
      props.image,
      'must be a container image reference <registry>/<path>:<tag> or <registry>/<path>@sha256:<digest>',
      (i) => IMAGE.test(i),
    );
    checks.rule('sdkLanguage', props.sdkLanguage, 'must be JAVA, PYTHON or GO', (l) =>
      ['JAVA', 'PYTHON', 'GO'].includes(l),
    );
    checks.throwIfAny();
    this.definition = props.definition;
    this.bucket = props.bucket;
    this.spec = {
      image: props.image,
      sdkInfo: { language: props.sdkLanguage },
      metadata: {
        name: props.definition.name,
        description: props.definition.description,
        streaming: props.definition.streaming,
        parameters: parameterMetadata(props.definition),
      },
    };
    this.specObject = new HashedObject(this, 'Spec', {
      bucket: props.bucket,
      folder: `templates/${props.definition.name}`,
      baseName: props.definition.name,
      extension: 'json',
      content: `${JSON.stringify(this.spec, null, 2)}\n`,
      contentType: 'application/json',
      role: TEMPLATE_SPEC_ROLE,
    });
    this.specGcsPath = this.specObject.url;
  }

  /** A job of this template: parameters typed and checked by the definition, launched after the spec exists. */
  public launch(
    scope: Construct,
    id: string,
    props: Omit<FlexTemplateJobProps<P>, 'template' | 'containerSpecGcsPath'>,
  ): FlexTemplateJob<P> {
    const job = new FlexTemplateJob(scope, id, {
      ...props,
      template: this.definition,
      containerSpecGcsPath: this.specGcsPath,
      readBuckets: [...(props.readBuckets ?? []), this.bucket],
    });
    job.launchAfter(this.specObject.resource);
    return job;
  }
}
