/**
 * Compiles a Dataform project offline, in this process, with @dataform/core's library API: what `dataform
 * compile` does (cli/vm/compile.ts: a sandbox, `core.compiler` for SQLX and YAML, `core.main` with an encoded
 * CoreExecutionRequest), with node:vm instead of vm2, a fresh context per compile and no global require hooks,
 * so it runs the same under node and jest. The CLI takes seconds (it npm-installs the core each time); this
 * takes a fraction of one.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as protobuf from 'protobufjs';

const CORE_DIR = path.dirname(require.resolve('@dataform/core/package.json'));
const CORE_BUNDLE = path.join(CORE_DIR, 'bundle.js');
export const DATAFORM_CORE_INSTALLED = (
  JSON.parse(fs.readFileSync(path.join(CORE_DIR, 'package.json'), 'utf8')) as { version: string }
).version;

let types: { request: protobuf.Type; response: protobuf.Type } | undefined;
function protoTypes() {
  if (!types) {
    // The .proto files ship in the package; google/protobuf imports are resolved by protobufjs itself.
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('google/protobuf/') || path.isAbsolute(target) ? target : path.join(CORE_DIR, target);
    root.loadSync(path.join(CORE_DIR, 'core.proto'));
    root.resolveAll();
    types = {
      request: root.lookupType('dataform.CoreExecutionRequest'),
      response: root.lookupType('dataform.CoreExecutionResponse'),
    };
  }
  return types;
}

/** The compiled graph as plain JSON (enums as strings, fields at their default value omitted). */
export interface CompiledGraph {
  readonly tables?: readonly CompiledTable[];
  readonly assertions?: readonly CompiledAssertion[];
  readonly declarations?: readonly { target: Target }[];
  readonly operations?: readonly unknown[];
  readonly graphErrors?: { compilationErrors?: readonly { fileName?: string; message?: string }[] };
  readonly dataformCoreVersion?: string;
}

export interface Target {
  readonly database?: string;
  readonly schema?: string;
  readonly name: string;
}

