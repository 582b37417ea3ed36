/** The warehouse models of the shipped app: the curated models and the hand-written ones in custom/. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export { CURATED_MODELS } from './curated';

/** Hand-written Dataform models (SQLX or JS), by path under custom/; copied into definitions/custom/. */
export function customModels(dir = path.join(__dirname, 'custom')): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(dir, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (/\.(sqlx|js)$/.test(e.name)) out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}
