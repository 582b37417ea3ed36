import { App } from 'cdktf';
import { BootstrapStack } from './bootstrap-stack';
import { EnvironmentStack } from './environment-stack';
import { bootstrap } from './environments/bootstrap';
import { ENVIRONMENTS } from './environments/index';
import { summarize } from './summary';

export interface BuildOptions {
  /** @default - $CDKTF_OUTDIR (set by the cdktf CLI), else `cdktf.out` */
  readonly outdir?: string;
}

/** The Tributary app: the bootstrap stack plus one stack per environment. */
export function buildApp(options: BuildOptions = {}): App {
  const app = new App({ outdir: options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
  new BootstrapStack(app, 'bootstrap', bootstrap);
  for (const env of ENVIRONMENTS) new EnvironmentStack(app, env);
  return app;
}

if (require.main === module) {
  const app = buildApp();
  app.synth();
  process.stdout.write(
    summarize(app.outdir, [bootstrap.ciProjectId, ...ENVIRONMENTS.map((e) => e.projectId)]),
  );
}
