/** Reading synthesized configuration: single blocks may be rendered as objects or one-item lists. */
export function block(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** Repeated blocks as a list (an object rendered for one item becomes a one-item list). */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value))
    return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
}

/** The value at a path of nested blocks, or undefined. */
export function at(config: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let v: unknown = config;
  for (const key of path) {
    const b = block(v);
    if (!b) return undefined;
    v = b[key];
  }
  return v;
}

/** Secret-looking environment variable names. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** A value with references to other resources of the stack resolved where the context can (`referenceResolver`). */
export function resolved(context: { readonly resolve?: (value: string) => string }, value: unknown): string {
  const text = String(value ?? '');
  return context.resolve ? context.resolve(text) : text;
}
