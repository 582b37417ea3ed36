/**
 * Two changes to how cdktf makes tokens, both measured by `npm run bench:synth`, neither changing any output.
 *
 * cdktf records a full-depth stack trace for every token it creates (each attribute reference and each
 * nested-block reference a provider resource builds), only to annotate token-resolution errors. With a few
 * thousand resources that capture is most of synth's CPU time (measured by `npm run bench:synth`), so the app
 * turns it off unless TRIBUTARY_TOKEN_TRACES=1 asks for the traces while debugging a resolution error.
 */
// cdktf keeps the function here and calls it through the module object on every token, so replacing the
// export takes effect for all tokens created afterwards. cdktf is archived, so this module no longer moves.
// `import = require` binds the module's own exports object; a namespace import would be a read-only copy.
import stackTrace = require('cdktf/lib/tokens/private/stack-trace');
import encoding = require('cdktf/lib/tokens/private/encoding');
import tokenMap = require('cdktf/lib/tokens/private/token-map');

const original = stackTrace.captureStackTrace;

export function tokenTracesEnabled(): boolean {
  return stackTrace.captureStackTrace === original;
}

/** Stops cdktf from capturing a stack trace per token; `enable` restores it. */
export function setTokenTraces(enable: boolean): void {
  stackTrace.captureStackTrace = enable ? original : () => [];
}

interface TokenMapInternals {
  tokenCounter: number;
  readonly stringTokenMap: Map<string, unknown>;
}

// cdktf compiles this pattern anew for every string token (token-map.js, registerStringKey); compiled once
// here. A global pattern is safe with String.replace, which starts from 0 and resets lastIndex.
const INVALID_KEY_CHARS = new RegExp(`[^${encoding.VALID_KEY_CHARS}]`, 'g');

/** cdktf's registerStringKey with its key pattern compiled once: the same keys, in the same order. */
function registerStringKey(this: TokenMapInternals, token: unknown, displayHint?: string): string {
  const counter = this.tokenCounter++;
  const key = `${(displayHint || 'TOKEN').replace(INVALID_KEY_CHARS, '.')}.${counter}`;
  this.stringTokenMap.set(key, token);
  return key;
}

type RegisterStringKey = (this: unknown, token: unknown, displayHint?: string) => string;
// registerStringKey is private in cdktf's typings; this is the one place that reaches it.
const prototype = tokenMap.TokenMap.prototype as unknown as { registerStringKey: RegisterStringKey };

export const originalRegisterStringKey: RegisterStringKey = prototype.registerStringKey;
prototype.registerStringKey = registerStringKey as RegisterStringKey;
