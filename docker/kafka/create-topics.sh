#!/usr/bin/env bash
# Creates the job's topics (idempotent) and exits; compose runs it once after the broker is healthy.
# Usage: create-topics.sh BOOTSTRAP NAME:PARTITIONS[:CONFIG=VALUE,...] ...
set -euo pipefail

bootstrap=$1
shift
for spec in "$@"; do
  IFS=: read -r name partitions configs <<<"${spec}"
  args=(--bootstrap-server "${bootstrap}" --create --if-not-exists --topic "${name}"
        --partitions "${partitions}" --replication-factor 1)
  if [[ -n "${configs:-}" ]]; then
    IFS=, read -r -a pairs <<<"${configs}"
    for pair in "${pairs[@]}"; do
      args+=(--config "${pair}")
    done
  fi
  /opt/kafka/bin/kafka-topics.sh "${args[@]}"
done
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "${bootstrap}" --list
