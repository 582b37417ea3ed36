import { AnalyticsDataset, type AnalyticsDatasetProps } from '../../constructs/bigquery/analytics-dataset';
import { Principal } from '../../constructs/iam/principal';
import { errorOf, only, resources, synth, testStack } from '../helpers';

function dataset(props: Partial<AnalyticsDatasetProps> = {}) {
  const stack = testStack();
  const d = new AnalyticsDataset(stack, 'Raw', {
    datasetId: 'trb_test_raw',
    layer: 'raw',
    location: 'EU',
    deletionProtection: false,
    ...props,
  });
  return { stack, dataset: d };
}

describe('AnalyticsDataset', () => {
  test('creates the dataset in its location, labelled with its layer, never deleting contents on destroy', () => {
    const { stack } = dataset({ labels: { domain: 'sales' } });
    expect(only(synth(stack), 'google_bigquery_dataset')).toEqual({
      dataset_id: 'trb_test_raw',
      project: 'trb-test-project',
      location: 'EU',
      description: 'Raw events exactly as delivered, one table per contract and table version.',
      labels: { domain: 'sales', layer: 'raw' },
      delete_contents_on_destroy: false,
      max_time_travel_hours: '168',
    });
  });

  test('with deletion protection, Terraform refuses to destroy it', () => {
    const { stack } = dataset({ deletionProtection: true });
    expect(only(synth(stack), 'google_bigquery_dataset').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('grants data editor and viewer on this dataset only', () => {
    const { stack, dataset: d } = dataset();
    d.grantDataEditor(Principal.serviceAccount('loader@trb-test-project.iam.gserviceaccount.com'));
    d.grantDataViewer(Principal.group('analysts@example.com'));
    const members = resources(synth(stack), 'google_bigquery_dataset_iam_member');
    expect(members.map((m) => [m.role, m.member])).toEqual(
      expect.arrayContaining([
        ['roles/bigquery.dataEditor', 'serviceAccount:loader@trb-test-project.iam.gserviceaccount.com'],
        ['roles/bigquery.dataViewer', 'group:analysts@example.com'],
      ]),
    );
    for (const m of members)
      expect(m.dataset_id).toBe(`\${google_bigquery_dataset.${d.resource.friendlyUniqueId}.dataset_id}`);
    expect(resources(synth(stack), 'google_project_iam_member')).toEqual([]);
  });

  test.each<[string, Partial<AnalyticsDatasetProps>, string]>([
    [
      'a dataset id with a hyphen',
      { datasetId: 'trb-raw' },
      'datasetId = "trb-raw": must be 1-1024 letters, digits and underscores',
    ],
    [
      'an unknown layer',
      { layer: 'gold' as 'raw' },
      'layer = "gold": must be raw, staging, curated or assertions',
    ],
    [
      'an unknown location',
      { location: 'Mars' },
      'location = "Mars": must be a known Google Cloud region or a multi-region',
    ],
    [
      'an invalid project',
      { project: 'Acme_Payments!' },
      'project = "Acme_Payments!": must be 6-30 characters',
    ],
    ['a time travel window of 24 hours', { maxTimeTravelHours: 24 }, 'maxTimeTravelHours = 24'],
    [
      'a key outside the data location',
      { encryptionKey: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' },
      'key location must be europe to protect data in EU',
    ],
  ])('fails for %s', (_case, props, message) => {
    const error = errorOf(() => dataset(props));
    expect(error.message).toContain('test/Raw (AnalyticsDataset)');
    expect(error.message).toContain(message);
  });

  test('fromDatasetId grants on an existing dataset without creating it', () => {
    const stack = testStack();
    const raw = AnalyticsDataset.fromDatasetId(stack, 'Existing', {
      datasetId: 'acme_raw',
      project: 'acme-data-prod',
      layer: 'raw',
      location: 'EU',
    });
    raw.grantDataEditor(Principal.group('loaders@example.com'));
    const json = synth(stack);
    expect(resources(json, 'google_bigquery_dataset')).toEqual([]);
    expect(resources(json, 'google_bigquery_dataset_iam_member')).toEqual([
      expect.objectContaining({
        project: 'acme-data-prod',
        dataset_id: 'acme_raw',
        role: 'roles/bigquery.dataEditor',
      }),
    ]);
  });

  test('fromDatasetId fails every problem of the reference at once', () => {
    const error = errorOf(() =>
      AnalyticsDataset.fromDatasetId(testStack(), 'Existing', {
        datasetId: 'acme-raw',
        project: '',
        layer: 'bronze' as 'raw',
        location: 'Mars',
      }),
    );
    expect(error.message).toContain('test/Existing (ImportedDataset): 4 problems');
    expect(error.message).toContain('project = "": is required');
  });
});
