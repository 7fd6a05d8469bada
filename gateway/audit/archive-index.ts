import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignatureTrust } from '../../trust/index.js';
import { verifyArchive, type EvidenceArchive } from './evidence-archive.js';

/** How retention names the archives it writes: `evidence-<first segment>-<last segment>[-n].json`. */
export const RETENTION_ARCHIVE_NAME = /^evidence-(\d{6,})-(\d{6,})(?:-\d+)?\.json$/;

/** What retention needs to know of one archive file, after verifying it. */
export interface IndexedArchive {
  readonly file: string;
  readonly path: string;
  /** SHA-256 of the file's bytes (what a retention record names). */
  readonly sha256: string;
  /** Whether the archive verified (signature, segment hashes, chain, checkpoints). */
  readonly ok: boolean;
  readonly problem?: string;
  readonly signer?: string;
  readonly head?: { readonly seq: number; readonly hash: string };
  readonly segments: ReadonlyArray<{ readonly number: number; readonly sha256: string }>;
}

/**
 * The archives in a directory (`gccgw audit archive` output, or written by retention itself), each
 * verified once: a file is read again only when its size or modification time changes. Archives
 * are large (they hold whole segments), so re-verifying the whole directory on every retention
 * pass would cost more than the retention itself.
 */
export class ArchiveIndex {
  readonly #dir: string;
  readonly #trust: SignatureTrust;
  readonly #known = new Map<string, { size: number; mtimeMs: number; entry: IndexedArchive }>();

  constructor(options: { dir: string; trust: SignatureTrust }) {
    this.#dir = options.dir;
    this.#trust = options.trust;
  }

  get dir(): string {
    return this.#dir;
  }

  /**
   * Reads new or changed `*.json` files of the directory and returns every archive read, verified or
   * refused. With `wanted`, a file named the way retention names its archives
   * (`evidence-<from>-<to>.json`) is read only if its range is wanted: an archive directory grows
   * for years, and only the archives of segments still in the log matter. A misnamed file is at
   * worst not taken as cover, so nothing is removed on its account.
   */
  async refresh(wanted?: (fromSegment: number, toSegment: number) => boolean): Promise<readonly IndexedArchive[]> {
    let names: string[];
    try {
      names = (await readdir(this.#dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    for (const name of [...this.#known.keys()]) if (!names.includes(name)) this.#known.delete(name);
    for (const name of names) {
      const path = join(this.#dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile()) continue;
      const known = this.#known.get(name);
      if (known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs) continue;
      const named = RETENTION_ARCHIVE_NAME.exec(name);
      if (wanted !== undefined && named !== null && !wanted(Number(named[1]), Number(named[2]))) continue;
      this.#known.set(name, { size: info.size, mtimeMs: info.mtimeMs, entry: await this.#read(name, path) });
    }
    return [...this.#known.values()].map((k) => k.entry);
  }

  /** A verified archive holding exactly these segment bytes, if any. */
  coverFor(segment: number, sha256: string): IndexedArchive | undefined {
    for (const { entry } of this.#known.values()) {
      if (entry.ok && entry.segments.some((s) => s.number === segment && s.sha256 === sha256)) return entry;
    }
    return undefined;
  }

  async #read(file: string, path: string): Promise<IndexedArchive> {
    const bytes = await readFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let archive: EvidenceArchive;
    try {
      archive = JSON.parse(bytes.toString('utf8')) as EvidenceArchive;
    } catch (error) {
      return { file, path, sha256, ok: false, problem: `not JSON: ${(error as Error).message}`, segments: [] };
    }
    if (typeof archive !== 'object' || archive === null || !Array.isArray(archive.segments)) return { file, path, sha256, ok: false, problem: 'not an evidence archive', segments: [] };
    const report = await verifyArchive(archive, this.#trust);
    const segments = archive.segments.map((s) => ({ number: s.number, sha256: s.sha256 }));
    if (!report.ok) return { file, path, sha256, ok: false, problem: report.problem ?? 'refused', segments };
    return { file, path, sha256, ok: true, ...(report.signer !== undefined ? { signer: report.signer } : {}), head: archive.head, segments };
  }
}
