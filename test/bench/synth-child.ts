/**
 * Child process of the synth benchmark: synthesizes every stack into a temp dir and prints its own peak RSS.
 * Run in a fresh process so module loading is part of the measurement, as it is for `npm run synth`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../stacks/main';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-'));
buildApp({ outdir }).synth();
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
