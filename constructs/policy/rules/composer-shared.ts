/** Reading a synthesized `google_composer_environment`: single blocks may be rendered as objects or lists. */
export function block(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

export const COMPOSER_ENVIRONMENT = 'google_composer_environment';
