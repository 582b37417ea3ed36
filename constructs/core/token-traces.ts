/**
 * cdktf records a full-depth stack trace for every token it creates (each attribute reference and each
 * nested-block reference a provider resource builds), only to annotate token-resolution errors. With a few
 * thousand resources that capture is most of synth's CPU time (measured by `npm run bench:synth`), so the app
 * turns it off unless TRIBUTARY_TOKEN_TRACES=1 asks for the traces while debugging a resolution error.
 */
// cdktf keeps the function here and calls it through the module object on every token, so replacing the
// export takes effect for all tokens created afterwards. cdktf is archived, so this module no longer moves.
// `import = require` binds the module's own exports object; a namespace import would be a read-only copy.
import stackTrace = require('cdktf/lib/tokens/private/stack-trace');

const original = stackTrace.captureStackTrace;

export function tokenTracesEnabled(): boolean {
  return stackTrace.captureStackTrace === original;
}

/** Stops cdktf from capturing a stack trace per token; `enable` restores it. */
export function setTokenTraces(enable: boolean): void {
  stackTrace.captureStackTrace = enable ? original : () => [];
}
