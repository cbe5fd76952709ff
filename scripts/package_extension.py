#!/usr/bin/env python3
"""Write one browser's package from the staged extension: its manifest.json
(extension/manifest.json merged with that browser's block of
extension/platform/manifest.browsers.json) and its store zip.

usage: package_extension.py BROWSER STAGED_DIR OUT_DIR ZIP

The per-browser blocks are JSON merge patches (RFC 7396: an object merges, null
removes a key, anything else replaces), plus one extension: a key written
`name[]` patches every element of the array `name`.
"""
import json
import os
import shutil
import sys
import zipfile

PARTS = "platform/manifest.browsers.json"  # the one place the packages differ


def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.endswith("[]"):
            name = key[:-2]
            if not isinstance(out.get(name), list):
                sys.exit(f"[package] {PARTS}: '{key}' patches '{name}', which is not an array in manifest.json")
            out[name] = [merge(item, value) for item in out[name]]
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


def main():
    browser, staged, out_dir, zip_path = sys.argv[1:5]
    with open(os.path.join(staged, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(staged, PARTS), encoding="utf-8") as f:
        parts = json.load(f)
    if browser not in parts:
        sys.exit(f"[package] {PARTS} has no block for '{browser}'")
    manifest = merge(manifest, parts[browser])

    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.copytree(staged, out_dir, ignore=shutil.ignore_patterns("manifest.browsers.json"))
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")

    # Sorted entries, so the same tree gives the same zip listing.
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for base, dirs, files in os.walk(out_dir):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(base, name)
                z.write(path, os.path.relpath(path, out_dir))


if __name__ == "__main__":
    main()
