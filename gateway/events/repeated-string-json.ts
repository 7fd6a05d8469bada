/**
 * `JSON.stringify` of a string whose start often repeats from one call to the next, remembering
 * the last one. Every event carries a ~3.4 KB compact JWS in `ce_jws`: a batch-signed batch's events
 * all the same one, and per-event signatures of one signer within one second the same protected
 * header (`sigT` has seconds precision; the header holds the x5c chain), differing only after it.
 * V8's JSON.stringify escapes a string character by character (~6 µs for a JWS), and each event's
 * JWS was escaped for the outbox line, the log line and the catch-up store line: more main-thread
 * time than the rest of those lines (bench/events/README.md).
 */
export class RepeatedStringJson {
  #last: string | undefined;
  #lastJson = '';
  /** The part of the last string before its first `.` (all of it if none), and its JSON without the closing quote. */
  #head: string | undefined;
  #headJson = '';

  /**
   * `JSON.stringify(value)`. The part before the first `.` is escaped only when it differs from the
   * previous call's, and the rest on its own: JSON.stringify(a + b) is JSON.stringify(a) without
   * its closing quote followed by JSON.stringify(b) without its opening one whenever the cut does not
   * split a surrogate pair (JSON.stringify escapes a lone surrogate, ES2019), and a cut before a `.`
   * cannot. Comparing a ~3.3 KB head with `===` takes well under a microsecond.
   */
  jsonOf(value: string): string {
    if (value === this.#last) return this.#lastJson;
    const dot = value.indexOf('.');
    const head = dot < 0 ? value : value.slice(0, dot);
    if (head !== this.#head) {
      this.#head = head;
      this.#headJson = JSON.stringify(head).slice(0, -1);
    }
    const json = dot < 0 ? `${this.#headJson}"` : `${this.#headJson}${JSON.stringify(value.slice(dot)).slice(1)}`;
    this.#last = value;
    this.#lastJson = json;
    return json;
  }
}

/**
 * `JSON.stringify(object)` for a flat-valued object with one long string member, that member's
 * JSON taken from `memo` and written last (member order carries no meaning in these files).
 */
export function stringifyWithMember(object: Readonly<Record<string, unknown>>, name: string, memo: RepeatedStringJson): string {
  const value = object[name];
  if (typeof value !== 'string') return JSON.stringify(object);
  const { [name]: _value, ...rest } = object;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(name)}:${memo.jsonOf(value)}}`;
}
