/**
 * Static checks of a UDF script against what Dataflow's Nashorn can run: ECMAScript 5 syntax (acorn,
 * ecmaVersion 5), one top-level `transform` function beside `var` statements only, no dynamic code
 * (eval, Function, with) and no identifier the language does not define.
 */
import * as acorn from 'acorn';

// The global names ECMAScript 5.1 itself defines (ECMA-262 5.1, clause 15.1).
const ES5_GLOBALS = new Set([
  'undefined',
  'NaN',
  'Infinity',
  'Object',
  'Function',
  'Array',
  'String',
  'Boolean',
  'Number',
  'Math',
  'Date',
  'RegExp',
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'JSON',
  'isNaN',
  'isFinite',
  'parseInt',
  'parseFloat',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'arguments',
]);

type Node = acorn.Node & Record<string, unknown>;

function walk(
  node: Node,
  visit: (n: Node, parent: Node | undefined, key: string) => void,
  parent?: Node,
  key = '',
): void {
  visit(node, parent, key);
  for (const [k, v] of Object.entries(node)) {
    if (Array.isArray(v)) {
      for (const child of v) if (child && typeof child.type === 'string') walk(child, visit, node, k);
    } else if (v && typeof v === 'object' && typeof (v as Node).type === 'string')
      walk(v as Node, visit, node, k);
  }
}

/** Every problem found; empty when the script is a well-formed ES5 UDF. */
export function es5Violations(source: string, entry: string): string[] {
  let program: Node;
  try {
    program = acorn.parse(source, {
      ecmaVersion: 5,
      sourceType: 'script',
      locations: true,
    }) as unknown as Node;
  } catch (e) {
    return [`not ECMAScript 5: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  const body = program.body as Node[];
  const functions = body.filter((s) => s.type === 'FunctionDeclaration');
  const entries = functions.filter((f) => (f.id as Node).name === entry);
  const [only] = entries;
  if (entries.length !== 1 || only === undefined)
    problems.push(`expected one top-level function ${entry}, found ${entries.length}`);
  else if ((only.params as Node[]).length !== 1) problems.push(`${entry} must take exactly one parameter`);
  for (const s of body) {
    if (
      s.type !== 'VariableDeclaration' &&
      !(s.type === 'FunctionDeclaration' && (s.id as Node).name === entry)
    ) {
      problems.push(
        `top-level ${s.type} at line ${s.loc?.start.line}: only var statements and ${entry} are allowed`,
      );
    }
  }
  const declared = new Set<string>();
  const referenced: { name: string; line: number }[] = [];
  walk(program, (n, parent, key) => {
    if (n.type === 'WithStatement') problems.push(`with statement at line ${n.loc?.start.line}`);
    if (n.type === 'VariableDeclarator') declared.add((n.id as Node).name as string);
    if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression') && n.id)
      declared.add((n.id as Node).name as string);
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression')
      for (const p of n.params as Node[]) declared.add(p.name as string);
    if (n.type === 'CatchClause') declared.add((n.param as Node).name as string);
    if (n.type !== 'Identifier') return;
    const isPropertyName =
      (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
      (parent?.type === 'Property' && key === 'key');
    if (!isPropertyName) referenced.push({ name: n.name as string, line: n.loc?.start.line ?? 0 });
  });
  for (const r of referenced) {
    if (r.name === 'eval' || r.name === 'Function')
      problems.push(`${r.name} at line ${r.line}: no dynamic code`);
    else if (!declared.has(r.name) && !ES5_GLOBALS.has(r.name))
      problems.push(`${r.name} at line ${r.line} is not defined by the script or the language`);
  }
  return problems;
}
