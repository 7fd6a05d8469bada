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
  /** UTF-8 of `#lastJson`, made when the same string comes again. */
  #lastBytes: Buffer | undefined;
  /** UTF-8 of `#headBytesOf` (a `#headJson`). */
  #headBytesOf: string | undefined;
  #headBytes: Buffer = Buffer.alloc(0);

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
    this.#lastBytes = undefined;
    return json;
  }

  /**
   * Appends the UTF-8 of `jsonOf(value)` to `out` without making it a string again: the same value
   * as the previous call's (every event of a batch-signed batch) is copied from bytes encoded once,
   * another one with the same head (per-event signatures of one signer within a second) as the head's
   * bytes, encoded once, and the rest's text. The UTF-8 of the whole is the UTF-8 of the parts: the
   * cut is just before a `.`, and JSON text holds no lone surrogate (JSON.stringify escapes them).
   */
  appendJsonTo(out: JsonLineBytes, value: string): void {
    if (value === this.#last) {
      this.#lastBytes ??= Buffer.from(this.#lastJson);
      out.bytes(this.#lastBytes);
      return;
    }
    const json = this.jsonOf(value);
    const headJson = this.#headJson;
    if (this.#headBytesOf !== headJson) {
      this.#headBytesOf = headJson;
      this.#headBytes = Buffer.from(headJson);
    }
    out.bytes(this.#headBytes);
    out.text(json.slice(headJson.length));
  }
}

/**
 * The bytes of a batch of JSON lines, built from text and from byte pieces that are copied as they
 * are (a long member encoded once, see `RepeatedStringJson.appendJsonTo`), into one buffer: the
 * same bytes as the UTF-8 of the text joined, without a line string to flatten and encode per line.
 */
export class JsonLineBytes {
  readonly #parts: Array<string | Buffer> = [];
  #text = '';
  #length = 0;

  text(value: string): void {
    this.#text += value;
  }

  bytes(value: Buffer): void {
    if (this.#text !== '') this.#flushText();
    this.#parts.push(value);
    this.#length += value.length;
  }

  /** Everything appended, as one buffer (empty when nothing was). */
  take(): Buffer {
    if (this.#text !== '') this.#flushText();
    const out = Buffer.allocUnsafe(this.#length);
    let offset = 0;
    for (const part of this.#parts) offset += typeof part === 'string' ? out.write(part, offset, 'utf8') : part.copy(out, offset);
    if (offset !== out.length) throw new Error('JsonLineBytes: the pieces did not fill the buffer');
    this.#parts.length = 0;
    this.#length = 0;
    return out;
  }

  #flushText(): void {
    this.#parts.push(this.#text);
    this.#length += Buffer.byteLength(this.#text, 'utf8');
    this.#text = '';
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

/**
 * Appends `stringifyWithMember(object, name, memo)` to `out` (the same bytes), the member's JSON
 * through `memo.appendJsonTo`.
 */
export function appendWithMember(out: JsonLineBytes, object: Readonly<Record<string, unknown>>, name: string, memo: RepeatedStringJson): void {
  const value = object[name];
  if (typeof value !== 'string') {
    out.text(JSON.stringify(object));
    return;
  }
  const { [name]: _value, ...rest } = object;
  const head = JSON.stringify(rest);
  out.text(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(name)}:`);
  memo.appendJsonTo(out, value);
  out.text('}');
}
