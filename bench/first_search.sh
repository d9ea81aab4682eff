#!/bin/sh
# The first searches after a start: serve $KMS_DATA_DIR from the checkout PROJECT (default:
# this one) on PORT with runserver, wait 15 s as a reader would arrive after a deploy, then
# time the first three searches through the API (seconds, curl's total).
#
#   KMS_DATA_DIR=var bench/first_search.sh [PROJECT] [PORT]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
project=${1:-$here}
port=${2:-8141}
data=$(cd "${KMS_DATA_DIR:?set KMS_DATA_DIR}" && pwd)
(cd "$project" && KMS_DATA_DIR=$data .venv/bin/python manage.py runserver "127.0.0.1:$port" \
    --noreload --noscheduler > /dev/null 2>&1) &
trap 'pkill -f "runserver 127.0.0.1:$port" || true' EXIT
sleep 15
key=$(cd "$here" && KMS_DATA_DIR=$data .venv/bin/python manage.py kms_apikey create \
    "first-search-$port-$(date +%s)" --scopes search 2>/dev/null | tail -1)
for q in 退保怎么办 理赔材料 保单贷款; do
    curl -s -o /dev/null -w "%{time_total}\n" -G -H "Authorization: Bearer $key" \
        --data-urlencode "q=$q" "http://127.0.0.1:$port/api/v1/search"
done
