import { TributaryApp } from '../constructs/platform/stack/tributary-stack';
import { BootstrapStack } from './bootstrap-stack';
import { defaultStreams, EnvironmentStack, type StreamSources } from './environment-stack';
import { bootstrap } from './environments/bootstrap';
import { ENVIRONMENTS } from './environments/index';
import type { EnvironmentConfig } from './environments/types';
import { summarize } from './summary';

export interface BuildOptions {
  /** @default - $CDKTF_OUTDIR (set by the cdktf CLI), else `cdktf.out` */
  readonly outdir?: string;
  /** @default - the example contracts in stacks/contracts and the committed lock */
  readonly streams?: StreamSources;
  /** @default - dev, staging and prod (stacks/environments) */
  readonly environments?: readonly EnvironmentConfig[];
}

/** The Tributary app: the bootstrap stack plus one stack per environment. */
export function buildApp(options: BuildOptions = {}): TributaryApp {
  const app = new TributaryApp({ outdir: options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
  new BootstrapStack(app, 'bootstrap', bootstrap);
  const streams = options.streams ?? defaultStreams();
  for (const env of options.environments ?? ENVIRONMENTS) new EnvironmentStack(app, env, streams);
  return app;
}

/**
 * `npm run synth` (and `cdktn synth`): synthesizes every stack and prints the summary. A failure prints its
 * message, which for a config, contract or policy error is the list of problems; the stack trace only helps when
 * debugging, so it is printed with TRIBUTARY_DEBUG=1. Returns the exit code.
 */
export function synthMain(
  build: () => TributaryApp = buildApp,
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): number {
  try {
    const app = build();
    app.synth();
    io.out(summarize(app.outdir, [bootstrap.ciProjectId, ...ENVIRONMENTS.map((e) => e.foundation.project)]));
    return 0;
  } catch (error) {
    const e = error as Error;
    io.err(`${process.env.TRIBUTARY_DEBUG === '1' ? e.stack : e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // cdktn records a stack trace for every token it creates, only to annotate resolution errors; that is most
  // of synth time for large stacks. Off here, at the app entry only (a composing team's own app decides for
  // itself); CDKTN_DISABLE_CREATION_STACK=0 brings the traces back when debugging a resolution error.
  process.env.CDKTN_DISABLE_CREATION_STACK ??= '1';
  process.exitCode = synthMain();
}
