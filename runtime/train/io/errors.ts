/**
 * A problem with a model, adapter or tokenizer file that the user can fix. The message says what is
 * wrong, in which file (and key or tensor), and how to fix it; callers print it without a stack trace.
 */
export class ModelFileError extends Error {
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "ModelFileError";
    this.file = file;
  }
}
