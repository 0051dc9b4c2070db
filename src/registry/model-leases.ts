/**
 * Counts the requests using each model version, so work that would break them (deleting a removed version's
 * files) waits until the last one has finished.
 */
export class ModelLeases {
  private readonly counts = new Map<string, number>();
  private readonly idleActions = new Map<string, Array<() => void>>();

  /** Marks one use of `id`; call the returned function (once; later calls do nothing) when done. */
  acquire(id: string): () => void {
    this.counts.set(id, this.inUse(id) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = this.inUse(id) - 1;
      if (remaining > 0) {
        this.counts.set(id, remaining);
        return;
      }
      this.counts.delete(id);
      const actions = this.idleActions.get(id) ?? [];
      this.idleActions.delete(id);
      for (const action of actions) action();
    };
  }

  inUse(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  /** Runs `action` now when nothing uses `id`, otherwise as soon as its last use is released. */
  whenIdle(id: string, action: () => void): void {
    if (this.inUse(id) === 0) {
      action();
      return;
    }
    this.idleActions.set(id, [...(this.idleActions.get(id) ?? []), action]);
  }
}
