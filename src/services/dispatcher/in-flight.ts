/** Caps the requests in flight: acquire() waits for a free slot, release() frees one. */
export class InFlightSlots {
  private count = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  acquire(): Promise<void> {
    if (this.count < this.max) {
      this.count += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(() => {
      this.count += 1;
      resolve();
    }));
  }

  release(): void {
    this.count -= 1;
    this.waiters.shift()?.();
  }

  async idle(): Promise<void> {
    while (this.count > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
