import {
  defineFlexTemplate,
  type ParameterValues,
  parameterMap,
  parameterMetadata,
  RESERVED_PARAMETERS,
  type TemplateParameter,
  templateParameterProblems,
} from '../../constructs/dataflow/template-parameters';
import { googleTemplatePath, PUBSUB_TO_BIGQUERY } from '../../constructs/dataflow/templates';
import { ValidationError } from '../../core/validation';
import { errorOf } from '../helpers';

const SUB = 'projects/trb-test-project/subscriptions/trb-test-order-dataflow';
const TABLE = 'trb-test-project:trb_test_raw.order_v1';

const valid = {
  inputSubscription: SUB,
  outputTableSpec: TABLE,
  outputDeadletterTable: `${TABLE}_dead_letter`,
  useStorageWriteApi: true,
  useStorageWriteApiAtLeastOnce: true,
  javascriptTextTransformGcsPath: 'gs://trb-test-artifacts/udf/order/order-0123456789abcdef.js',
  javascriptTextTransformFunctionName: 'transform',
};

const problems = (values: Record<string, unknown>) =>
  templateParameterProblems(PUBSUB_TO_BIGQUERY, values as Record<string, string>).map(
    (p) => `${p.field}: ${p.rule}`,
  );

describe('PubSub_to_BigQuery_Flex parameters', () => {
  test('accepts a complete, consistent set', () => {
    expect(problems(valid)).toEqual([]);
  });

  test('lives in the regional Google bucket, latest release unless pinned', () => {
    expect(googleTemplatePath('europe-west1', PUBSUB_TO_BIGQUERY.name)).toBe(
      'gs://dataflow-templates-europe-west1/latest/flex/PubSub_to_BigQuery_Flex',
    );
    expect(googleTemplatePath('us-central1', PUBSUB_TO_BIGQUERY.name, '2025-01-14-00_RC00')).toBe(
      'gs://dataflow-templates-us-central1/2025-01-14-00_RC00/flex/PubSub_to_BigQuery_Flex',
    );
  });

  test('fails an unknown key, naming the known ones (the API would reject the launch)', () => {
    const [problem] = problems({ ...valid, outputTable: TABLE });
    expect(problem).toMatch(
      /^parameters\.outputTable: is not a parameter of PubSub_to_BigQuery_Flex \(known: outputTableSpec, inputTopic, inputSubscription/,
    );
  });

  test('fails a launch option passed as a parameter, naming the argument to use instead', () => {
    expect(
      problems({
        ...valid,
        maxNumWorkers: 5,
        serviceAccountEmail: 'x@y.iam.gserviceaccount.com',
        network: 'n',
      }),
    ).toEqual([
      'parameters.maxNumWorkers: is a launch option of the job resource; set maxWorkers instead (the API rejects duplicates)',
      'parameters.serviceAccountEmail: is a launch option of the job resource; set the worker identity instead (the API rejects duplicates)',
      'parameters.network: is a launch option of the job resource; set network instead (the API rejects duplicates)',
    ]);
  });

  test('fails missing required parameters and input ambiguity', () => {
    expect(problems({ useStorageWriteApi: true, useStorageWriteApiAtLeastOnce: true })).toEqual([
      'parameters.outputTableSpec: is required',
      'parameters.inputTopic|inputSubscription: exactly one of inputTopic, inputSubscription must be set, found 0',
    ]);
    expect(problems({ ...valid, inputTopic: 'projects/trb-test-project/topics/trb-test-order' })).toEqual([
      'parameters.inputTopic|inputSubscription: exactly one of inputTopic, inputSubscription must be set, found 2',
    ]);
  });

  test('fails values of the wrong type or form, each with its rule', () => {
    expect(
      problems({
        ...valid,
        outputTableSpec: 'trb_test_raw.order_v1',
        inputSubscription: 'trb-test-order-dataflow',
        useStorageWriteApi: 'yes',
        javascriptTextTransformGcsPath: 'gs://bucket/udf.txt',
        javascriptTextTransformFunctionName: 'my-fn',
        javascriptTextTransformReloadIntervalMinutes: 1.5,
      }),
    ).toEqual([
      'parameters.inputSubscription: must be a full subscription name projects/<project>/subscriptions/<subscription>',
      'parameters.outputTableSpec: must be a table spec <project>:<dataset>.<table>',
      'parameters.useStorageWriteApi: must be a boolean',
      'parameters.javascriptTextTransformGcsPath: must be a Cloud Storage URL of a .js file',
      'parameters.javascriptTextTransformFunctionName: must match ^[A-Za-z_$][A-Za-z0-9_$]*$',
      'parameters.javascriptTextTransformReloadIntervalMinutes: must be an integer',
      // useStorageWriteApi is not `true`, so at-least-once has nothing to apply to.
      'parameters.useStorageWriteApiAtLeastOnce: applies only with useStorageWriteApi: true',
    ]);
    expect(problems({ ...valid, numStorageWriteApiStreams: 0 })).toEqual([
      'parameters.numStorageWriteApiStreams: must be >= 1',
    ]);
  });

  test('fails the cross-parameter rules: UDF path and name together, exactly-once sizing', () => {
    const { javascriptTextTransformFunctionName: _n, ...pathOnly } = valid;
    expect(problems(pathOnly)).toEqual([
      'parameters.javascriptTextTransformFunctionName: javascriptTextTransformGcsPath and javascriptTextTransformFunctionName are set together',
    ]);
    expect(problems({ ...valid, useStorageWriteApiAtLeastOnce: false })).toEqual([
      'parameters.numStorageWriteApiStreams: exactly-once Storage Write API writes from a streaming job need numStorageWriteApiStreams and storageWriteApiTriggeringFrequencySec',
    ]);
    expect(
      problems({
        ...valid,
        useStorageWriteApiAtLeastOnce: false,
        numStorageWriteApiStreams: 4,
        storageWriteApiTriggeringFrequencySec: 5,
      }),
    ).toEqual([]);
  });

  test('passes unresolved tokens through unchecked', () => {
    const isToken = (v: unknown) => typeof v === 'string' && v.startsWith('${TOKEN');
    expect(
      templateParameterProblems(PUBSUB_TO_BIGQUERY, { ...valid, outputTableSpec: '${TOKEN[1]}' }, isToken),
    ).toEqual([]);
  });

  test('become the string map the API takes, keys sorted so the plan is stable', () => {
    const map = parameterMap(PUBSUB_TO_BIGQUERY, {
      ...valid,
      javascriptTextTransformReloadIntervalMinutes: 0,
    });
    expect(Object.keys(map)).toEqual(Object.keys(map).sort());
    expect(map).toMatchObject({
      useStorageWriteApi: 'true',
      javascriptTextTransformReloadIntervalMinutes: '0',
    });
  });

  test('type a job: required keys required, unknown keys refused, values typed', () => {
    type Values = ParameterValues<typeof PUBSUB_TO_BIGQUERY.parameters>;
    const ok: Values = { outputTableSpec: TABLE, inputSubscription: SUB, useStorageWriteApi: true };
    // @ts-expect-error outputTableSpec is required
    const missing: Values = { inputSubscription: SUB };
    // @ts-expect-error unknown keys are refused
    const unknown: Values = { outputTableSpec: TABLE, outputTable: TABLE };
    // @ts-expect-error useStorageWriteApi is a boolean
    const wrong: Values = { outputTableSpec: TABLE, useStorageWriteApi: 'true' };
    expect([ok, missing, unknown, wrong]).toHaveLength(4);
  });
});

describe('defineFlexTemplate', () => {
  const param = (p: Partial<TemplateParameter> = {}): TemplateParameter => ({
    name: 'inputPath',
    label: 'Input',
    helpText: 'Files to read.',
    type: 'GCS_READ_FILE',
    ...p,
  });

  test('fails a definition with every problem listed: names, reserved keys, duplicates, enums, bounds, groups', () => {
    const error = errorOf(() =>
      defineFlexTemplate({
        name: 'My Template',
        description: '',
        streaming: false,
        parameters: [
          param(),
          param(),
          param({ name: 'Output_path' }),
          param({ name: 'tempLocation' }),
          param({ name: 'mode', type: 'ENUM' }),
          param({ name: 'size', type: 'NUMBER', min: 5, max: 1 }),
          param({ name: 'pattern', type: 'TEXT', regexes: ['('] }),
          param({ name: 'flag', type: 'BOOLEAN', values: ['x'], label: '' }),
        ],
        exactlyOneOf: [['inputPath', 'nothing']],
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message.split('\n').slice(1)).toEqual([
      '  - name = "My Template": must be 1-100 letters, digits, "_" and "-"',
      '  - description = "": is required',
      '  - parameters.inputPath = "inputPath": is declared twice',
      '  - parameters.Output_path = "Output_path": must be lowerCamelCase: a lowercase letter, then letters and digits',
      '  - parameters.tempLocation = "tempLocation": is a launch option of the job resource (the staging bucket); it cannot be a template parameter',
      '  - parameters.mode.values = []: ENUM parameters list at least one distinct value',
      '  - parameters.size.min = 5: must not exceed max (1)',
      '  - parameters.pattern.regexes = "(": must be a valid regular expression',
      '  - parameters.flag.label = "": is required',
      '  - parameters.flag.values = ["x"]: only ENUM parameters take values',
      '  - exactlyOneOf = "nothing": names a parameter the template does not declare',
    ]);
  });

  test('produces Dataflow ParameterMetadata: type, optionality, regexes and enum options', () => {
    const t = defineFlexTemplate({
      name: 'Files_to_BigQuery',
      description: 'Loads files.',
      streaming: false,
      parameters: [
        param(),
        param({ name: 'mode', type: 'ENUM', values: ['APPEND', 'TRUNCATE'], optional: true }),
        param({ name: 'label', type: 'TEXT', regexes: ['^[a-z]+$'] }),
      ],
    });
    expect(parameterMetadata(t)).toEqual([
      {
        name: 'inputPath',
        label: 'Input',
        helpText: 'Files to read.',
        isOptional: false,
        paramType: 'GCS_READ_FILE',
        regexes: ['^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$'],
      },
      {
        name: 'mode',
        label: 'Input',
        helpText: 'Files to read.',
        isOptional: true,
        paramType: 'ENUM',
        enumOptions: [
          { value: 'APPEND', label: 'APPEND' },
          { value: 'TRUNCATE', label: 'TRUNCATE' },
        ],
      },
      {
        name: 'label',
        label: 'Input',
        helpText: 'Files to read.',
        isOptional: false,
        paramType: 'TEXT',
        regexes: ['^[a-z]+$'],
      },
    ]);
    expect(templateParameterProblems(t, { inputPath: 'gs://bkt/x.csv', mode: 'MERGE', label: 'ok' })).toEqual(
      [{ field: 'parameters.mode', value: 'MERGE', rule: 'must be one of APPEND, TRUNCATE' }],
    );
  });

  test('reserves every launch option the job resource has as an argument', () => {
    for (const key of [
      'network',
      'subnetwork',
      'serviceAccountEmail',
      'tempLocation',
      'stagingLocation',
      'maxWorkers',
      'numWorkers',
      'workerMachineType',
      'kmsKeyName',
      'ipConfiguration',
      'enableStreamingEngine',
      'autoscalingAlgorithm',
      'sdkContainerImage',
      'launcherMachineType',
      'additionalExperiments',
      'labels',
    ])
      expect(RESERVED_PARAMETERS).toHaveProperty(key);
  });
});
