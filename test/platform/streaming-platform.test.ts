import { GrantLedger } from '../../constructs/iam/grants';
import { PlatformConsumers } from '../../constructs/platform/consumers/platform-consumers';
import { PlatformFoundation } from '../../constructs/platform/foundation/foundation';
import { PlatformIngest } from '../../constructs/platform/ingest/platform-ingest';
import { PlatformLoader } from '../../constructs/platform/loader/platform-loader';
import { PlatformModels } from '../../constructs/platform/models/platform-models';
import { PlatformOperations } from '../../constructs/platform/operations/platform-operations';
import { PlatformOrchestration } from '../../constructs/platform/orchestration/platform-orchestration';
import { StreamingPlatform } from '../../constructs/platform/streaming-platform';
import { EventStreams } from '../../constructs/platform/streams/event-streams';
import { baseContract } from '../contracts/fixtures';
import { synth, testStack } from '../helpers';

const PLACEMENT = {
  project: 'trb-test-project',
  region: 'europe-west1',
  dataLocation: 'EU',
  namePrefix: 'trb-tst',
  production: false,
} as const;

describe('StreamingPlatform', () => {
  test('is the foundation plus one construct per capability, at stable construct paths', () => {
    const stack = testStack();
    const p = new StreamingPlatform(stack, 'Platform', {
      ...PLACEMENT,
      streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [baseContract()] },
      ingest: { image: 'europe-west1-docker.pkg.dev/trb-test-project/tributary/ingest:abc', maxInstances: 2 },
    });
    expect(p).toBeInstanceOf(PlatformFoundation);
    expect(p.streams.node.path).toBe('test/Platform/Streams');
    expect(p.ingest?.node.path).toBe('test/Platform/IngestGateway');
    expect(p.node.tryFindChild('IngestIdentity')).toBeDefined();
    synth(stack);
    expect(stack.policy.errors).toEqual([]);
    // Only the gateway has an identity: nothing is created for capabilities that do not exist.
    expect(
      new Set(
        GrantLedger.of(stack)
          .records.filter((r) => r.principal.startsWith('serviceAccount:trb-tst-'))
          .map((r) => r.principal.split('@')[0]),
      ),
    ).toEqual(new Set(['serviceAccount:trb-tst-ingest']));
  });

  test('without ingest settings, deploys no gateway and no gateway identity', () => {
    const stack = testStack();
    const p = new StreamingPlatform(stack, 'Platform', {
      ...PLACEMENT,
      streams: { delivery: { kind: 'bigquery-subscription' }, contracts: [] },
    });
    expect(p.ingest).toBeUndefined();
    expect(p.node.tryFindChild('IngestIdentity')).toBeUndefined();
  });

  test('requires the APIs, deployer and planner roles of every part, each listed once', () => {
    const parts = [
      PlatformFoundation,
      EventStreams,
      PlatformIngest,
      PlatformModels,
      PlatformLoader,
      PlatformOrchestration,
      PlatformConsumers,
      PlatformOperations,
    ];
    expect([...StreamingPlatform.REQUIRED_SERVICES]).toEqual(
      [...new Set(parts.flatMap((p) => p.REQUIRED_SERVICES))].sort(),
    );
    const roles = StreamingPlatform.DEPLOYER_ROLES.map((r) => r.role);
    expect(new Set(roles).size).toBe(roles.length);
    expect(new Set(roles)).toEqual(new Set(parts.flatMap((p) => p.DEPLOYER_ROLES.map((r) => r.role))));
    const planner = StreamingPlatform.PLANNER_ROLES.map((r) => r.role);
    expect(new Set(planner).size).toBe(planner.length);
    expect(new Set(planner)).toEqual(new Set(parts.flatMap((p) => p.PLANNER_ROLES.map((r) => r.role))));
  });
});
