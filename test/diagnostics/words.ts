/** Words as tokens: the tests' stand-in for a model tokenizer. */
export const countWords = (t: string) => (t.match(/\S+/g) ?? []).length;
