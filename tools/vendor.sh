#!/usr/bin/env bash
# Fetch the front-end assets the pages need from the npm registry, so that no page
# loads anything from another host: mermaid (diagrams) and KaTeX (math); and
# axe-core, which the browser tests inject into every page (.cache/, never published).
set -euo pipefail
MERMAID=11.12.1
KATEX=0.16.22
AXE=4.14.1
dest=docs/assets/vendor
stamp="$dest/.versions"
want="mermaid@$MERMAID katex@$KATEX axe-core@$AXE"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mermaid@$MERMAID" "katex@$KATEX" "axe-core@$AXE" >/dev/null)
rm -rf "$dest" && mkdir -p "$dest/katex"
tar -xzf "$tmp/mermaid-$MERMAID.tgz" -C "$tmp" package/dist/mermaid.min.js
mv "$tmp/package/dist/mermaid.min.js" "$dest/"
rm -rf "$tmp/package"
tar -xzf "$tmp/katex-$KATEX.tgz" -C "$tmp"
cp -r "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" \
      "$tmp/package/dist/fonts" "$tmp/package/dist/contrib/auto-render.min.js" \
      "$dest/katex/"
mkdir -p .cache/vendor
tar -xzf "$tmp/axe-core-$AXE.tgz" -C "$tmp" package/axe.min.js
mv "$tmp/package/axe.min.js" .cache/vendor/
echo "$want" > "$stamp"
