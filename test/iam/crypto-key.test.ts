import { CryptoKey } from '../../constructs/iam/crypto-key';
import { Principal } from '../../constructs/iam/principal';
import { resources, synth, testStack } from '../helpers';

const KEY = 'projects/sec-project-1/locations/europe/keyRings/data/cryptoKeys/lake';

describe('CryptoKey', () => {
  test('is one construct per key per stack, so shared grants are one member resource', () => {
    const stack = testStack();
    const agent = Principal.serviceAccount('service-1@gs-project-accounts.iam.gserviceaccount.com');
    expect(CryptoKey.fromKeyName(stack, KEY)).toBe(CryptoKey.fromKeyName(stack, KEY));
    CryptoKey.fromKeyName(stack, KEY).grantEncryptDecrypt(agent);
    CryptoKey.fromKeyName(stack, KEY).grantEncryptDecrypt(agent);
    expect(resources(synth(stack), 'google_kms_crypto_key_iam_member')).toEqual([
      { crypto_key_id: KEY, role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', member: agent.iamMember },
    ]);
  });

  test('fails for a malformed key name', () => {
    expect(() => CryptoKey.fromKeyName(testStack(), 'projects/x/keyRings/y')).toThrow(
      'keyName = "projects/x/keyRings/y": must be a Cloud KMS key name',
    );
  });
});
