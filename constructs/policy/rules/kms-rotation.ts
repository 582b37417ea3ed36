import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

/** 90 days, CIS's bound. */
export const MAX_ROTATION_SECONDS = 90 * 86_400;

export const kmsRotation: PolicyRule = {
  id: 'TRB-KMS-1',
  level: 'error',
  title: 'Encryption keys rotate at least every 90 days',
  explanation:
    'A symmetric key rotated automatically limits how much data one key version protects. Set rotation_period to at most 7776000s (90 days); asymmetric keys do not rotate automatically and are skipped.',
  references: ['CIS GCP v3.0 1.10', 'CKV_GCP_43'],
  check: (resource) => {
    if (resource.mode !== 'managed' || resource.type !== 'google_kms_crypto_key') return NOT_APPLICABLE;
    const purpose = String(resource.config.purpose ?? 'ENCRYPT_DECRYPT');
    if (purpose.startsWith('ASYMMETRIC')) return NOT_APPLICABLE;
    const period = /^(\d+)s$/.exec(String(resource.config.rotation_period ?? ''));
    if (!period) return nonCompliant(`key ${String(resource.config.name)} has no rotation_period`);
    const seconds = Number(period[1]);
    return seconds <= MAX_ROTATION_SECONDS && seconds >= 86_400
      ? COMPLIANT
      : nonCompliant(
          `key ${String(resource.config.name)} rotates every ${seconds}s; the bound is 1 to 90 days`,
        );
  },
};
