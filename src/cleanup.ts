/**
 * One registry of what must be undone on exit: child engines, the chain socket, the SQLite checkpoint.
 * Handlers run last-registered first, each at most once, and one failing does not stop the others.
 */
export class CleanupRegistry {
  private readonly handlers: { name: string; run: () => unknown }[] = [];

  add(name: string, run: () => unknown): () => void {
    const entry = { name, run };
    this.handlers.push(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  get size(): number {
    return this.handlers.length;
  }

  async runAll(onError: (name: string, error: unknown) => void = () => {}): Promise<void> {
    while (this.handlers.length > 0) {
      const entry = this.handlers.pop() as { name: string; run: () => unknown };
      try {
        await entry.run();
      } catch (error) {
        onError(entry.name, error);
      }
    }
  }
}
