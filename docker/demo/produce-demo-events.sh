#!/usr/bin/env bash
# One-shot producer of demo events for compose: a small catalog, interactions and recommendation
# requests in the formats of docs/topics.md, generated with a fixed seed so every run sends the
# same events. Ids are numbers, like the synthetic data `./duet train` uses, so a model trained on
# synthetic data knows most of them.
#
# Usage: produce-demo-events.sh BOOTSTRAP [INTERACTIONS] [REQUESTS]
#        produce-demo-events.sh --print items|interactions|requests [INTERACTIONS] [REQUESTS]
# Timestamps are printed with %.0f: awk's %d stops at 2^31.
# (--print writes one topic's events to stdout; the deploy module's tests parse them with the
# job's own parser.)
set -euo pipefail

ITEMS=200
USERS=100
SEED=20240501
# Event time starts at 2024-05-01T00:00:00Z and advances one second per interaction.
START_MS=1714521600000

generate() {
  local topic=$1 interactions=$2 requests=$3
  awk -v topic="${topic}" -v items="${ITEMS}" -v users="${USERS}" -v seed="${SEED}" \
      -v n="${interactions}" -v r="${requests}" -v start="${START_MS}" 'BEGIN {
    srand(seed)
    split("Action|Adventure|Animation|Comedy|Drama|Horror|Romance|Sci-Fi|Thriller", genres, "|")
    if (topic == "items") {
      for (i = 1; i <= items; i++) {
        g1 = genres[1 + int(rand() * 9)]; g2 = genres[1 + int(rand() * 9)]
        printf "{\"id\": %d, \"title\": \"Demo Film %d\", \"genres\": [\"%s\", \"%s\"], \"year\": %d}\n", \
               i, i, g1, g2, 1970 + int(rand() * 55)
      }
    } else if (topic == "interactions") {
      for (e = 0; e < n; e++) {
        # Skewed picks: low item ids are popular, as in real catalogs.
        item = 1 + int(items * rand() * rand())
        printf "{\"user\": %d, \"item\": %d, \"rating\": %d, \"timestamp\": %.0f}\n", \
               1 + int(rand() * users), item, 1 + int(rand() * 5), start + e * 1000
      }
    } else if (topic == "requests") {
      for (q = 0; q < r; q++) {
        printf "{\"request_id\": \"demo-%d\", \"user\": %d, \"k\": 10, \"timestamp\": %.0f}\n", \
               q, 1 + int(rand() * users), start + n * 1000 + q * 1000
      }
    } else {
      print "unknown topic " topic > "/dev/stderr"; exit 2
    }
  }'
}

if [[ "${1:-}" == "--print" ]]; then
  generate "$2" "${3:-2000}" "${4:-200}"
  exit 0
fi

bootstrap=$1
interactions=${2:-2000}
requests=${3:-200}
for topic in items interactions requests; do
  generate "${topic}" "${interactions}" "${requests}" \
    | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "${bootstrap}" --topic "${topic}" \
        --producer-property acks=all
  echo "demo: sent ${topic}"
done
