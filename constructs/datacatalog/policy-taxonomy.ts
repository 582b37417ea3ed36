import { DataCatalogPolicyTag } from '@cdktf/provider-google/lib/data-catalog-policy-tag';
import { DataCatalogPolicyTagIamMember } from '@cdktf/provider-google/lib/data-catalog-policy-tag-iam-member';
import { DataCatalogTaxonomy } from '@cdktf/provider-google/lib/data-catalog-taxonomy';
import { Construct } from 'constructs';
import { DATA_LOCATION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from '../iam/grants';
import type { IPrincipal } from '../iam/principal';

export interface PolicyTaxonomyProps {
  readonly displayName: string;
  readonly description: string;
  /**
   * Where the tagged BigQuery data lives: a region or a multi-region (`EU`, `US`). The taxonomy must be in the
   * same location as the datasets whose columns it tags.
   */
  readonly dataLocation: string;
  /** The policy tags, by name, with what each protects. */
  readonly tags: Readonly<Record<string, string>>;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
}

/** The taxonomy location BigQuery requires for a dataset location: multi-regions in lower case (`eu`). */
export function taxonomyLocation(dataLocation: string): string {
  return dataLocation.toLowerCase();
}

/**
 * A Data Catalog policy taxonomy with fine-grained access control switched on, and its policy tags. A column
 * under a tag can be read only by principals granted `roles/datacatalog.categoryFineGrainedReader` on the tag
 * (`grantFineGrainedRead`); writing rows needs no read.
 */
export class PolicyTaxonomy extends Construct {
  public readonly resource: DataCatalogTaxonomy;
  public readonly tags: Readonly<Record<string, PolicyTag>>;

  constructor(scope: Construct, id: string, props: PolicyTaxonomyProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'displayName',
      props.displayName,
      'must be 1-200 characters',
      (n) => n.length >= 1 && n.length <= 200,
    );
    c.check('dataLocation', props.dataLocation, DATA_LOCATION);
    c.rule('tags', Object.keys(props.tags), 'must name at least one policy tag', (t) => t.length > 0);
    for (const name of Object.keys(props.tags))
      c.rule(`tags.${name}`, name, 'must be 1-200 characters of letters, digits, spaces, - or _', (n) =>
        /^[\w -]{1,200}$/.test(n),
      );
    checkProject(c, project);
    c.throwIfAny();
    this.resource = new DataCatalogTaxonomy(this, 'Resource', {
      displayName: props.displayName,
      description: props.description,
      region: taxonomyLocation(props.dataLocation),
      project,
      activatedPolicyTypes: ['FINE_GRAINED_ACCESS_CONTROL'],
    });
    this.tags = Object.fromEntries(
      Object.entries(props.tags).map(([name, description]) => [
        name,
        new PolicyTag(this, `Tag-${name}`, this.resource, name, description),
      ]),
    );
  }
}

export class PolicyTag extends Construct implements IGrantTarget {
  public readonly resource: DataCatalogPolicyTag;
  public readonly grantResourceType = 'google_data_catalog_policy_tag';
  public readonly grantResourceLabel: string;

  constructor(
    scope: Construct,
    id: string,
    taxonomy: DataCatalogTaxonomy,
    name: string,
    description: string,
  ) {
    super(scope, id);
    this.grantResourceLabel = `${taxonomy.displayName}/${name}`;
    this.resource = new DataCatalogPolicyTag(this, 'Resource', {
      taxonomy: taxonomy.id,
      displayName: name,
      description,
    });
  }

  /** The tag's resource name, as BigQuery column schemas reference it. */
  public get name(): string {
    return this.resource.name;
  }

  /** Read the values of columns under this tag (`roles/datacatalog.categoryFineGrainedReader`). */
  public grantFineGrainedRead(principal: IPrincipal): Grant {
    return this.grant(principal, 'roles/datacatalog.categoryFineGrainedReader');
  }

  public grant(principal: IPrincipal, role: string): Grant {
    return grantOn(
      this,
      principal,
      role,
      (id, member) =>
        new DataCatalogPolicyTagIamMember(this, id, { policyTag: this.resource.name, role, member }),
    );
  }
}
