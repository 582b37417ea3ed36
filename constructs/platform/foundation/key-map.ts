import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { Construct } from 'constructs';
import {
  CMEK_SERVICES,
  type CmekService,
  KMS_KEY_NAME,
  kmsKeyLocation,
  kmsLocationsFor,
} from '../../../core/gcp';
import { type Checks, Checks as ChecksTable } from '../../../core/validation';
import { CryptoKey } from '../../iam/crypto-key';

/**
 * CMEK for an environment, three ways:
 * - `keys`: existing keys by service, with a default for the rest;
 * - `per-location`: one existing key per location (`europe`, `europe-west1`, …), chosen by where each resource is;
 * - `managed`: the platform creates a key ring per location and a key per service, rotated at least every 90 days
 *   and never destroyed by Terraform.
 * `required` makes policy TRB-CMEK-1 refuse any stateful resource without a key.
 */
export type EncryptionSettings =
  | {
      readonly kind: 'keys';
      readonly default?: string;
      readonly services?: Partial<Record<CmekService, string>>;
      readonly required?: boolean;
    }
  | {
      readonly kind: 'per-location';
      readonly keys: Readonly<Record<string, string>>;
      readonly required?: boolean;
    }
  | { readonly kind: 'managed'; readonly rotationDays?: number; readonly required?: boolean };

/** `{ encryptionKey }` when there is a key, `{}` otherwise: for spreading into construct props. */
export function keyProp(key: string | undefined): { encryptionKey?: string } {
  return key ? { encryptionKey: key } : {};
}

export function checkEncryptionSettings(c: Checks, e: EncryptionSettings | undefined, prefix = ''): void {
  if (!e) return;
  if (e.kind === 'keys') {
    c.rule(`${prefix}default`, e.default, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
    for (const [service, key] of Object.entries(e.services ?? {})) {
      c.rule(`${prefix}services`, service, `must be one of ${CMEK_SERVICES.join(', ')}`, (x) =>
        (CMEK_SERVICES as readonly string[]).includes(x),
      );
      c.rule(`${prefix}services.${service}`, key, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
    }
  } else if (e.kind === 'per-location') {
    for (const [location, key] of Object.entries(e.keys)) {
      c.rule(`${prefix}keys.${location}`, key, KMS_KEY_NAME.text, KMS_KEY_NAME.test);
      c.rule(
        `${prefix}keys.${location}`,
        key,
        `must be a key in ${location}`,
        (k) => kmsKeyLocation(k) === location,
      );
    }
  } else if (e.kind === 'managed')
    c.rule(
      `${prefix}rotationDays`,
      e.rotationDays,
      'must be a whole number of days from 1 to 90 (CIS 1.10)',
      (d) => Number.isInteger(d) && d >= 1 && d <= 90,
    );
  else c.fail(`${prefix}kind`, (e as { kind: unknown }).kind, 'must be keys, per-location or managed');
}

export interface KeyMapProps {
  readonly settings?: EncryptionSettings;
  /** The setting errors name. @default 'foundation.encryption' */
  readonly field?: string;
  readonly project: string;
  readonly namePrefix: string;
}

/**
 * Picks the key each resource uses, by its service and location, and checks the location rule at synth: BigQuery
 * and Cloud Storage in EU need a key in europe (US: us), a regional resource a key in its region; a Pub/Sub
 * topic takes a key in any location (its own region or global for keys the platform creates or picks by location). A wrong or missing key fails naming the service, the key and the rule.
 */
export class KeyMap extends Construct {
  public readonly settings?: EncryptionSettings;
  private readonly rings = new Map<string, KmsKeyRing>();
  private readonly keys = new Map<string, string>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: KeyMapProps,
  ) {
    super(scope, id);
    this.settings = props.settings;
  }

  public get required(): boolean {
    return this.settings?.required ?? false;
  }

  /** The key for `service`'s resource in `location`, or undefined without CMEK. */
  public keyFor(service: CmekService, location: string): string | undefined {
    const s = this.settings;
    if (!s) return undefined;
    const allowed = [...kmsLocationsFor(location), ...(service === 'pubsub' ? ['global'] : [])];
    const c = new ChecksTable(
      `Encryption (${this.props.field ?? 'foundation.encryption'}) for ${service} in ${location}`,
    );
    let key: string | undefined;
    if (s.kind === 'managed') key = this.managedKey(service, allowed[0] as string);
    else if (s.kind === 'per-location') {
      key = allowed.map((l) => s.keys[l]).find((k) => k !== undefined);
      if (!key)
        c.fail(
          'keys',
          Object.keys(s.keys),
          `has no key in ${allowed.join(' or ')}, which ${service} in ${location} needs`,
        );
    } else {
      key = s.services?.[service] ?? s.default;
      // Pub/Sub resources are global: a topic takes a key in any location.
      if (key && service !== 'pubsub')
        c.rule(
          s.services?.[service] ? `services.${service}` : 'default',
          key,
          `is in ${kmsKeyLocation(key)}; ${service} in ${location} needs a key in ${allowed.join(' or ')}`,
          (k) => allowed.includes(kmsKeyLocation(k) ?? ''),
        );
    }
    c.throwIfAny();
    return key;
  }

  private managedKey(service: CmekService, location: string): string {
    const id = `${service}@${location}`;
    const known = this.keys.get(id);
    if (known) return known;
    const s = this.settings as Extract<EncryptionSettings, { kind: 'managed' }>;
    let ring = this.rings.get(location);
    if (!ring) {
      ring = new KmsKeyRing(this, `Ring-${location}`, {
        name: this.props.namePrefix,
        location,
        project: this.props.project,
        lifecycle: { preventDestroy: true },
      });
      this.rings.set(location, ring);
    }
    const keyName = `${this.props.namePrefix}-${service}`;
    const resource = new KmsCryptoKey(this, `Key-${service}-${location}`, {
      name: keyName,
      keyRing: ring.id,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: `${(s.rotationDays ?? 90) * 86_400}s`,
      lifecycle: { preventDestroy: true },
    });
    // Resources refer to the literal name; grants on it wait for the key.
    const name = `projects/${this.props.project}/locations/${location}/keyRings/${this.props.namePrefix}/cryptoKeys/${keyName}`;
    CryptoKey.fromCreatedKey(this, name, resource);
    this.keys.set(id, name);
    return name;
  }
}
