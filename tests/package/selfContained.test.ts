/**
 * A user's clone has nothing beside it: no file in the repository may refer to a path outside it. Every
 * tracked text file is scanned for paths that climb (`../…`): each must name something in the repository,
 * read from the file's folder or another folder of the repository (docs and comments write paths relative
 * to a graph file or a module); absolute paths into a machine's own folders are refused too. The
 * checker is shown to catch the references that broke a fresh clone before (the course vectors and the
 * planar reference read from ../shared).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** This file: its examples of broken references are the checker's own test inputs. */
const SELF = "tests/package/selfContained.test.ts";
const TEXT = /\.(ts|mts|js|mjs|cjs|json|md|yaml|yml|html|css|sh|py)$|^\.ci\/|^\.gitignore$/;

/** The climbing paths in `text` (of `file`, repository-relative) that do not name a place in the repository. */
function outsidePaths(file: string, text: string, repo = REPO, folders = trackedFolders()): string[] {
  const found: string[] = [];
  const inside = (p: string) => !relative(repo, p).startsWith("..") && !isAbsolute(relative(repo, p));
  // A place in the repository: it exists, or at least its folder does (a file a test or command writes).
  const names = (p: string) => inside(p) && (existsSync(p) || (dirname(p) !== repo.replace(/\/$/, "") && existsSync(dirname(p))));
  // Read from the file's own folder, or from any folder of the repository: comments and docs give paths
  // relative to another file (a graph in graphs/, a module in src/view/).
  const bases = [dirname(file), ...folders];
  for (const m of text.matchAll(/(?<![\w.])((?:\.\.\/)+)([\w@.+-][\w@.+/-]*)?/g)) {
    const literal = m[1] + (m[2] ?? "");
    if (!bases.some((base) => names(resolve(repo, base, literal)))) found.push(literal);
  }
  // Absolute paths into this machine's folders.
  for (const m of text.matchAll(/(?<![\w.])\/(?:work|home|Users|root|tmp\/gradstream-shared)\/[\w@.+/-]+/g)) found.push(m[0]);
  return found;
}

function trackedFolders(): string[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).split("\0").filter(Boolean);
  return [...new Set(["."].concat(files.map((f) => dirname(f))))];
}

describe("the repository is self-contained", () => {
  it("no tracked file refers to a path outside the repository", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).split("\0").filter((f) => f && f !== SELF && TEXT.test(f) && existsSync(join(REPO, f)));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.flatMap((f) => outsidePaths(f, readFileSync(join(REPO, f), "utf8")).map((p) => `${f}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it("the checker catches the references that broke a fresh clone (its broken inputs are flagged)", () => {
    // tests/vectors/courseVectors.test.ts once read new URL("../../../shared/vectors/", import.meta.url);
    expect(outsidePaths("tests/vectors/courseVectors.test.ts", `new URL("../../../shared/vectors/", import.meta.url)`)).toEqual(["../../../shared/vectors/"]);
    // tests/train/planarReproduction.test.ts once read path.resolve(repoRoot, "../shared/datasets/README.md").
    expect(outsidePaths("tests/train/planarReproduction.test.ts", `path.resolve(repoRoot, "../shared/datasets/README.md")`)).toEqual(["../shared/datasets/README.md"]);
    expect(outsidePaths("bench/x.ts", `readFileSync("/work/shared/vectors/a.json")`)).toEqual(["/work/shared/vectors/a.json"]);
    // … and paths that stay inside pass.
    expect(outsidePaths("src/view/explorerAssets.ts", `new URL("../../dist/explorer/", import.meta.url)`)).toEqual([]);
    expect(outsidePaths("tests/train/x.test.ts", `new URL("../../", import.meta.url)`)).toEqual([]);
  });
});
