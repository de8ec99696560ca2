#!/bin/sh
# Fills fuzz/corpus/ with starting inputs: the repo's small test workbooks (xlsx, xls, ods)
# and a few demo submissions for `intake`; typical cell texts for `normalise`.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/intake corpus/normalise
cp ../tests/fixtures/percent_fraction.* corpus/intake/
ls ../input/submissions/2026-11/*.xlsx 2>/dev/null | head -n 4 | while read -r f; do
    cp "$f" "corpus/intake/demo_$(basename "$f" | sha256sum | cut -c1-8).xlsx"
done
i=0
for s in "80" "80%" "８０％" "约80%左右" "已完成" "序时推进" "未启动" "2026-11-25" \
    "2026年11月25日" "11月25日" "2026-11-25 00:00:00" "46000" "2958466" "2026年13月45日" \
    "6月底前" "十二月底" "三季度末" "2026年6月15日完成" "（一）3" "第12项" "12-1" "3.0" \
    "呼和浩特市科学技术局（盖章）" "市发改委、市工信局" "-5" "1e308" "NaN"; do
    i=$((i + 1))
    # first byte picks the report month (see fuzz_targets/normalise.rs)
    printf '\252%s' "$s" > "corpus/normalise/seed_$i"
done
