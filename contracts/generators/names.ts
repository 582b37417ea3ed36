/** `line_items` -> `LineItems`. */
export function pascalCase(snake: string): string {
  return snake
    .split('_')
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A column description with the PII marker, so the flag is visible wherever the schema is. */
export function describe(description: string, pii: boolean): string {
  return pii ? `${description} (PII)` : description;
}