export interface CompiledTable {
  readonly target: Target;
  readonly type?: string;
  readonly enumType?: string;
  readonly fileName?: string;
  readonly query?: string;
  readonly incrementalQuery?: string;
  readonly preOps?: readonly string[];
  readonly postOps?: readonly string[];
  readonly incrementalPreOps?: readonly string[];
  readonly incrementalPostOps?: readonly string[];
  readonly uniqueKey?: readonly string[];
  readonly bigquery?: {
    readonly partitionBy?: string;
    readonly clusterBy?: readonly string[];
    readonly updatePartitionFilter?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly dependencyTargets?: readonly Target[];
  readonly tags?: readonly string[];
  readonly actionDescriptor?: {
    readonly description?: string;
    readonly columns?: readonly {
      path: readonly string[];
      description?: string;
      bigqueryPolicyTags?: readonly string[];
    }[];
  };
}

export interface CompiledAssertion {
  readonly target: Target;
  readonly query: string;
  readonly dependencyTargets?: readonly Target[];
  readonly tags?: readonly string[];
}

export interface CompileOptions {
  /** Compilation variables, as the CLI's --vars or a release config's vars. */
  readonly vars?: Readonly<Record<string, string>>;
}

/** Files as the CLI globs them (`!(node_modules)/**\/*.*`), relative and /-separated. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.includes('.')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

const COMPILED = new Set(['.sqlx', '.yaml', '.yml', '.sql', '.md', '.ipynb']);
let coreScript: vm.Script | undefined;

/** Compiles the project in `projectDir`; a compilation error (a bad ref, a syntax error) throws, naming the file. */
export function compileProject(projectDir: string, options: CompileOptions = {}): CompiledGraph {
  const dir = fs.realpathSync(path.resolve(projectDir));
  // @dataform/core attributes each action to its file by stack frame and skips frames under node_modules.
  if (dir.split(path.sep).includes('node_modules'))
    throw new Error(`${projectDir}: a Dataform project must not live under node_modules`);
  const fileStack: string[] = [];
  const sandbox: Record<string, unknown> = {
    console,
    Buffer,
    process,
    URL,
    TextEncoder,
    TextDecoder,
    setTimeout,
    clearTimeout,
  };
  const context = vm.createContext(sandbox);
  vm.runInContext('globalThis.global = globalThis;', context);
  Object.defineProperty(sandbox, '__dataform_current_file', {
    get: () => fileStack[fileStack.length - 1] ?? null,
  });
  const cache = new Map<string, { exports: unknown }>();
  let core:
    | { compiler: (code: string, file: string) => string; main: (request: string) => string }
    | undefined;

  const load = (file: string): unknown => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const module = { exports: {} as unknown };
    cache.set(file, module);
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(fs.readFileSync(file, 'utf8'));
      return module.exports;
    }
    let script: vm.Script;
    if (file === CORE_BUNDLE) {
      coreScript ??= new vm.Script(
        `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`,
        { filename: file },
      );
      script = coreScript;
    } else {
      let code = fs.readFileSync(file, 'utf8');
      if (COMPILED.has(path.extname(file)) && core) code = core.compiler(code, file);
      script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
        filename: file,
      });
    }
    const fn = script.runInContext(context) as (...a: unknown[]) => void;
    fileStack.push(file);
    try {
      fn.call(
        module.exports,
        module.exports,
        requireFrom(path.dirname(file)),
        module,
        file,
        path.dirname(file),
      );
    } catch (error) {
      cache.delete(file);
      throw error;
    } finally {
      fileStack.pop();
    }
    return module.exports;
  };
  const resolveFile = (p: string) =>
    [p, `${p}.js`, `${p}.json`, path.join(p, 'index.js')].find(
      (c) => fs.existsSync(c) && fs.statSync(c).isFile(),
    );
  const requireFrom = (base: string) => (request: string) => {
    if (request === '@dataform/core') return core ?? load(CORE_BUNDLE);
    if (request.startsWith('node:') || builtinModules.includes(request)) return require(request);
    const file = request.startsWith('.')
      ? resolveFile(path.resolve(base, request))
      : resolveFile(path.isAbsolute(request) ? request : path.join(dir, request));
    if (file) return load(file);
    throw new Error(`${request}: not found from ${base} (the generated projects use no npm packages)`);
  };

  core = load(CORE_BUNDLE) as typeof core;
  const settings = path.join(dir, 'workflow_settings.yaml');
  if (!fs.existsSync(settings)) throw new Error(`${projectDir}: no workflow_settings.yaml`);
  sandbox.workflowSettingsYaml = load(settings);
  const { request, response } = protoTypes();
  const message = request.fromObject({
    compile: {
      compileConfig: {
        projectDir: dir,
        filePaths: listFiles(dir),
        projectConfigOverride: { vars: { ...(options.vars ?? {}) } },
      },
    },
  });
  fileStack.push(path.join(dir, 'index.js'));
  let encoded: string;
  try {
    encoded = (core as NonNullable<typeof core>).main(
      Buffer.from(request.encode(message).finish()).toString('base64'),
    );
  } finally {
    fileStack.pop();
  }
  const decoded = response.toObject(response.decode(Buffer.from(encoded, 'base64')), {
    enums: String,
    longs: Number,
    defaults: false,
  }) as {
    compile: { compiledGraph: CompiledGraph };
  };
  const graph = decoded.compile.compiledGraph;
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length > 0)
    throw new Error(
      `Dataform compilation of ${projectDir} failed: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${errors.map((e) => `  - ${e.fileName ?? '(project)'}: ${e.message}`).join('\n')}`,
    );
  return graph;
}

/** Writes a generated project's files under `dir` (emptied first). */
export function writeProject(files: ReadonlyMap<string, string>, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, text] of files) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
}
