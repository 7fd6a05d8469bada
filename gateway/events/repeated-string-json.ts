/**
 * `JSON.stringify` of a string that often repeats from one call to the next, remembering the
 * last one. A batch-signed batch's events all carry the same `ce_jws` (~3 KB: the protected header
 * with the signer's x5c chain), and escaping it again for every log line cost more main-thread time
 * than the rest of the line (bench/events/README.md).
 */
export class RepeatedStringJson {
  #last: string | undefined;
  #json: string | undefined;

  /**
   * The JSON of `value` when it is the string of the previous call (encoded once, then reused),
   * else undefined: a string seen once (every per-event signature) is left to the caller's one
   * `JSON.stringify` of its whole object, which is cheaper than encoding it on its own.
   */
  ofRepeated(value: string): string | undefined {
    if (value !== this.#last) {
      this.#last = value;
      this.#json = undefined;
      return undefined;
    }
    return (this.#json ??= JSON.stringify(value));
  }
}

/**
 * `JSON.stringify(object)` for a flat-valued object with one long string member; when that member
 * repeats from the previous call, it is taken from `memo` and written last (member order carries
 * no meaning in these files).
 */
export function stringifyWithMember(object: Readonly<Record<string, unknown>>, name: string, memo: RepeatedStringJson): string {
  const value = object[name];
  const json = typeof value === 'string' ? memo.ofRepeated(value) : undefined;
  if (json === undefined) return JSON.stringify(object);
  const { [name]: _value, ...rest } = object;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(name)}:${json}}`;
}
