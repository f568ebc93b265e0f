// Builds portal/static-build from portal/static: for every file, a copy named by its content
// (css/portal.css -> css/portal.<12 hex of its SHA-256>.css) and, for text files, that copy
// compressed with gzip (.gz) and brotli (.br), the largest compression each allows. The portal
// computes the same names itself (portal/static_files.py) and serves these compressed copies
// when they are there; nginx can serve the folder directly (docs/deployment.md). manifest.json
// maps each file to its copy. Every file is written under a temporary name and then renamed,
// so a copy is never seen half written.
import { createHash } from "node:crypto";
import {
  mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, brotliCompressSync, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "portal", "static");
const target = join(root, "portal", "static-build");
const COMPRESSED = new Set([".css", ".js", ".map", ".svg", ".json", ".txt", ".html", ".xml"]);

function* files(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

// The name portal/static_files.py gives: the digest before the last extension.
function hashedName(name, digest) {
  const slash = name.lastIndexOf("/");
  const dot = name.lastIndexOf(".");
  if (dot <= slash + 1) return `${name}.${digest}`;
  return `${name.slice(0, dot)}.${digest}${name.slice(dot)}`;
}

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

rmSync(target, { recursive: true, force: true });
const manifest = {};
for (const path of [...files(source)].sort()) {
  const name = relative(source, path).split(sep).join("/");
  const bytes = readFileSync(path);
  const digest = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  const hashed = hashedName(name, digest);
  manifest[name] = hashed;
  write(join(target, hashed), bytes);
  const extension = name.slice(name.lastIndexOf("."));
  if (!COMPRESSED.has(extension)) continue;
  write(join(target, `${hashed}.gz`), gzipSync(bytes, { level: 9 }));
  write(join(target, `${hashed}.br`), brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }));
}
write(join(target, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
