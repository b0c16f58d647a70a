//! Finishes the web app in a dist folder (`scripts/build-frontend.sh` calls it):
//!
//! 1. every file but `index.html` gets its content hash in its name (`app.css` becomes
//!    `app.0123456789abcdef.css`) and every reference to it in the other text files is rewritten,
//!    leaves first, so a file's hash covers the hashes of what it loads: a new release changes
//!    `index.html`, and no page can mix old and new files;
//! 2. every text and wasm file gets a Brotli copy (`NAME.br`) and a gzip copy (`NAME.gz`), kept
//!    only when smaller, for the server to pick by `Accept-Encoding`.
//!
//! Usage: `dist-pack DIR [--brotli-quality N]` (11, the best, by default).
//!
//! The server treats a name of the form `STEM.<16 hex digits>.EXT` as immutable; this tool is
//! the only place that makes such names.

use std::{
    collections::BTreeMap,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
};

use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha256};

/// Files whose text may name other files (and so get their references rewritten).
const TEXT: &[&str] = &["html", "js", "css", "json", "svg", "txt", "webmanifest", "map"];
/// Files worth compressing: text, and wasm (about a third of its size under Brotli).
const COMPRESSIBLE: &[&str] =
    &["html", "js", "css", "json", "svg", "txt", "webmanifest", "map", "wasm", "ico"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut quality = 11;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--brotli-quality" => {
                quality = args.next().context("--brotli-quality needs a number")?.parse()?;
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => bail!("usage: dist-pack DIR [--brotli-quality N]"),
        }
    }
    let dir = dir.context("usage: dist-pack DIR [--brotli-quality N]")?;
    let renamed = hash_names(&dir)?;
    eprintln!("dist-pack: {renamed} files renamed by content hash");
    let (raw, br, gz) = compress_all(&dir, quality)?;
    eprintln!("dist-pack: compressible files {raw} bytes; Brotli (q {quality}) {br}; gzip -9 {gz}");
    Ok(())
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or_default()
}

fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !matches!(extension(&path), "br" | "gz") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `STEM.EXT` becomes `STEM.<first 16 hex digits of SHA-256>.EXT`.
fn hashed_name(name: &str, content: &[u8]) -> String {
    let hash = hex16(&Sha256::digest(content));
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Whether `text` names the file `name` (as a whole file name: after a `/`, quote, `(` or
/// space, and not followed by more of a name).
fn names(text: &str, name: &str) -> bool {
    replace_name(text, name, name).1
}

/// `text` with every whole-name reference to `old` replaced by `new`, and whether there was one.
fn replace_name(text: &str, old: &str, new: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[at + old.len()..].chars().next();
        // Not an object key (`"./__wasm_split.js": import1`): wasm-bindgen's import object is
        // keyed by the module names inside the wasm binary, which keep their names.
        let tail = &rest[at + old.len()..];
        let key = tail.len() > 1 && matches!(tail.as_bytes()[0], b'"' | b'\'') && tail.as_bytes()[1] == b':';
        let whole = before.is_none_or(|c| matches!(c, '/' | '\'' | '"' | '(' | '`' | ' ' | '='))
            && after.is_none_or(|c| !name_char(c))
            && !key;
        out.push_str(&rest[..at]);
        if whole {
            out.push_str(new);
            found = true;
        } else {
            out.push_str(old);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    (out, found)
}

fn file_name(path: &Path) -> anyhow::Result<String> {
    Ok(path.file_name().and_then(|n| n.to_str()).context("file name is not UTF-8")?.to_owned())
}

/// Renames every file but the root `index.html` by content hash, rewriting references, leaves
/// first. Returns how many files it renamed.
fn hash_names(dir: &Path) -> anyhow::Result<usize> {
    let index = dir.join("index.html");
    let mut pending: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in files(dir)? {
        if path == index {
            continue;
        }
        let name = file_name(&path)?;
        if let Some(other) = pending.insert(name.clone(), path.clone()) {
            bail!("two files are named {name}: {} and {}", other.display(), path.display());
        }
    }
    let count = pending.len();
    while !pending.is_empty() {
        // Files that name no other file still waiting for its hash.
        let mut ready = Vec::new();
        for (name, path) in &pending {
            let leaf = if TEXT.contains(&extension(path)) {
                let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                !pending.keys().any(|other| other != name && names(&text, other))
            } else {
                true
            };
            if leaf {
                ready.push(name.clone());
            }
        }
        // Files that name each other (wasm-bindgen's glue and wasm-split's loader import each
        // other) share one hash, of all their contents together.
        let mut joint = None;
        if ready.is_empty() {
            let cycle = cycle(&pending)?;
            let mut hasher = Sha256::new();
            for name in &cycle {
                hasher.update(name.as_bytes());
                hasher.update(fs::read(&pending[name])?);
            }
            joint = Some(hasher.finalize().to_vec());
            ready = cycle;
        }
        let mut renamed = Vec::new();
        for name in ready {
            let Some(path) = pending.remove(&name) else { continue };
            let content = match &joint {
                Some(hash) => hash.clone(),
                None => fs::read(&path)?,
            };
            let new_name = hashed_name(&name, &content);
            let new_path = path.with_file_name(&new_name);
            fs::rename(&path, &new_path)?;
            renamed.push((name, new_name, new_path));
        }
        // Rewrite every reference to the renamed files: in the files still waiting, in the
        // renamed ones themselves (a cycle names its own members), and in index.html.
        let targets: Vec<PathBuf> = pending
            .values()
            .cloned()
            .chain(renamed.iter().map(|r| r.2.clone()))
            .chain([index.clone()])
            .collect();
        for other in targets {
            if !TEXT.contains(&extension(&other)) || !other.is_file() {
                continue;
            }
            let mut text = fs::read_to_string(&other)?;
            let mut changed = false;
            for (name, new_name, _) in &renamed {
                let (rewritten, found) = replace_name(&text, name, new_name);
                if found {
                    text = rewritten;
                    changed = true;
                }
            }
            if changed {
                fs::write(&other, text)?;
            }
        }
    }
    Ok(count)
}

/// One set of pending files that name each other (a strongly connected group), or an error if
/// none is (then some file names a file that will never be ready, which cannot happen).
fn cycle(pending: &BTreeMap<String, PathBuf>) -> anyhow::Result<Vec<String>> {
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, path) in pending {
        let text = if TEXT.contains(&extension(path)) { fs::read_to_string(path)? } else { String::new() };
        edges.insert(
            name,
            pending.keys().filter(|o| *o != name && names(&text, o)).map(String::as_str).collect(),
        );
    }
    fn reach<'a>(edges: &BTreeMap<&'a str, Vec<&'a str>>, from: &'a str) -> Vec<&'a str> {
        let mut seen = vec![from];
        let mut stack = vec![from];
        while let Some(at) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                if !seen.contains(next) {
                    seen.push(next);
                    stack.push(next);
                }
            }
        }
        seen
    }
    for name in pending.keys() {
        let from = reach(&edges, name);
        let group: Vec<String> = from
            .iter()
            .filter(|o| reach(&edges, o).contains(&name.as_str()))
            .map(|o| (*o).to_owned())
            .collect();
        if group.len() > 1 {
            return Ok(group);
        }
    }
    bail!("no file is ready and none is in a cycle: {:?}", pending.keys().collect::<Vec<_>>())
}

/// Writes `NAME.br` and `NAME.gz` beside every compressible file (each only if smaller).
/// Returns the total sizes: raw, Brotli, gzip (the raw size where a copy was not kept).
fn compress_all(dir: &Path, quality: i32) -> anyhow::Result<(u64, u64, u64)> {
    let (mut raw, mut br_total, mut gz_total) = (0, 0, 0);
    for path in files(dir)? {
        if !COMPRESSIBLE.contains(&extension(&path)) {
            continue;
        }
        let content = fs::read(&path)?;
        let size = content.len() as u64;
        raw += size;
        let br = brotli(&content, quality)?;
        br_total += keep_if_smaller(&path, "br", &br, size)?;
        let gz = gzip(&content)?;
        gz_total += keep_if_smaller(&path, "gz", &gz, size)?;
    }
    Ok((raw, br_total, gz_total))
}

fn keep_if_smaller(path: &Path, suffix: &str, compressed: &[u8], size: u64) -> anyhow::Result<u64> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    if (compressed.len() as u64) < size {
        fs::write(&name, compressed)?;
        Ok(compressed.len() as u64)
    } else {
        Ok(size)
    }
}

