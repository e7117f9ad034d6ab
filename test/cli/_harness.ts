// What the command line's tests share: a fresh temporary directory per test, files written in it, and a run of the
// command line that captures what it prints.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/_cli';

/** A temporary directory, made before each test and removed after it. */
export class TempDir {
  private current = '';

  constructor(prefix: string) {
    beforeEach(() => {
      this.current = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    });
    afterEach(() => {
      fs.rmSync(this.current, { recursive: true, force: true });
    });
  }

  /** The path of `name` in the directory. */
  public join(name: string): string {
    return path.join(this.current, name);
  }

  /** Writes `text` to `name` in the directory; returns its path. */
  public file(name: string, text: string): string {
    const p = this.join(name);
    fs.writeFileSync(p, text);
    return p;
  }
}

/** Runs the command line with `argv`: its exit code and what it printed to stdout and stderr. */
export function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: t => { out += t; }, err: t => { err += t; } });
  return { code, out, err };
}
