#!/usr/bin/env bash
# Fetch the front-end assets the pages need from the npm registry, so that no page
# loads anything from another host: mermaid (diagrams) and KaTeX (math); ONNX Runtime
# Web and Tokenizers.js, which the page "Play with the tiny model" loads when its
# reader presses its button (docs/assets/javascripts/live.js); and axe-core, which
# the browser tests inject into every page (.cache/, never published).
# The stamp stands for every file written here: a missing one (`make clean` removes
# .cache/) fetches them all again. `--outputs` lists them (the Makefile's rule checks
# each); `--check` exits 1 unless they are all there, at these versions.
set -euo pipefail
MERMAID=11.12.0  # @mermaid-js/tiny: its release nearest the full 11.12.1 used before
KATEX=0.16.22
AXE=4.14.1
ORT_WEB=1.31.1
TOKENIZERS_JS=0.2.0
dest=docs/assets/vendor
stamp="$dest/.versions"
axe=.cache/vendor/axe.min.js
# Mermaid's tiny build (flowcharts and every kind but mindmaps and architecture
# diagrams, no KaTeX inside diagrams: the pages draw flowcharts only), 1.7 MB against
# the full build's 2.7: a reader of a page with a diagram loads 1 MB less.
# KaTeX's fonts as woff2 only: every browser that runs the pages reads it first, and
# the woff and ttf copies would add 0.8 MB to the site that no reader loads.
# ONNX Runtime Web: only its WebAssembly CPU backend (the module, its loader and the
# .wasm the loader fetches), not the WebGPU and WebGL builds (tens of MB no page uses).
want="@mermaid-js/tiny@$MERMAID katex@$KATEX+woff2 axe-core@$AXE onnxruntime-web@$ORT_WEB+wasm"
want+=" @huggingface/tokenizers@$TOKENIZERS_JS"
ort="$dest/onnxruntime-web"
outputs=("$stamp" "$dest/mermaid.tiny.js" "$dest/katex/katex.min.js"
         "$dest/katex/katex.min.css" "$dest/katex/auto-render.min.js" "$dest/katex/fonts"
         "$ort/ort.wasm.min.mjs" "$ort/ort-wasm-simd-threaded.mjs"
         "$ort/ort-wasm-simd-threaded.wasm" "$dest/tokenizers/tokenizers.mjs"
         "$axe")
current() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
  for output in "${outputs[@]}"; do [ -e "$output" ] || return 1; done
}
case "${1:-}" in
  --outputs) printf '%s\n' "${outputs[@]}"; exit 0 ;;
  --check) if current; then exit 0; else exit 1; fi ;;
  "") ;;
  *) echo "usage: bash tools/vendor.sh [--outputs | --check]" >&2; exit 2 ;;
esac
if current; then
  touch "$stamp"  # newer than this script again: make has nothing to do
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@mermaid-js/tiny@$MERMAID" "katex@$KATEX" "axe-core@$AXE" \
   "onnxruntime-web@$ORT_WEB" "@huggingface/tokenizers@$TOKENIZERS_JS" >/dev/null)
rm -rf "$dest" && mkdir -p "$dest/katex"
tar -xzf "$tmp/mermaid-js-tiny-$MERMAID.tgz" -C "$tmp" package/dist/mermaid.tiny.js
mv "$tmp/package/dist/mermaid.tiny.js" "$dest/"
rm -rf "$tmp/package"
tar -xzf "$tmp/katex-$KATEX.tgz" -C "$tmp"
mkdir -p "$dest/katex/fonts"
cp "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" \
   "$tmp/package/dist/contrib/auto-render.min.js" "$dest/katex/"
cp "$tmp/package/dist/fonts/"*.woff2 "$dest/katex/fonts/"
rm -rf "$tmp/package"
# the licence travels with the code it covers (MIT; Apache-2.0)
mkdir -p "$ort" "$dest/tokenizers"
tar -xzf "$tmp/onnxruntime-web-$ORT_WEB.tgz" -C "$tmp"
cp "$tmp/package/dist/ort.wasm.min.mjs" "$tmp/package/dist/ort-wasm-simd-threaded.mjs" \
   "$tmp/package/dist/ort-wasm-simd-threaded.wasm" "$ort/"
cp "$tmp/package/LICENSE"* "$ort/" 2>/dev/null || true
rm -rf "$tmp/package"
tar -xzf "$tmp/huggingface-tokenizers-$TOKENIZERS_JS.tgz" -C "$tmp"
# the minified ES module where the package has one, else the plain one
bundle="$tmp/package/dist/tokenizers.min.mjs"
[ -f "$bundle" ] || bundle="$tmp/package/dist/tokenizers.mjs"
cp "$bundle" "$dest/tokenizers/tokenizers.mjs"
cp "$tmp/package/LICENSE"* "$dest/tokenizers/" 2>/dev/null || true
rm -rf "$tmp/package"
mkdir -p "$(dirname "$axe")"
tar -xzf "$tmp/axe-core-$AXE.tgz" -C "$tmp" package/axe.min.js
mv "$tmp/package/axe.min.js" "$axe"
echo "$want" > "$stamp"
