#!/usr/bin/env bash
# Fetch the front-end assets the pages need from the npm registry, so that no page
# loads anything from another host: mermaid (diagrams) and KaTeX (math).
set -euo pipefail
MERMAID=11.12.1
KATEX=0.16.22
dest=docs/assets/vendor
stamp="$dest/.versions"
want="mermaid@$MERMAID katex@$KATEX"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mermaid@$MERMAID" "katex@$KATEX" >/dev/null)
rm -rf "$dest" && mkdir -p "$dest/katex"
tar -xzf "$tmp/mermaid-$MERMAID.tgz" -C "$tmp" package/dist/mermaid.min.js
mv "$tmp/package/dist/mermaid.min.js" "$dest/"
rm -rf "$tmp/package"
tar -xzf "$tmp/katex-$KATEX.tgz" -C "$tmp"
cp -r "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" \
      "$tmp/package/dist/fonts" "$tmp/package/dist/contrib/auto-render.min.js" \
      "$dest/katex/"
echo "$want" > "$stamp"
