/**
 * A stand-in for the `airflow` modules (and the one `google.cloud` module) the generated DAG files import,
 * written by the tests into a temporary directory: just enough to load a DAG file and record what it declares
 * (the DAG's arguments, each task's class, arguments and upstream tasks), which a driver prints as JSON.
 * It checks nothing Airflow itself would check; py_compile and pyflakes check the Python, and this checks that
 * the file declares exactly the typed graph.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BASE = `
import datetime as _dt

_dags = []


def _value(v):
    if isinstance(v, _dt.timedelta):
        return {"minutes": v.total_seconds() / 60}
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, (set, frozenset)):
        return sorted(str(x) for x in v)
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if callable(v):
        return "callable:" + getattr(v, "__name__", "?")
    return v


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = {}
        _dags.append(self)

    def __enter__(self):
        _stack.append(self)
        return self

    def __exit__(self, *exc):
        _stack.pop()
        return False


_stack = []


class BaseOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = set()
        self.mapped = None
        _stack[-1].tasks[task_id] = self

    def __rshift__(self, other):
        other.upstream.add(self.task_id)
        return other

    @classmethod
    def partial(cls, **kwargs):
        return _Partial(cls, kwargs)


class _Partial:
    def __init__(self, cls, kwargs):
        self.cls = cls
        self.kwargs = kwargs

    def expand(self, **mapped):
        op = self.cls(**self.kwargs)
        op.mapped = {k: getattr(v, "task_id", v) for k, v in mapped.items()}
        for v in mapped.values():
            if isinstance(v, BaseOperator):
                op.upstream.add(v.task_id)
        return op


def _describe():
    out = []
    for dag in _dags:
        out.append({
            "dag_id": dag.dag_id,
            "kwargs": _value({k: v for k, v in dag.kwargs.items() if k not in ("params", "default_args")}),
            "params": {k: {"default": p.default, "schema": p.schema} for k, p in dag.kwargs.get("params", {}).items()},
            "default_args": _value(dag.kwargs.get("default_args", {})),
            "tasks": {
                t.task_id: {
                    "class": type(t).__name__,
                    "function": getattr(t, "function", None),
                    "upstream": sorted(t.upstream),
                    "kwargs": _value(t.kwargs),
                    "mapped": t.mapped,
                }
                for t in dag.tasks.values()
            },
        })
    return out
`;

const FILES: Readonly<Record<string, string>> = {
  'airflow/__init__.py': `from airflow._standin import DAG  # noqa: F401\n`,
  'airflow/_standin.py': BASE,
  'airflow/models/__init__.py': '',
  'airflow/models/param.py': `
class Param:
    def __init__(self, default=None, **schema):
        self.default = default
        self.schema = schema
`,
  'airflow/exceptions.py': `
class AirflowFailException(Exception):
    pass
`,
  'airflow/decorators/__init__.py': `
from airflow._standin import BaseOperator


class _Decorated(BaseOperator):
    pass


class _Task:
    def __init__(self, fn, task_id=None):
        self.fn = fn
        self.task_id = task_id or fn.__name__

    def override(self, task_id):
        return _Task(self.fn, task_id)

    def __call__(self, **kwargs):
        op = _Decorated(self.task_id, **kwargs)
        op.function = self.fn.__name__
        return op


def task(fn):
    return _Task(fn)
`,
  'airflow/providers/__init__.py': '',
  'airflow/providers/google/__init__.py': '',
  'airflow/providers/google/cloud/__init__.py': '',
  'airflow/providers/google/cloud/operators/__init__.py': '',
  'airflow/providers/google/cloud/operators/dataform.py': `
from airflow._standin import BaseOperator


class DataformCreateCompilationResultOperator(BaseOperator):
    pass


class DataformCreateWorkflowInvocationOperator(BaseOperator):
    pass
`,
  'airflow/providers/google/cloud/operators/cloud_run.py': `
from airflow._standin import BaseOperator


class CloudRunExecuteJobOperator(BaseOperator):
    pass
`,
  'airflow/providers/google/cloud/sensors/__init__.py': '',
  'airflow/providers/google/cloud/sensors/dataform.py': `
from airflow._standin import BaseOperator


class DataformWorkflowInvocationStateSensor(BaseOperator):
    pass
`,
  'airflow/providers/google/cloud/hooks/__init__.py': '',
  'airflow/providers/google/cloud/hooks/gcs.py': `
class GCSHook:
    pass
`,
  'google/__init__.py': '',
  'google/cloud/__init__.py': '',
  'google/cloud/dataform_v1beta1/__init__.py': `
import enum


class WorkflowInvocation:
    class State(enum.Enum):
        RUNNING = 1
        SUCCEEDED = 2
        CANCELLED = 3
        FAILED = 4
        CANCELING = 5
`,
};

const DRIVER = `
import importlib.util
import json
import sys
from datetime import datetime, timezone

from airflow import _standin

out = {"dags": [], "results": []}
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("dag_" + str(len(out["dags"])), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "result_object"):
        for name, gen, created in json.loads(sys.stdin.read() or "[]"):
            t = datetime.fromisoformat(created.replace("Z", "+00:00"))
            out["results"].append(module.result_object(name, gen, t))
out["dags"] = _standin._describe()
print(json.dumps(out))
`;

export interface LoadedTask {
  readonly class: string;
  readonly function: string | null;
  readonly upstream: readonly string[];
  readonly kwargs: Record<string, unknown>;
  readonly mapped: Record<string, string> | null;
}

export interface LoadedDag {
  readonly dag_id: string;
  readonly kwargs: Record<string, unknown>;
  readonly params: Record<string, { default: unknown; schema: Record<string, unknown> }>;
  readonly default_args: Record<string, unknown>;
  readonly tasks: Record<string, LoadedTask>;
}

/** Loads DAG files with the stand-in modules; `uploads` are [name, generation, timeCreated] for result_object. */
export function loadDags(
  files: readonly string[],
  uploads: readonly (readonly [string, string, string])[] = [],
): { dags: LoadedDag[]; results: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-airflow-'));
  for (const [name, content] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  fs.writeFileSync(path.join(dir, 'driver.py'), DRIVER);
  const run = spawnSync('python3', [path.join(dir, 'driver.py'), ...files], {
    input: JSON.stringify(uploads),
    env: { ...process.env, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`loading the DAGs failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
