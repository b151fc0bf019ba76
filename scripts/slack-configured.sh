#!/usr/bin/env bash
# Exit 0 when Slack tokens are configured (environment first, then .env): `make run` then
# starts `cantieri serve` rather than the console.
set -u
val() {
  local v=${!1:-}
  if [[ -z $v && -f .env ]]; then
    v=$(grep -E "^$1=" .env | tail -n 1 | cut -d= -f2- | tr -d '"' | tr -d "'")
  fi
  echo "$v"
}
bot=$(val SLACK_BOT_TOKEN)
[[ -n $bot ]] && { [[ -n $(val SLACK_APP_TOKEN) ]] || [[ -n $(val SLACK_SIGNING_SECRET) ]]; }
