#!/usr/bin/env bash
# Is a change in the forecast's skill more than the fit's own noise? Refit the 2019 war with
# other seeds (the same screen, the same draws and keep), issue the forecast of 10 January
# 2020 from each fit, and score each against the same prior predictive: one line per seed.
#   SEEDS="1 2" OUT=results/fit-noise SCREEN=scenarios/posterior/forecast_2020-01-10
#   RUNS=300 WORKERS=2 DRAWS=20000 KEEP=200 LIBYASIM=libyasim
# About 1.5 minutes a seed on 2 cores, plus one prior predictive.
set -euo pipefail
cd "$(dirname "$0")/.."
LY=${LIBYASIM:-libyasim}
OUT=${OUT:-results/fit-noise}
SEEDS=${SEEDS:-"1 2"}
SCREEN=${SCREEN:-scenarios/posterior/forecast_2020-01-10}
RUNS=${RUNS:-300}
WORKERS=${WORKERS:-2}
DRAWS=${DRAWS:-20000}
KEEP=${KEEP:-200}
mkdir -p "$OUT"
$LY run scenarios/baseline.toml --prior --runs "$RUNS" --workers "$WORKERS" \
    --out "$OUT/prior" --force --quiet
for seed in $SEEDS; do
    $LY calibrate scenarios/tripoli_offensive_2019.toml --until 2020-01-10 \
        --params-from "$SCREEN" --method rejection --draws "$DRAWS" --keep "$KEEP" \
        --workers "$WORKERS" --seed "$seed" --out "$OUT/fit-$seed" --force --quiet > /dev/null
    $LY forecast scenarios/baseline.toml --origin 2020-01-10 --posterior "$OUT/fit-$seed" \
        --runs "$RUNS" --workers "$WORKERS" --out "$OUT/forecast-$seed" --force --quiet > /dev/null
    echo "fit seed $seed: $($LY validate "$OUT/forecast-$seed" --reference "$OUT/prior" \
        --force | grep '^from')"
done
