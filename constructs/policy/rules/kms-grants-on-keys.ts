import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

const KEY_ROLES = /^roles\/cloudkms\.cryptoKey(EncrypterDecrypter|Encrypter|Decrypter)$/;
const WIDE = new Set([
  'google_project_iam_member',
  'google_project_iam_binding',
  'google_kms_key_ring_iam_member',
  'google_kms_key_ring_iam_binding',
]);

export const kmsGrantsOnKeys: PolicyRule = {
  id: 'TRB-KMS-3',
  level: 'error',
  title: 'Key use is granted on one key, never on a key ring or the project',
  explanation:
    'Encrypt and decrypt roles on a key ring or the project reach every key in it, present and future: one service could read what another protects. Grant cryptoKeyEncrypterDecrypter on the one key a service uses (CryptoKey.grantEncryptDecrypt does), to that service agent.',
  references: [
    'CIS GCP v3.0 1.11 (separation of duties for KMS)',
    'CKV_GCP_112 (related: no public KMS access)',
  ],
  check: (resource) => {
    if (resource.mode !== 'managed' || !WIDE.has(resource.type)) return NOT_APPLICABLE;
    const role = String(resource.config.role ?? '');
    return KEY_ROLES.test(role)
      ? nonCompliant(
          `${role} is granted on a ${resource.type.includes('key_ring') ? 'key ring' : 'project'}; grant it on the key`,
        )
      : COMPLIANT;
  },
};
