import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { type TerraformResource, TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { KMS_KEY_NAME } from '../../core/gcp';
import { stableHash } from '../../core/names';
import { dependOnce } from '../core/dependencies';
import { constructChecks } from '../core/validation';
import { type Grant, grantOn, type IGrantTarget } from './grants';
import type { IPrincipal } from './principal';

/**
 * A Cloud KMS key managed elsewhere (usually by a security team), referenced by name so that the services
 * using it for CMEK can be granted access. One instance per key per stack, so every grant on a key is one
 * member resource no matter how many buckets or datasets use it.
 */
export class CryptoKey extends Construct implements IGrantTarget {
  public static fromKeyName(scope: IConstruct, keyName: string): CryptoKey {
    const stack = TerraformStack.of(scope);
    const id = `CryptoKey-${stableHash(keyName, 8)}`;
    return (stack.node.tryFindChild(id) as CryptoKey | undefined) ?? new CryptoKey(stack, id, keyName);
  }

  /**
   * A key this stack creates (KeyMap's platform-managed keys), by its literal name: grants on it wait for the
   * key resource.
   */
  public static fromCreatedKey(scope: IConstruct, keyName: string, resource: TerraformResource): CryptoKey {
    const key = CryptoKey.fromKeyName(scope, keyName);
    key.created = resource;
    return key;
  }

  public readonly grantResourceType = 'google_kms_crypto_key';
  public readonly grantResourceLabel: string;
  private created?: TerraformResource;

  private constructor(
    scope: Construct,
    id: string,
    public readonly keyName: string,
  ) {
    super(scope, id);
    constructChecks(this).rule('keyName', keyName, KMS_KEY_NAME.text, KMS_KEY_NAME.test).throwIfAny();
    this.grantResourceLabel = keyName;
  }

  /** Lets a service agent encrypt and decrypt with this key (what CMEK needs). */
  public grantEncryptDecrypt(principal: IPrincipal): Grant {
    const role = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';
    const grant = grantOn(
      this,
      principal,
      role,
      (id, member) => new KmsCryptoKeyIamMember(this, id, { cryptoKeyId: this.keyName, role, member }),
    );
    if (this.created) dependOnce(grant.member, this.created);
    return grant;
  }
}
