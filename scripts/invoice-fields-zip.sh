#!/usr/bin/env bash
# A customer-style extraction dataset: N synthetic invoices (render-documents) whose words are labelled with the
# fields a receipts team would name (vendor, date, total; every other word "other"), as a JSONL zip for
# POST /admin/datasets (format jsonl, task extract). The generator records each field's words, so labels are exact.
#   bash scripts/invoice-fields-zip.sh OUT.zip [N=100] [SEED=7]     (needs `bash scripts/install.sh` first)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$(realpath -m "$1")"; N="${2:-100}"; SEED="${3:-7}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
node dist/src/cli/render-documents.js --out "$WORK/docs" --per-class "$N" --types invoice --seed "$SEED" > /dev/null
node -e '
const fs = require("fs");
const fields = { vendor: "vendor", invoice_date: "date", total: "total" };
const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((line) => JSON.parse(line)).map((page) => {
  const label = new Map(page.fields.filter((f) => fields[f.name]).flatMap((f) => f.wordIds.map((id) => [id, fields[f.name]])));
  return JSON.stringify({ image: page.image, words: page.words.map((w, id) => ({ ...w, label: label.get(id) ?? "other" })) });
});
fs.writeFileSync(process.argv[2], lines.join("\n") + "\n");
' "$WORK/docs/manifest.jsonl" "$WORK/docs/fields.jsonl"
(cd "$WORK/docs" && mv fields.jsonl upload-manifest.jsonl && mkdir up && mv images up/ && mv upload-manifest.jsonl up/manifest.jsonl && cd up && zip -qr "$OUT" manifest.jsonl images)
echo "$N invoices → $OUT"
