#!/usr/bin/env bash
# Measures what an operator does (README "Admin walk-through"): upload FUNSD as a dataset, tune mpnet6 from the
# served extraction model through /admin/tuning-jobs, follow the SSE stream to the end, print the time of each stage
# and the evaluation (base vs tuned on FUNSD test).
#   bash scripts/tune-funsd-via-api.sh [FUNSD_DIR] [EPOCHS]     (defaults: ../shared/datasets/funsd, the schedule's)
#   FORMS=40      only the first 40 training forms (by file name) go into the upload; all 50 test forms do
#   START=cold    from MPNet rather than the served model's weights (default warm)
#   SCHEDULE=quick
#   KEEP_DIR=dir  keeps the data folder (job, trainer log, published model) after the run
#   DATASET_ZIP=file.zip DATASET_FORMAT=jsonl EVAL_SPLIT=0.2   upload that zip instead of FUNSD (e.g. the output of
#                 scripts/invoice-fields-zip.sh: invoices labelled with a customer's own fields)
# Starts its own service on $PORT (3100) with a temporary AETNET_DATA_DIR; needs `bash scripts/install.sh` first.
set -euo pipefail
cd "$(dirname "$0")/.."
FUNSD_DIR="$(realpath "${1:-../shared/datasets/funsd}")"
EPOCHS="${2:-}"
FORMS="${FORMS:-}"
START="${START:-warm}"
SCHEDULE="${SCHEDULE:-full}"
PORT="${PORT:-3100}"
WORK="$(mktemp -d)"
KEY="measure-$RANDOM$RANDOM"
H="Authorization: Bearer $KEY"
URL="http://127.0.0.1:$PORT"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }
now() { date +%s.%N; }
since() { node -e "console.log((($(now)) - $1).toFixed(1))"; }

if [[ -n "${DATASET_ZIP:-}" ]]; then
  cp "$DATASET_ZIP" "$WORK/funsd.zip"
elif [[ -n "$FORMS" ]]; then
  mkdir -p "$WORK/upload/training_data/annotations" "$WORK/upload/training_data/images"
  for annotation in $(ls "$FUNSD_DIR/training_data/annotations" | sort | head -n "$FORMS"); do
    cp "$FUNSD_DIR/training_data/annotations/$annotation" "$WORK/upload/training_data/annotations/"
    cp "$FUNSD_DIR/training_data/images/${annotation%.json}.png" "$WORK/upload/training_data/images/"
  done
  cp -r "$FUNSD_DIR/testing_data" "$WORK/upload/"
  (cd "$WORK/upload" && zip -qr "$WORK/funsd.zip" training_data testing_data)
else
  (cd "$FUNSD_DIR" && zip -qr "$WORK/funsd.zip" training_data testing_data)
fi
AETNET_DATA_DIR="$WORK/data" AETNET_ADMIN_KEY="$KEY" PORT="$PORT" HOST=127.0.0.1 node dist/src/main.js > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf "$URL/health/ready" > /dev/null; do sleep 1; kill -0 $SERVER || { cat "$WORK/server.log"; exit 1; }; done

started=$(now)
dataset=$(curl -sf -H "$H" -F file=@"$WORK/funsd.zip" -F format="${DATASET_FORMAT:-funsd}" -F task=extract \
  ${EVAL_SPLIT:+-F evalSplit=$EVAL_SPLIT} "$URL/admin/datasets")
echo "upload + validation: $(since "$started") s; $(echo "$dataset" | json 'JSON.stringify({documents: v.report.documents, splits: v.report.splits})')"
dataset_id=$(echo "$dataset" | json 'v.id')

epochs=${EPOCHS:+\"epochs\":$EPOCHS,}
body="{\"datasetId\":\"$dataset_id\",\"task\":\"extract\",\"baseModel\":\"funsd-extract-mpnet\",\"preset\":\"mpnet6\",
  \"start\":\"$START\",\"schedule\":\"$SCHEDULE\",
  \"hyperparameters\":{$epochs\"batchSize\":4,\"seed\":42},\"alignment\":{\"preset\":\"code-funsd\"}}"
job_started=$(now)
job=$(curl -sf -H "$H" -H 'content-type: application/json' "$URL/admin/tuning-jobs" -d "$body")
job_id=$(echo "$job" | json 'v.id')
echo "job $job_id: start $START, schedule $SCHEDULE, estimate $(echo "$job" | json 'JSON.stringify(v.estimate)')"

# Follow the SSE stream; print each stage change with its start time.
stage=""
while IFS= read -r line; do
  [[ "$line" == data:* ]] || continue
  now_stage=$(echo "${line#data: }" | json '`${v.state}/${v.stage ?? "-"}`')
  if [[ "$now_stage" != "$stage" ]]; then echo "  +$(since "$job_started") s  $now_stage"; stage="$now_stage"; fi
done < <(curl -sN -H "$H" "$URL/admin/tuning-jobs/$job_id/events")

job=$(curl -sf -H "$H" "$URL/admin/tuning-jobs/$job_id")
echo "job finished in $(since "$job_started") s: $(echo "$job" | json 'v.state')"
echo "$job" | json 'JSON.stringify({modelId: v.modelId, error: v.error?.reason, evaluation: v.evaluation}, null, 2)'
# KEEP_DIR=dir keeps the service's data folder (the job, its trainer log and the published model) for a closer look.
if [[ -n "${KEEP_DIR:-}" ]]; then mkdir -p "$KEEP_DIR" && cp -r "$WORK/data" "$KEEP_DIR/"; fi
