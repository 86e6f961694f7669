/**
 * Runs tasks of one chat strictly in order while different chats run concurrently, so a buyer
 * who sends two messages fast never has one session write overwrite the other.
 */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Forget the chat once its queue drains, so idle chats cost no memory.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once no chat has work queued or running (work added meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }

  /** Chats with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
