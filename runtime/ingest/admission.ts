/**
 * Bounds the request bytes held at once. A request reserves its declared length (or the body limit when the
 * length is unknown) before its body is read, and releases it when the response is sent or the client goes
 * away; a request that would exceed the bound is refused with 503 instead of buffered.
 */
export class Admission {
  private held = 0;

  constructor(public readonly limitBytes: number) {}

  public get inFlightBytes(): number {
    return this.held;
  }

  public tryReserve(bytes: number): boolean {
    if (this.held + bytes > this.limitBytes) return false;
    this.held += bytes;
    return true;
  }

  public release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}
