import { DataGoogleSecretManagerSecretVersion } from '@cdktf/provider-google/lib/data-google-secret-manager-secret-version';
import { LookerInstance as LookerInstanceResource } from '@cdktf/provider-google/lib/looker-instance';
import { Construct } from 'constructs';
import { REGION } from '../../core/gcp';
import { projectOf } from '../core/project';
import { checkProject, constructChecks } from '../core/validation';
import { useKey } from '../iam/cmek';
import { type IPrincipal, ServiceAgent } from '../iam/principal';

export type LookerEdition =
  | 'LOOKER_CORE_STANDARD'
  | 'LOOKER_CORE_STANDARD_ANNUAL'
  | 'LOOKER_CORE_ENTERPRISE_ANNUAL'
  | 'LOOKER_CORE_EMBED_ANNUAL';

export type Weekday = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

export interface LookerInstanceProps {
  readonly instanceName: string;
  readonly region: string;
  /** @default - the project of the stack's default google provider */
  readonly project?: string;
  readonly edition: LookerEdition;
  /**
   * The VPC the instance gets its private IP in (`projects/<p>/global/networks/<n>`); it needs private services
   * access (a servicenetworking connection) already.
   */
  readonly network: string;
  /** Secret Manager secrets (in the project) holding the OAuth client's id and secret, latest version. */
  readonly oauthClient: { readonly idSecret: string; readonly secretSecret: string };
  /** @default - Google picks the window */
  readonly maintenanceWindow?: { readonly day: Weekday; readonly hourUtc: number };
  /** @default - Google-managed encryption */
  readonly encryptionKey?: string;
  /** Needed for the Looker service agent. @default - looked up at plan time */
  readonly projectNumber?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EDITIONS: readonly LookerEdition[] = [
  'LOOKER_CORE_STANDARD',
  'LOOKER_CORE_STANDARD_ANNUAL',
  'LOOKER_CORE_ENTERPRISE_ANNUAL',
  'LOOKER_CORE_EMBED_ANNUAL',
];
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * A Looker (Google Cloud core) instance with private IP only, its OAuth client read from Secret Manager (never
 * written in the configuration), a maintenance window and CMEK when configured. It reaches BigQuery as its
 * service agent (`agent`), which is what data grants go to: no keys, ever.
 */
export class LookerInstance extends Construct {
  public readonly resource: LookerInstanceResource;
  /** The Looker service agent: BigQuery grants for the instance's connections go to it. */
  public readonly agent: IPrincipal;

  constructor(scope: Construct, id: string, props: LookerInstanceProps) {
    super(scope, id);
    const project = projectOf(this, props.project);
    const c = constructChecks(this);
    c.rule(
      'instanceName',
      props.instanceName,
      'must be 2-63 lowercase letters, digits and hyphens, starting with a letter',
      (n) => NAME.test(n),
    );
    c.check('region', props.region, REGION);
    checkProject(c, project);
    c.rule('edition', props.edition, `must be one of ${EDITIONS.join(', ')}`, (e) => EDITIONS.includes(e));
    c.rule('network', props.network, 'must be projects/<project>/global/networks/<name>', (n) =>
      /^projects\/[^/]+\/global\/networks\/[^/]+$/.test(n),
    );
    c.rule('oauthClient.idSecret', props.oauthClient.idSecret, 'must be a Secret Manager secret id', (s) =>
      SECRET_ID.test(s),
    );
    c.rule(
      'oauthClient.secretSecret',
      props.oauthClient.secretSecret,
      'must be a Secret Manager secret id',
      (s) => SECRET_ID.test(s),
    );
    c.rule(
      'maintenanceWindow.hourUtc',
      props.maintenanceWindow?.hourUtc,
      'must be a whole hour from 0 to 23',
      (h) => Number.isInteger(h) && h >= 0 && h <= 23,
    );
    c.throwIfAny();
    const secret = (cid: string, secretId: string) =>
      new DataGoogleSecretManagerSecretVersion(this, cid, { project, secret: secretId }).secretData;
    this.resource = new LookerInstanceResource(this, 'Resource', {
      name: props.instanceName,
      region: props.region,
      project,
      platformEdition: props.edition,
      privateIpEnabled: true,
      publicIpEnabled: false,
      consumerNetwork: props.network,
      oauthConfig: {
        clientId: secret('OauthClientId', props.oauthClient.idSecret),
        clientSecret: secret('OauthClientSecret', props.oauthClient.secretSecret),
      },
      ...(props.maintenanceWindow
        ? {
            maintenanceWindow: {
              dayOfWeek: props.maintenanceWindow.day,
              startTime: { hours: props.maintenanceWindow.hourUtc, minutes: 0 },
            },
          }
        : {}),
      ...(props.encryptionKey ? { encryptionConfig: { kmsKeyName: props.encryptionKey } } : {}),
    });
    if (props.encryptionKey)
      useKey(this, this.resource, props.encryptionKey, 'looker', {
        project: project as string,
        ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
      });
    this.agent = ServiceAgent.of(this, 'looker', {
      ...(project ? { project } : {}),
      ...(props.projectNumber ? { projectNumber: props.projectNumber } : {}),
    });
  }
}
