#!/usr/bin/env bash
# Is a change in the forecast's skill more than the fit's own noise? Refit the 2019 war with
# other seeds (the same screen, the same draws and keep), issue the forecast of 10 January
# 2020 from each fit, and score each against the same prior predictive: one line per seed.
# With RESCREEN=1 each seed also screens the prior ranges again (`calibrate --screen --seed`):
# the noise of the whole procedure, the choice of parameters included.
#   SEEDS="1 2" OUT=results/fit-noise SCREEN=scenarios/posterior/forecast_2020-01-10
#   RESCREEN=0 TRAJECTORIES=60 (the rescreens') RUNS=1500 WORKERS=2 DRAWS=100000 KEEP=1000
#   LIBYASIM=libyasim  PLUG_IN=0 (1: the fits and forecasts keep every assumption they do not
#   fit at its registry value instead of drawing it from its prior, as before 3.0's last fits)
# About 4 minutes a seed on 2 cores (6 with RESCREEN=1), plus one prior predictive.
set -euo pipefail
cd "$(dirname "$0")/.."
LY=${LIBYASIM:-libyasim}
OUT=${OUT:-results/fit-noise}
SEEDS=${SEEDS:-"1 2"}
SCREEN=${SCREEN:-scenarios/posterior/forecast_2020-01-10}
RUNS=${RUNS:-1500}
WORKERS=${WORKERS:-2}
DRAWS=${DRAWS:-100000}
KEEP=${KEEP:-1000}
RESCREEN=${RESCREEN:-0}
MARGINAL=--rest-from-prior
[ "${PLUG_IN:-0}" = 1 ] && MARGINAL=
TRAJECTORIES=${TRAJECTORIES:-60}
WAR=scenarios/tripoli_offensive_2019.toml
mkdir -p "$OUT"
$LY run scenarios/baseline.toml --prior --runs "$RUNS" --workers "$WORKERS" \
    --out "$OUT/prior" --force --quiet
for seed in $SEEDS; do
    screen=$SCREEN
    if [ "$RESCREEN" = 1 ]; then
        screen=$OUT/screen-$seed
        $LY calibrate $WAR --until 2020-01-10 --screen --trajectories "$TRAJECTORIES" \
            --workers "$WORKERS" --seed "$seed" \
            --out "$screen" --force --quiet > /dev/null
    fi
    $LY calibrate $WAR --until 2020-01-10 \
        --params-from "$screen" --method rejection --draws "$DRAWS" --keep "$KEEP" \
        --workers "$WORKERS" --seed "$seed" --out "$OUT/fit-$seed" $MARGINAL --force --quiet \
        > /dev/null
    $LY forecast scenarios/baseline.toml --origin 2020-01-10 --posterior "$OUT/fit-$seed" \
        --runs "$RUNS" --workers "$WORKERS" --out "$OUT/forecast-$seed" $MARGINAL --force \
        --quiet > /dev/null
    echo "seed $seed ($(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['chosen']))" "$screen/screen.json") parameters): $($LY validate "$OUT/forecast-$seed" --reference "$OUT/prior" \
        --force | grep '^from')"
done
