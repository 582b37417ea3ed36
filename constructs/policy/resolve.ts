/**
 * Resolves references between resources of one synthesized stack where the referenced value is written in the
 * configuration: `${google_bigquery_dataset.X.dataset_id}` becomes the dataset id, and a service account's
 * `email` (computed by Google) becomes `<account_id>@<project>.iam.gserviceaccount.com`, which is how Google
 * forms it. Anything else (data sources, computed attributes, unknown resources) stays as written, so a rule
 * never sees a guessed value.
 */
type Blocks = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;
const literal = (v: unknown): v is string => typeof v === 'string' && !v.includes('${');

export function referenceResolver(resources: Blocks | undefined): (value: string) => string {
  const attribute = (type: string, name: string, attr: string): string | undefined => {
    const config = resources?.[type]?.[name];
    if (!config) return undefined;
    const v = config[attr];
    if (literal(v)) return v;
    if (type === 'google_service_account' && attr === 'email') {
      const id = config.account_id;
      const project = config.project;
      if (literal(id) && literal(project)) return `${id}@${project}.iam.gserviceaccount.com`;
    }
    return undefined;
  };
  return (value) =>
    value.replace(
      REFERENCE,
      (whole, type: string, name: string, attr: string) => attribute(type, name, attr) ?? whole,
    );
}
