/** What training and generation need from a tokenizer, whichever kind it is. */
export interface TextTokenizer {
  /** Number of ids the model's embedding must cover (largest id + 1). */
  readonly vocabSize: number;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly padToken: string | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly padId: number | undefined;
  /**
   * Token ids of `text`. Special-token strings inside the text (e.g. `<|eos|>`) become their ids, as
   * in a rendered chat template; nothing (no BOS) is added — templates add what they need.
   */
  encode(text: string): number[];
  /** Text of `ids`; special tokens are written out unless `skipSpecial`. */
  decode(ids: readonly number[], options?: { skipSpecial?: boolean }): string;
  /** Id of a token string (special or vocabulary entry), if it has one. */
  tokenToId(token: string): number | undefined;
}
