#!/usr/bin/env bash
# Health of a Flink container without curl (the image has bash): the JobManager must answer its
# REST API with at least one registered TaskManager slot table; a TaskManager must have its RPC
# port open. The role is read from PID 1, which the image's entrypoint execs into.
set -euo pipefail

cmdline=$(tr '\0' ' ' </proc/1/cmdline)
case "${cmdline}" in
  *TaskManagerRunner*)
    exec 3<>"/dev/tcp/127.0.0.1/${TASK_MANAGER_RPC_PORT:-6122}"
    ;;
  *)
    exec 3<>"/dev/tcp/127.0.0.1/${REST_PORT:-8081}"
    printf 'GET /overview HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    grep -q '"taskmanagers"' <&3
    ;;
esac
