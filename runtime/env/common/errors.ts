/**
 * A mistake the user made in how they asked for tasks (an unknown option, a bad value, a query that
 * cannot be met). The message says what, where and how to fix it; callers print it without a stack.
 */
export class EnvQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvQueryError";
  }
}