fn brotli(content: &[u8], quality: i32) -> anyhow::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        // A 16 MiB window (the most browsers accept): the whole wasm module fits in it.
        lgwin: 24,
        size_hint: content.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &content[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(content: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_names_are_replaced() {
        let (out, found) = replace_name(
            "import('/pkg/frontend.js'); new URL('frontend_bg.wasm'); my-frontend.js; frontend.json",
            "frontend.js",
            "frontend.0123.js",
        );
        assert!(found);
        assert_eq!(
            out,
            "import('/pkg/frontend.0123.js'); new URL('frontend_bg.wasm'); my-frontend.js; frontend.json"
        );
        let (keyed, _) = replace_name(
            r#"import * as i from "./s.js"; const imports = { "./s.js": i };"#,
            "s.js",
            "s.01.js",
        );
        assert_eq!(keyed, r#"import * as i from "./s.01.js"; const imports = { "./s.js": i };"#);
        assert!(names("url(/assets/app.css)", "app.css"));
        assert!(!names("url(/assets/govuk-app.css)", "app.css"));
    }

    #[test]
    fn hashes_leaves_first_and_rewrites_references() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("dist-pack-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("pkg"))?;
        fs::write(dir.join("index.html"), r#"<script type="module" src="/boot.js"></script>"#)?;
        fs::write(dir.join("boot.js"), "import('/pkg/app.js');")?;
        fs::write(dir.join("pkg/app.js"), "fetch(new URL('app_bg.wasm', import.meta.url));")?;
        fs::write(dir.join("pkg/app_bg.wasm"), [0u8, 97, 115, 109])?;
        hash_names(&dir)?;
        let index = fs::read_to_string(dir.join("index.html"))?;
        let boot = index.split('"').find(|s| s.starts_with("/boot.")).context("boot named")?;
        let boot_js = fs::read_to_string(dir.join(&boot[1..]))?;
        let app = boot_js.split('\'').nth(1).context("app named")?;
        let app_js = fs::read_to_string(dir.join(&app[1..]))?;
        let wasm = app_js.split('\'').nth(1).context("wasm named")?;
        assert_eq!(fs::read(dir.join("pkg").join(wasm))?, [0u8, 97, 115, 109]);
        assert_eq!(wasm, hashed_name("app_bg.wasm", &[0, 97, 115, 109]));
        let text = "body { margin: 0 } ".repeat(100);
        fs::write(dir.join("big.css"), &text)?;
        compress_all(&dir, 5)?;
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(fs::File::open(dir.join("big.css.gz"))?),
            &mut unzipped,
        )?;
        assert_eq!(unzipped, text);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut fs::File::open(dir.join("big.css.br"))?, &mut unbrotli)?;
        assert_eq!(unbrotli, text.as_bytes());
        fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn files_naming_each_other_share_one_hash() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("dist-pack-cycle-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("index.html"), r#"<script src="/boot.js"></script>"#)?;
        fs::write(dir.join("boot.js"), "import('./main.js');")?;
        fs::write(dir.join("main.js"), "import * as s from './split.js'; fetch('./chunk.wasm');")?;
        fs::write(dir.join("split.js"), "import { initSync } from './main.js';")?;
        fs::write(dir.join("chunk.wasm"), [0u8, 97, 115, 109])?;
        hash_names(&dir)?;
        let mut names: Vec<String> =
            fs::read_dir(&dir)?.map(|e| file_name(&e?.path())).collect::<anyhow::Result<_>>()?;
        names.sort();
        let main = names.iter().find(|n| n.starts_with("main.")).context("main")?;
        let split = names.iter().find(|n| n.starts_with("split.")).context("split")?;
        assert_eq!(main.split('.').nth(1), split.split('.').nth(1), "one hash for the pair");
        assert!(fs::read_to_string(dir.join(main))?.contains(&format!("'./{split}'")));
        assert!(fs::read_to_string(dir.join(split))?.contains(&format!("'./{main}'")));
        let boot = names.iter().find(|n| n.starts_with("boot.")).context("boot")?;
        assert!(fs::read_to_string(dir.join(boot))?.contains(main.as_str()));
        fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
