#!/usr/bin/env bash
# The forecast of 2020 from start to finish: screen the prior ranges on the 2019 war, fit the
# parameters that matter on what was public by 10 January 2020; for 31 March and 30 June 2020,
# screen and fit again on the 2020 war up to that day (sequential ABC from the 2019 fit); issue
# the forecast from each origin, starting from the situation known on its day; run the prior
# predictive references, and score everything (`make forecast` runs this). Rerun it after any
# change to the model: the screens, the fits and the scores are all redone.
# Every assumption a fit does not fit is drawn from its prior in each of its draws and kept in
# its posterior (marginalised: `calibrate --rest-from-prior`), and the forecasts draw whole
# particles, with what the posterior does not hold from its prior too; for comparison, the same
# pipeline with those assumptions held at the registry's values (plug-in) is scored as well.
#   OUT=results/forecast  FIT_BUDGET=1500 (seconds)  RUNS=1500  WORKERS=2  LIBYASIM=libyasim
#   TRAJECTORIES=60 (the screen's)  METHOD=rejection (or smc)
#   DRAWS=100000 KEEP=1000 (rejection: runs from the priors, the nearest 1% kept)
#   POPULATION=300 (smc: particles per generation)
# Rejection ABC by default: with some 20 parameters, ABC-SMC's importance weights collapse
# onto a handful of particles (docs/calibration.md). The sizes keep each score's Monte Carlo
# error small beside the differences the docs read (docs/validation.md). About 18 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
LY=${LIBYASIM:-libyasim}
OUT=${OUT:-results/forecast}
FIT_BUDGET=${FIT_BUDGET:-1500}
RUNS=${RUNS:-1500}
WORKERS=${WORKERS:-2}
TRAJECTORIES=${TRAJECTORIES:-60}
POPULATION=${POPULATION:-300}
METHOD=${METHOD:-rejection}
DRAWS=${DRAWS:-100000}
KEEP=${KEEP:-1000}
WAR=scenarios/tripoli_offensive_2019.toml
CUTOFF=2020-01-10
ORIGINS="2020-01-10 2020-03-31 2020-06-30"
# the forecast issued on each origin starts from the situation known that day
situation() { if [ "$1" = $CUTOFF ]; then echo scenarios/baseline.toml;
              else echo "scenarios/situation_$1.toml"; fi; }
mkdir -p "$OUT"
SECONDS=0
$LY calibrate $WAR --until $CUTOFF --screen --trajectories "$TRAJECTORIES" --workers "$WORKERS" \
    --out "$OUT/screen" --force
if [ "$METHOD" = rejection ]; then
    FIT="--method rejection --draws $DRAWS --keep $KEEP" MARGINAL=--rest-from-prior
else  # ABC-SMC cannot marginalise: it fits with the rest at the registry's values
    FIT="--method smc --population $POPULATION --generations 12 --budget $FIT_BUDGET" MARGINAL=
fi
# the screens, the fits and the forecasts of every origin; $1 names the variant's folders
# ("" the shipped one, "plug-in-" the comparison), $2 its marginalising flag
pipeline() {
local tag=$1 flag=$2
# shellcheck disable=SC2086
$LY calibrate $WAR --until $CUTOFF --params-from "$OUT/screen" $FIT $flag --workers "$WORKERS" \
    --seed 20200110 --out "$OUT/${tag}fit-$CUTOFF" --force --quiet
# a later origin's fit reads what 2020 had made public by then as well: the war from 10
# January (the baseline's runs up to the origin), screened, then fitted by rejection ABC
# with the 2019 posterior as the prior of the parameters it fitted (sequential ABC: the kept
# draws are the posterior given both wars)
for origin in $ORIGINS; do
    [ "$origin" = $CUTOFF ] && continue
    # shellcheck disable=SC2086
    $LY calibrate scenarios/baseline.toml --until "$origin" --params-from "$OUT/screen-$origin" \
        --method rejection --draws "$DRAWS" --keep "$KEEP" --prior-from "$OUT/${tag}fit-$CUTOFF" \
        $flag --workers "$WORKERS" --seed 20200110 --out "$OUT/${tag}fit-$origin" --force --quiet
done
# each origin's forecast starts from the situation known on its day
for origin in $ORIGINS; do
    # shellcheck disable=SC2086
    $LY forecast "$(situation "$origin")" --origin "$origin" --posterior "$OUT/${tag}fit-$origin" \
        --runs "$RUNS" --out "$OUT/${tag}$origin" $flag --force --quiet
done
}
for origin in $ORIGINS; do
    [ "$origin" = $CUTOFF ] && continue
    $LY calibrate scenarios/baseline.toml --until "$origin" --screen \
        --trajectories "$TRAJECTORIES" --workers "$WORKERS" --out "$OUT/screen-$origin" --force
done
pipeline "" "$MARGINAL"
# each origin's prior predictive reference: the same situation, every assumption drawn from
# its prior range
FOLDERS=() REFERENCES=() PLUG_IN=()
for origin in $ORIGINS; do
    $LY run "$(situation "$origin")" --prior --runs "$RUNS" --workers "$WORKERS" \
        --out "$OUT/prior-$origin" --force --quiet
    $LY validate "$OUT/$origin" --reference "$OUT/prior-$origin" --force
    FOLDERS+=("$OUT/$origin") REFERENCES+=(--reference "$OUT/prior-$origin")
    PLUG_IN+=("$OUT/plug-in-$origin")
done
# the skill table of every origin in one file
$LY validate "${FOLDERS[@]}" "${REFERENCES[@]}" --out "$OUT/scores" --force
# for comparison: the fits and forecasts with every assumption they do not fit held at the
# registry's value (the plug-in forecast)
if [ -n "$MARGINAL" ]; then
    pipeline plug-in- ""
    $LY validate "${PLUG_IN[@]}" "${REFERENCES[@]}" --out "$OUT/scores-plug-in" --force
fi
# for comparison: the forecast of 10 January conditioned on what was known at the later
# origins (a particle filter) instead of restarted from the situation of that day
$LY validate "$OUT/$CUTOFF" --reference "$OUT/prior-$CUTOFF" --from 2020-03-31 \
    --from 2020-06-30 --out "$OUT/scores-conditioned" --force
echo "forecast pipeline finished in $((SECONDS / 60)) min $((SECONDS % 60)) s; scores in $OUT/scores"
