/**
 * Where a stream's messages live in an environment, read from the environment's own stack (constructed, not
 * synthesized), so the scripts use exactly the names the deployed resources have.
 */
import { Testing } from 'cdktf';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { environmentOf } from '../warehouse';

export interface StreamTargets {
  readonly project: string;
  /** `projects/<p>/topics/<t>` */
  readonly topic: string;
  /** `projects/<p>/subscriptions/<t>-dlq-sub` */
  readonly deadLetterSubscription: string;
  /** The subscriptions that dead-letter into it, by role. */
  readonly sources: { readonly delivery: string; readonly archive: string };
  readonly archiveBucket: string;
  /** `<contract>/`: the archive objects' prefix. */
  readonly archivePrefix: string;
}

export function streamTargets(envName: string, stream: string): StreamTargets {
  const env = environmentOf(envName);
  const platform = new EnvironmentStack(Testing.app(), env).platform;
  const s = platform.streams.streams[stream];
  if (!s)
    throw new Error(
      `--stream ${JSON.stringify(stream)}: not a stream of ${env.name} (${Object.keys(platform.streams.streams).join(', ')})`,
    );
  const project = env.foundation.project;
  return {
    project,
    topic: `projects/${project}/topics/${s.topic.topicName}`,
    deadLetterSubscription: s.topic.deadLetterSubscription.subscriptionPath,
    sources: { delivery: s.delivery.subscriptionPath, archive: s.archive.subscriptionPath },
    archiveBucket: platform.buckets.archive.bucketName,
    archivePrefix: `${s.contract.name}/`,
  };
}
